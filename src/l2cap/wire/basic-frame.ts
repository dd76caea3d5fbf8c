/**
 * The L2CAP basic frame (B-frame, and the C-frame on CID 0x0001), Core v5.4 Vol 3 Part A §3.1:
 *
 *   length (2, LE, of the payload) | channel ID (2, LE) | payload (length octets)
 *
 * Contract: `decodeBasicFrame` is total and strict: it throws `DecodeError` unless the buffer holds
 * exactly the 4-byte header plus `length` payload octets (the recombined size). The payload is a
 * view of the bytes decoded (src/core/bytes.ts, "Ownership"). `encodeBasicFrame` throws
 * `ArgumentError` for a payload over 65535 bytes or a bad CID. `writeBasicHeader` writes the header
 * alone into any `ByteSink`, for a payload its caller writes next (one copy into the outgoing ACL
 * packets, DESIGN.md rule 10).
 */
import { ArgumentError, ByteReader, type ByteSink, ByteWriter, type Codec, defineCodec, hex } from '../../core/index.js';

export const BASIC_HEADER_LENGTH = 4;

export interface BasicFrame {
  readonly cid: number;
  readonly payload: Uint8Array;
}

export function basicFrameLength(f: BasicFrame): number {
  return BASIC_HEADER_LENGTH + f.payload.length;
}

/** Writes the 4-octet header of a B-frame whose payload of `payloadLength` octets the caller writes next. */
export function writeBasicHeader(sink: ByteSink, payloadLength: number, cid: number): void {
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > 0xffff) throw new ArgumentError(`an L2CAP payload is at most 65535 bytes, got ${payloadLength}`);
  if (!Number.isInteger(cid) || cid < 0 || cid > 0xffff) throw new ArgumentError(`an L2CAP CID is 0..0xffff, got ${cid}`);
  sink.u16le(payloadLength);
  sink.u16le(cid);
}

/** Writes the frame at `offset`; returns the number of octets written (src/core/codec.ts). */
export function encodeBasicFrameInto(f: BasicFrame, out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  writeBasicHeader(w, f.payload.length, f.cid);
  return w.put(f.payload).offset - offset;
}

export function encodeBasicFrame(f: BasicFrame): Uint8Array {
  const out = new Uint8Array(basicFrameLength(f));
  encodeBasicFrameInto(f, out, 0);
  return out;
}

/**
 * The CID of a well-formed basic frame (4-octet header, length field = octets that follow), read in
 * place; undefined for any other bytes. `decodeBasicFrame` says why; the data path needs only this.
 */
export function basicFrameCid(bytes: Uint8Array): number | undefined {
  return bytes.length >= BASIC_HEADER_LENGTH && (bytes[0] | (bytes[1] << 8)) === bytes.length - BASIC_HEADER_LENGTH ? bytes[2] | (bytes[3] << 8) : undefined;
}

export function decodeBasicFrame(bytes: Uint8Array): BasicFrame {
  const r = new ByteReader(bytes, 'l2cap', 'basic frame');
  const length = r.u16le('length');
  const cid = r.u16le('channel ID');
  if (length !== r.remaining) r.fail(`length field says ${length} payload byte(s), ${r.remaining} present`, 0);
  return { cid, payload: r.rest() };
}

export function describeBasicFrame(f: BasicFrame): string {
  const shown = f.payload.subarray(0, 16);
  return `L2CAP cid=0x${f.cid.toString(16).padStart(4, '0')} len=${f.payload.length}${shown.length ? ' ' + hex(shown) : ''}${f.payload.length > 16 ? '…' : ''}`;
}

export const basicFrameCodec: Codec<BasicFrame> = defineCodec({
  name: 'L2CAP basic frame',
  length: basicFrameLength,
  encodeInto: encodeBasicFrameInto,
  decode: decodeBasicFrame,
  describe: describeBasicFrame,
});
