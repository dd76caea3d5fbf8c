/**
 * Streaming H4 framer (Core v5.4 Vol 4 Part A §2): cuts a byte stream from a UART, socket or user
 * channel into whole H4 packets, whatever the chunking. `push(chunk)` consumes bytes; `poll()` returns
 * the next whole packet (indicator included), a `DecodeError` once when the stream cannot be framed,
 * or undefined when it needs more bytes.
 *
 * Header per indicator: command 3 octets (length u8 at 2), ACL 4 (u16 at 2), SCO 3 (u8 at 2),
 * event 2 (u8 at 1), ISO 4 (14-bit length at 2). Vendor indicators are framed only when
 * `vendorPackets` is on and a `VendorPacketFormat` describes their header and length field.
 *
 * Caps (DESIGN.md rule 6): an ACL or ISO packet announcing more than `maxDataLength` data octets
 * (default 4096) is a framing error; so is an unknown indicator. After an error the framer stops
 * (no resync is possible without a length it trusts): further bytes are counted in
 * `discardedBytes` and dropped until `reset()`. Completed packets wait in a queue whose size is at
 * most what was pushed; the owner drains it after every push.
 */
import { BoundedQueue, DecodeError } from '../core/index.js';
import { H4_INDICATOR } from './wire/packet.js';

export interface VendorPacketFormat {
  readonly indicator: number;
  /** Octets after the indicator that always come (the header, or the whole packet when `lengthSize` is 0). */
  readonly headerLength: number;
  /** Where the little-endian payload length sits inside the header. */
  readonly lengthOffset: number;
  /** 0 (fixed-size packet), 1 or 2 octets. */
  readonly lengthSize: 0 | 1 | 2;
}

/** Broadcom link-manager diagnostic packets: indicator 0x07 and 63 octets (seen in Android captures). */
export const BROADCOM_LM_DIAGNOSTIC: VendorPacketFormat = { indicator: 0x07, headerLength: 63, lengthOffset: 0, lengthSize: 0 };

export interface H4FramerOptions {
  /** Frame vendor indicators listed in `vendorFormats` (default false: any vendor indicator is an error). */
  readonly vendorPackets?: boolean;
  readonly vendorFormats?: readonly VendorPacketFormat[];
  /** Largest ACL/ISO data length accepted (default 4096). */
  readonly maxDataLength?: number;
}

interface HeaderFormat {
  readonly headerLength: number;
  readonly lengthOffset: number;
  readonly lengthSize: 0 | 1 | 2;
  readonly lengthMask: number;
  readonly capped: boolean;
}

const STANDARD: ReadonlyMap<number, HeaderFormat> = new Map([
  [H4_INDICATOR.COMMAND, { headerLength: 3, lengthOffset: 2, lengthSize: 1, lengthMask: 0xff, capped: false }],
  [H4_INDICATOR.ACL, { headerLength: 4, lengthOffset: 2, lengthSize: 2, lengthMask: 0xffff, capped: true }],
  [H4_INDICATOR.SCO, { headerLength: 3, lengthOffset: 2, lengthSize: 1, lengthMask: 0xff, capped: false }],
  [H4_INDICATOR.EVENT, { headerLength: 2, lengthOffset: 1, lengthSize: 1, lengthMask: 0xff, capped: false }],
  [H4_INDICATOR.ISO, { headerLength: 4, lengthOffset: 2, lengthSize: 2, lengthMask: 0x3fff, capped: true }],
]);

const MAX_HEADER = 255;

export class H4Framer {
  private readonly formats: Map<number, HeaderFormat>;
  private readonly maxDataLength: number;
  private readonly out = new BoundedQueue<Uint8Array | DecodeError>(Number.MAX_SAFE_INTEGER);
  private header = new Uint8Array(1 + MAX_HEADER);
  private headerFill = 0;
  private format: HeaderFormat | undefined;
  private packet: Uint8Array | undefined;
  private packetFill = 0;
  private consumed = 0;
  private stopped = false;
  packets = 0;
  discardedBytes = 0;

  constructor(options: H4FramerOptions = {}) {
    this.maxDataLength = options.maxDataLength ?? 4096;
    this.formats = new Map(STANDARD);
    if (options.vendorPackets) {
      for (const v of options.vendorFormats ?? [BROADCOM_LM_DIAGNOSTIC]) {
        if (STANDARD.has(v.indicator) || v.headerLength > MAX_HEADER || v.lengthOffset + v.lengthSize > v.headerLength) continue;
        this.formats.set(v.indicator, { ...v, lengthMask: v.lengthSize === 2 ? 0xffff : 0xff, capped: true });
      }
    }
  }

  /** True after a framing error, until `reset()`. */
  get failed(): boolean {
    return this.stopped;
  }

  /** Drops any partial packet and the error state; queued whole packets stay. */
  reset(): void {
    this.stopped = false;
    this.format = undefined;
    this.packet = undefined;
    this.headerFill = 0;
  }

  push(chunk: Uint8Array): void {
    this.pushAt(chunk);
    this.consumed += chunk.length;
  }

  private pushAt(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.stopped) {
        this.discardedBytes += chunk.length - i;
        return;
      }
      if (this.packet) {
        const n = Math.min(this.packet.length - this.packetFill, chunk.length - i);
        this.packet.set(chunk.subarray(i, i + n), this.packetFill);
        this.packetFill += n;
        i += n;
        if (this.packetFill === this.packet.length) this.finish();
        continue;
      }
      if (!this.format) {
        const indicator = chunk[i];
        const format = this.formats.get(indicator);
        if (!format) {
          this.fail(this.consumed + i, `unknown packet indicator 0x${indicator.toString(16).padStart(2, '0')} (the stream is out of sync, or carries vendor packets: see the vendorPackets option)`);
          continue;
        }
        this.format = format;
        this.header[0] = indicator;
        this.headerFill = 1;
        i++;
      }
      const need = 1 + this.format.headerLength - this.headerFill;
      const n = Math.min(need, chunk.length - i);
      this.header.set(chunk.subarray(i, i + n), this.headerFill);
      this.headerFill += n;
      i += n;
      if (this.headerFill === 1 + this.format.headerLength) this.startBody(this.consumed + i);
    }
  }

  /** The next whole H4 packet, a framing error (once), or undefined when more bytes are needed. */
  poll(): Uint8Array | DecodeError | undefined {
    return this.out.shift();
  }

  private startBody(at: number): void {
    const f = this.format!;
    const lo = 1 + f.lengthOffset;
    const raw = f.lengthSize === 0 ? 0 : f.lengthSize === 1 ? this.header[lo] : this.header[lo] | (this.header[lo + 1] << 8);
    const length = raw & f.lengthMask;
    if (f.capped && length > this.maxDataLength) {
      this.fail(at, `packet indicator 0x${this.header[0].toString(16).padStart(2, '0')} announces ${length} data bytes, more than the cap of ${this.maxDataLength}`);
      return;
    }
    this.packet = new Uint8Array(this.headerFill + length);
    this.packet.set(this.header.subarray(0, this.headerFill));
    this.packetFill = this.headerFill;
    if (length === 0) this.finish();
  }

  private finish(): void {
    this.out.push(this.packet!);
    this.packets++;
    this.packet = undefined;
    this.format = undefined;
    this.headerFill = 0;
  }

  private fail(at: number, reason: string): void {
    this.out.push(new DecodeError('hci', 'H4 stream', at, reason));
    this.stopped = true;
    this.packet = undefined;
    this.format = undefined;
    this.headerFill = 0;
  }
}
