/**
 * Streaming H4 framer (Core v5.4 Vol 4 Part A §2): cuts a byte stream from a UART, socket or user
 * channel into whole H4 packets, whatever the chunking. `push(chunk)` takes bytes; `poll()` frames
 * and returns the next whole packet (indicator included), a `DecodeError` once when the stream
 * cannot be framed, or undefined when it needs more bytes. Framing happens in `poll`, one packet at
 * a time, so that the owner has handled every packet before the next header is judged.
 *
 * Header per indicator: command 3 octets (length u8 at 2), ACL 4 (u16 at 2), SCO 3 (u8 at 2),
 * event 2 (u8 at 1), ISO 4 (14-bit length at 2). Vendor indicators are framed only when
 * `vendorPackets` is on and a `VendorPacketFormat` describes their header and length field.
 *
 * Caps (DESIGN.md rule 6): an ACL or ISO packet announcing more than `maxDataLength` data octets
 * (default 4096) is a framing error; so is an unknown indicator. After an error the framer stops
 * (no resync is possible without a length it trusts): further bytes are counted in
 * `discardedBytes` and dropped until `reset()`; the owner may also `abandon` a packet that never
 * came whole. Pushed bytes wait until polled; the owner polls
 * until undefined after every push, so what waits is at most one packet's start.
 *
 * A packet that lies whole inside one pushed chunk is returned as a view of that chunk (no copy,
 * src/core/bytes.ts "Ownership"); only a packet split across chunks is gathered into a buffer of
 * its own.
 */
import { DecodeError, view } from '../core/index.js';
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
  /**
   * Judges each packet header (the indicator at `bytes[offset]`, then the header octets): a reason
   * when it cannot begin a real packet, else undefined. When set, a whole ACL packet is held back
   * until the header after it was judged plausible, or the bytes pushed so far end with it; an
   * implausible header is a framing error, and the ACL packet held before it is discarded, not
   * delivered (the stream lost or changed bytes there: see `HciHostOptions.byteStream`). Other
   * packets (events) go at once, so that the header after a Connection Complete is judged with
   * its link up.
   */
  readonly plausible?: (bytes: Uint8Array, offset: number) => string | undefined;
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
  private readonly plausible: ((bytes: Uint8Array, offset: number) => string | undefined) | undefined;
  /** Pushed bytes not framed yet: chunks, the first of them from `offset`. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  /** Stream offset of the next unframed byte (for error messages). */
  private position = 0;
  /** A header gathered from several chunks. */
  private readonly header = new Uint8Array(1 + MAX_HEADER);
  /** The last whole ACL packet, until the header after it is judged (with `plausible`). */
  private held: Uint8Array | undefined;
  /** The framing error to return once. */
  private error: DecodeError | undefined;
  private stopped = false;
  packets = 0;
  discardedBytes = 0;
  /** Whole packets not delivered because the bytes after them did not begin a packet. */
  discardedPackets = 0;

  constructor(options: H4FramerOptions = {}) {
    this.maxDataLength = options.maxDataLength ?? 4096;
    this.plausible = options.plausible;
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

  /** Octets of a packet begun and not yet whole (0 between packets and after a framing error). */
  get pending(): number {
    return this.stopped ? 0 : this.buffered;
  }

  /**
   * The owner judged the stream desynchronised (its unfinished packet will never come whole): the
   * partial packet is dropped and the framer stops as after any framing error; returns that error.
   */
  abandon(reason: string): DecodeError {
    return this.fail(reason);
  }

  /** Drops any partial packet and the error state; a whole packet held back is delivered first. */
  reset(): void {
    this.stopped = false;
    this.error = undefined;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
  }

  push(chunk: Uint8Array): void {
    if (this.stopped) {
      this.discardedBytes += chunk.length;
      return;
    }
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole H4 packet, a framing error (once), or undefined when more bytes are needed. */
  poll(): Uint8Array | DecodeError | undefined {
    if (this.error) {
      const e = this.error;
      this.error = undefined;
      return e;
    }
    for (;;) {
      if (this.stopped) return undefined;
      if (this.buffered === 0) {
        // The bytes so far end with the held packet: nothing after it to judge, so it goes.
        return this.release();
      }
      const indicator = this.byteAt(0);
      const format = this.formats.get(indicator);
      if (!format && this.plausible) return this.desynchronised(`packet indicator 0x${hex2(indicator)} is not one a controller sends`);
      if (!format) return this.fail(`unknown packet indicator 0x${hex2(indicator)} (the stream is out of sync, or carries vendor packets: see the vendorPackets option)`);
      const headerLength = 1 + format.headerLength;
      if (this.buffered < headerLength) return undefined;
      const [bytes, at] = this.headerView(headerLength);
      if (this.plausible) {
        const why = this.plausible(bytes, at);
        if (why !== undefined) return this.desynchronised(why);
        // The header after the held packet is sound: that one goes first.
        if (this.held) return this.release();
      }
      const lo = at + 1 + format.lengthOffset;
      const raw = format.lengthSize === 0 ? 0 : format.lengthSize === 1 ? bytes[lo] : bytes[lo] | (bytes[lo + 1] << 8);
      const length = raw & format.lengthMask;
      if (format.capped && length > this.maxDataLength) {
        this.position += headerLength;
        return this.fail(`packet indicator 0x${hex2(indicator)} announces ${length} data bytes, more than the cap of ${this.maxDataLength}`);
      }
      if (this.buffered < headerLength + length) return undefined;
      const packet = this.take(headerLength + length);
      this.packets++;
      if (this.plausible && indicator === H4_INDICATOR.ACL) {
        this.held = packet;
        continue;
      }
      return packet;
    }
  }

  private desynchronised(why: string): DecodeError {
    return this.fail(`the stream is desynchronised (bytes were lost or changed): ${why}; ${this.held ? 'the packet before it was not delivered' : 'nothing was delivered from it'}`);
  }

  private release(): Uint8Array | undefined {
    const h = this.held;
    this.held = undefined;
    return h;
  }

  /** Octet `i` of the unframed bytes. */
  private byteAt(i: number): number {
    let at = this.offset + i;
    for (const c of this.chunks) {
      if (at < c.length) return c[at];
      at -= c.length;
    }
    return -1;
  }

  /** The first `n` unframed octets, as (array, offset): in place when in the first chunk, else gathered. */
  private headerView(n: number): [Uint8Array, number] {
    const first = this.chunks[0];
    if (first.length - this.offset >= n) return [first, this.offset];
    for (let i = 0; i < n; i++) this.header[i] = this.byteAt(i);
    return [this.header, 0];
  }

  /** Removes and returns the first `n` unframed octets: a view when they lie in one chunk, else a copy. */
  private take(n: number): Uint8Array {
    this.buffered -= n;
    this.position += n;
    const first = this.chunks[0];
    if (first.length - this.offset >= n) {
      const out = view(first, this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const c = this.chunks[0];
      const k = Math.min(n - filled, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + k), filled);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.offset += n;
    if (this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private fail(reason: string): DecodeError {
    if (this.held) {
      this.discardedPackets++;
      this.held = undefined;
    }
    this.stopped = true;
    this.discardedBytes += this.buffered;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return new DecodeError('hci', 'H4 stream', this.position, reason);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
