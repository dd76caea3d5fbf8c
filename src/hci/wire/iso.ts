/**
 * HCI ISO data packets (Core v5.4 Vol 4 Part E §5.4.5), without the H4 indicator:
 *
 *   Handle (12 bits) | PB_Flag (2 bits) | TS_Flag (1 bit) | RFU (1 bit)   — one u16 LE
 *   ISO_Data_Load_Length (14 bits) | RFU (2 bits)                          — one u16 LE
 *   ISO_Data_Load
 *
 * BR/EDR never uses ISO; this codec exists so that every H4 packet decodes and re-encodes.
 * `flags` keeps the four flag bits and `lengthRfu` the two RFU bits of the length word, as sent.
 * Contract as for ACL (src/core/codec.ts, `isoCodec`).
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec } from '../../core/index.js';

export interface IsoPacket {
  readonly handle: number;
  readonly flags: number;
  readonly lengthRfu: number;
  readonly data: Uint8Array;
}

export function decodeIso(b: Uint8Array): IsoPacket {
  const r = new ByteReader(b, 'hci', 'ISO data packet');
  const h = r.u16le('handle and flags');
  const l = r.u16le('data load length');
  const length = l & 0x3fff;
  if (length !== r.remaining) r.fail(`data load length ${length} but ${r.remaining} byte(s) follow`);
  return { handle: h & 0x0fff, flags: h >>> 12, lengthRfu: l >>> 14, data: r.rest() };
}

export function isoLength(p: IsoPacket): number {
  return 4 + p.data.length;
}

export function encodeIsoInto(p: IsoPacket, out: Uint8Array, offset: number): number {
  if (p.handle < 0 || p.handle > 0x0fff || p.flags < 0 || p.flags > 0xf || p.lengthRfu < 0 || p.lengthRfu > 3 || p.data.length > 0x3fff) {
    throw new ArgumentError(`bad ISO packet: handle 0x${p.handle.toString(16)} flags ${p.flags} length ${p.data.length}`);
  }
  new ByteWriter(out, offset).u16le(p.handle | (p.flags << 12)).u16le(p.data.length | (p.lengthRfu << 14)).put(p.data);
  return isoLength(p);
}

export function encodeIso(p: IsoPacket): Uint8Array {
  const out = new Uint8Array(isoLength(p));
  encodeIsoInto(p, out, 0);
  return out;
}

export function describeIso(p: IsoPacket): string {
  return `ISO handle=0x${p.handle.toString(16).padStart(3, '0')} flags=${p.flags} len=${p.data.length}`;
}

export const isoCodec: Codec<IsoPacket> = defineCodec({
  name: 'HCI ISO data packet',
  length: isoLength,
  encodeInto: encodeIsoInto,
  decode: decodeIso,
  describe: describeIso,
});
