/**
 * HCI ACL data packets (Core v5.4 Vol 4 Part E §5.4.2), without the H4 indicator:
 *
 *   Handle (12 bits) | PB_Flag (2 bits) | BC_Flag (2 bits)   — one u16 LE
 *   Data_Total_Length (2, LE) | data
 *
 * PB_Flag: 0b00 first non-automatically-flushable fragment (host → controller), 0b01 continuing
 * fragment, 0b10 first automatically-flushable fragment, 0b11 complete PDU (automatically flushable).
 * Contract (src/core/codec.ts, `aclCodec`): `decodeAcl` returns or throws `DecodeError` (header short, length ≠ bytes left);
 * round trip is exact; `aclLength(p)` = encoded length.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec } from '../../core/index.js';

export const ACL_PB = {
  FIRST_NON_FLUSHABLE: 0b00,
  CONTINUING: 0b01,
  FIRST_FLUSHABLE: 0b10,
  COMPLETE_FLUSHABLE: 0b11,
} as const;

export const ACL_HEADER_LENGTH = 4;
export const MAX_CONNECTION_HANDLE = 0x0eff;

export interface AclPacket {
  readonly handle: number;
  readonly pb: number;
  readonly bc: number;
  readonly data: Uint8Array;
}

export function decodeAcl(b: Uint8Array): AclPacket {
  const r = new ByteReader(b, 'hci', 'ACL data packet');
  const h = r.u16le('handle and flags');
  const length = r.u16le('data total length');
  if (length !== r.remaining) r.fail(`data total length ${length} but ${r.remaining} byte(s) follow`);
  return { handle: h & 0x0fff, pb: (h >>> 12) & 0b11, bc: (h >>> 14) & 0b11, data: r.rest() };
}

export function aclLength(p: AclPacket): number {
  return ACL_HEADER_LENGTH + p.data.length;
}

export function encodeAclInto(p: AclPacket, out: Uint8Array, offset: number): number {
  if (p.handle < 0 || p.handle > 0x0fff || p.pb < 0 || p.pb > 3 || p.bc < 0 || p.bc > 3 || p.data.length > 0xffff) {
    throw new ArgumentError(`bad ACL packet: handle 0x${p.handle.toString(16)} pb ${p.pb} bc ${p.bc} length ${p.data.length}`);
  }
  new ByteWriter(out, offset).u16le(p.handle | (p.pb << 12) | (p.bc << 14)).u16le(p.data.length).put(p.data);
  return aclLength(p);
}

export function encodeAcl(p: AclPacket): Uint8Array {
  const out = new Uint8Array(aclLength(p));
  encodeAclInto(p, out, 0);
  return out;
}

const PB_NAMES = ['first-nf', 'cont', 'first', 'complete'];

export function describeAcl(p: AclPacket): string {
  return describeAclHeader(p.handle, p.pb, p.bc, p.data.length);
}

/** `describeAcl` from the header's fields (a trace decoder reads them in place). */
export function describeAclHeader(handle: number, pb: number, bc: number, length: number): string {
  return `ACL handle=0x${handle.toString(16).padStart(3, '0')} pb=${PB_NAMES[pb]} bc=${bc} len=${length}`;
}

export const aclCodec: Codec<AclPacket> = defineCodec({
  name: 'HCI ACL data packet',
  length: aclLength,
  encodeInto: encodeAclInto,
  decode: decodeAcl,
  describe: describeAcl,
});
