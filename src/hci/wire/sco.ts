/**
 * HCI synchronous (SCO/eSCO) data packets (Core v5.4 Vol 4 Part E §5.4.3), without the H4 indicator:
 *
 *   Handle (12 bits) | Packet_Status_Flag (2 bits) | RFU (2 bits)   — one u16 LE
 *   Data_Total_Length (1) | data
 *
 * The stack carries no voice; this codec exists so that every H4 packet decodes and re-encodes.
 * `flags` keeps the top four bits (status and RFU) as sent. Contract as for ACL
 * (src/core/codec.ts, `scoCodec`).
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec } from '../../core/index.js';

export interface ScoPacket {
  readonly handle: number;
  readonly flags: number;
  readonly data: Uint8Array;
}

export function decodeSco(b: Uint8Array): ScoPacket {
  const r = new ByteReader(b, 'hci', 'synchronous data packet');
  const h = r.u16le('handle and flags');
  const length = r.u8('data total length');
  if (length !== r.remaining) r.fail(`data total length ${length} but ${r.remaining} byte(s) follow`);
  return { handle: h & 0x0fff, flags: h >>> 12, data: r.rest() };
}

export function scoLength(p: ScoPacket): number {
  return 3 + p.data.length;
}

export function encodeScoInto(p: ScoPacket, out: Uint8Array, offset: number): number {
  if (p.handle < 0 || p.handle > 0x0fff || p.flags < 0 || p.flags > 0xf || p.data.length > 0xff) {
    throw new ArgumentError(`bad SCO packet: handle 0x${p.handle.toString(16)} flags ${p.flags} length ${p.data.length}`);
  }
  new ByteWriter(out, offset).u16le(p.handle | (p.flags << 12)).u8(p.data.length).put(p.data);
  return scoLength(p);
}

export function encodeSco(p: ScoPacket): Uint8Array {
  const out = new Uint8Array(scoLength(p));
  encodeScoInto(p, out, 0);
  return out;
}

export function describeSco(p: ScoPacket): string {
  return `SCO handle=0x${p.handle.toString(16).padStart(3, '0')} flags=${p.flags} len=${p.data.length}`;
}

export const scoCodec: Codec<ScoPacket> = defineCodec({
  name: 'HCI synchronous data packet',
  length: scoLength,
  encodeInto: encodeScoInto,
  decode: decodeSco,
  describe: describeSco,
});
