/**
 * H4 (UART transport, Core v5.4 Vol 4 Part A §2) as the virtual controller sees it: a one-byte packet
 * indicator, then an HCI packet (Vol 4 Part E §5.4). From the host it takes commands (0x01: opcode
 * u16le, length u8), ACL data (0x02: handle+flags u16le, length u16le) and SCO data (0x03: handle u16le,
 * length u8); it sends events (0x04: code u8, length u8) and ACL data.
 *
 * `HostPacketFramer` re-frames any chunking of the host's byte stream into whole packets. A byte that
 * is not a known indicator is skipped and counted (resynchronisation); a packet is at most
 * 4 + 65535 bytes, so the buffer is bounded by the format. A packet whole inside one chunk is
 * returned as views of that chunk; only a packet split across chunks is gathered into a buffer.
 */
import { bdAddrToBytes, concat, Slab, view, type BdAddr } from '../../core/index.js';
import { H4_INDICATOR } from '../../hci/index.js';
import { EVT } from './constants.js';

/** Where `HostPacketFramer` hands the host's packets, one call each (no object per packet). */
export interface HostPacketSink {
  command(opcode: number, params: Uint8Array): void;
  acl(handle: number, pb: number, bc: number, data: Uint8Array): void;
  sco(handle: number, data: Uint8Array): void;
}

const HEADER_LENGTH: Record<number, number> = { [H4_INDICATOR.COMMAND]: 3, [H4_INDICATOR.ACL]: 4, [H4_INDICATOR.SCO]: 3 };

export class HostPacketFramer {
  /** The start of a packet split across chunks, waiting for the rest. */
  private partial: Uint8Array = new Uint8Array(0);
  /** Bytes skipped because they were not a packet indicator. */
  skippedBytes = 0;

  /** Appends a chunk and hands every packet it completes to `sink`, in order. */
  push(chunk: Uint8Array, sink: HostPacketSink): void {
    const b = this.partial.length ? concat(this.partial, chunk) : chunk;
    let off = 0;
    for (;;) {
      if (off >= b.length) break;
      const indicator = b[off];
      const headerLength = HEADER_LENGTH[indicator];
      if (headerLength === undefined) {
        this.skippedBytes++;
        off++;
        continue;
      }
      if (b.length - off < 1 + headerLength) break;
      const h = off + 1;
      const payloadLength = indicator === H4_INDICATOR.ACL ? b[h + 2] | (b[h + 3] << 8) : b[h + 2];
      const total = 1 + headerLength + payloadLength;
      if (b.length - off < total) break;
      const payload = view(b, h + headerLength, off + total);
      const first = b[h] | (b[h + 1] << 8);
      off += total;
      if (indicator === H4_INDICATOR.COMMAND) sink.command(first, payload);
      else if (indicator === H4_INDICATOR.ACL) sink.acl(first & 0x0fff, (first >> 12) & 3, (first >> 14) & 3, payload);
      else sink.sco(first & 0x0fff, payload);
    }
    // What is left is the start of a packet: kept (a copy, since the caller may reuse its chunk).
    this.partial = off >= b.length ? EMPTY : b.slice(off);
  }
}

const EMPTY = new Uint8Array(0);

/** Parameter bytes: a number is one octet, arrays are copied as they are. */
export function pack(...parts: (number | Uint8Array)[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += typeof p === 'number' ? 1 : p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    if (typeof p === 'number') out[o++] = p & 0xff;
    else {
      out.set(p, o);
      o += p.length;
    }
  }
  return out;
}

export function le16(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
}
export function le24(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}
export function le32(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
export function addr(a: BdAddr): Uint8Array {
  return bdAddrToBytes(a);
}

/** A zero-padded fixed-size field (names are 248 octets, EIR 240). */
export function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, size));
  return out;
}

/**
 * Where the packets to the host are cut from: each is a chunk as a transport would deliver it.
 * A small `new Uint8Array` lives on V8's heap and is copied to a backing store of its own the first
 * time the host takes a view of it (every decoder does): cut from a slab, it has one already.
 */
const packetSlab = new Slab();

/** `04 code len` cut from the slab, the `length` parameter octets left for the caller. */
function eventBuffer(code: number, length: number): Uint8Array {
  const out = packetSlab.alloc(3 + length);
  out[0] = H4_INDICATOR.EVENT;
  out[1] = code;
  out[2] = length;
  return out;
}

/** `04 code len params`. */
export function encodeEvent(code: number, params: Uint8Array): Uint8Array {
  const out = eventBuffer(code, params.length);
  out.set(params, 3);
  return out;
}

/** Number Of Completed Packets (Core v5.4 Vol 4 Part E §7.7.19) for one handle, written straight into the slab. */
export function encodeCompletedPackets(handle: number, count: number): Uint8Array {
  const out = eventBuffer(EVT.NUMBER_OF_COMPLETED_PACKETS, 5);
  out[3] = 1;
  out[4] = handle & 0xff;
  out[5] = handle >>> 8;
  out[6] = count & 0xff;
  out[7] = count >>> 8;
  return out;
}

/** Command Complete (§7.7.14) with Num_HCI_Command_Packets = 1. */
export function encodeCommandComplete(opcode: number, returnParams: Uint8Array): Uint8Array {
  return encodeEvent(EVT.COMMAND_COMPLETE, pack(1, le16(opcode), returnParams));
}

/** Command Status (§7.7.15) with Num_HCI_Command_Packets = 1. */
export function encodeCommandStatus(status: number, opcode: number): Uint8Array {
  return encodeEvent(EVT.COMMAND_STATUS, pack(status, 1, le16(opcode)));
}


/** `02 handle|pb<<12|bc<<14 len data`. */
export function encodeAcl(handle: number, pb: number, bc: number, data: Uint8Array): Uint8Array {
  const out = packetSlab.alloc(5 + data.length);
  out[0] = H4_INDICATOR.ACL;
  const first = (handle & 0x0fff) | ((pb & 3) << 12) | ((bc & 3) << 14);
  out[1] = first & 0xff;
  out[2] = first >> 8;
  out[3] = data.length & 0xff;
  out[4] = data.length >> 8;
  out.set(data, 5);
  return out;
}

/** `01 opcode len params`, for hosts in tests. */
export function encodeCommand(opcode: number, params: Uint8Array = new Uint8Array(0)): Uint8Array {
  return pack(H4_INDICATOR.COMMAND, le16(opcode), params.length, params);
}
