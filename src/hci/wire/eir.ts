/**
 * Extended Inquiry Response data (Core v5.4 Vol 3 Part C §8, Core Specification Supplement Part A
 * §1): a sequence of `Length (1) | EIR_Data_Type (1) | data (Length − 1)` structures, ended by a
 * zero Length or the end of the 240 octets (the significant part, then zeros).
 *
 * Two readings. `parseEir` is what the stack uses on what a peer sent: lenient, it never throws and
 * stops at the first structure that would run past the end. `eirCodec` is the codec contract
 * (src/core/codec.ts) over the whole 240-octet field: `decodeEir` takes exactly
 * `EIR_LENGTH` octets and fails with `DecodeError` on a structure that runs past the end or a
 * non-zero octet after the significant part, so that it is canonical (`encode(decode(b))` is `b`);
 * `encodeEirInto` writes the structures and zero padding, and throws `ArgumentError` when they do
 * not fit (`buildEir` instead leaves out what does not fit).
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec, fromUtf8, hex } from '../../core/index.js';

/** Octets of the Extended_Inquiry_Response parameter (Core v5.4 Vol 4 Part E §7.3.56). */
export const EIR_LENGTH = 240;

export const EIR_TYPE = {
  FLAGS: 0x01,
  INCOMPLETE_LIST_16_BIT_SERVICE_UUIDS: 0x02,
  COMPLETE_LIST_16_BIT_SERVICE_UUIDS: 0x03,
  SHORTENED_LOCAL_NAME: 0x08,
  COMPLETE_LOCAL_NAME: 0x09,
  TX_POWER_LEVEL: 0x0a,
  MANUFACTURER_SPECIFIC_DATA: 0xff,
} as const;

export interface EirStructure {
  readonly type: number;
  readonly data: Uint8Array;
}

export function parseEir(b: Uint8Array): EirStructure[] {
  const out: EirStructure[] = [];
  let i = 0;
  while (i < b.length) {
    const len = b[i];
    if (len === 0 || i + 1 + len > b.length) break;
    out.push({ type: b[i + 1], data: b.subarray(i + 2, i + 1 + len) });
    i += 1 + len;
  }
  return out;
}

/** The Complete Local Name, else the Shortened Local Name, else undefined. */
export function eirName(b: Uint8Array): string | undefined {
  const s = parseEir(b);
  const name = s.find((x) => x.type === EIR_TYPE.COMPLETE_LOCAL_NAME) ?? s.find((x) => x.type === EIR_TYPE.SHORTENED_LOCAL_NAME);
  return name ? fromUtf8(name.data) : undefined;
}

/** Builds EIR data padded with zeros to `size` octets (240 for Write Extended Inquiry Response). */
export function buildEir(structures: readonly EirStructure[], size = 240): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  for (const s of structures) {
    if (i + 2 + s.data.length > size) break;
    out[i] = 1 + s.data.length;
    out[i + 1] = s.type;
    out.set(s.data, i + 2);
    i += 2 + s.data.length;
  }
  return out;
}

/** Always `EIR_LENGTH`: the structures and the zero padding after them. */
export function eirLength(_structures: readonly EirStructure[]): number {
  return EIR_LENGTH;
}

function significantLength(structures: readonly EirStructure[]): number {
  let n = 0;
  for (const s of structures) n += 2 + s.data.length;
  return n;
}

export function encodeEirInto(structures: readonly EirStructure[], out: Uint8Array, offset: number): number {
  const used = significantLength(structures);
  if (used > EIR_LENGTH) throw new ArgumentError(`EIR structures take ${used} octets, at most ${EIR_LENGTH} fit`);
  const w = new ByteWriter(out, offset);
  for (const s of structures) {
    if (!Number.isInteger(s.type) || s.type < 0 || s.type > 0xff) throw new ArgumentError(`an EIR data type is 0..255, got ${s.type}`);
    w.u8(1 + s.data.length).u8(s.type).put(s.data);
  }
  w.put(new Uint8Array(EIR_LENGTH - used));
  return EIR_LENGTH;
}

export function decodeEir(bytes: Uint8Array): EirStructure[] {
  const r = new ByteReader(bytes, 'hci', 'extended inquiry response');
  if (bytes.length !== EIR_LENGTH) r.fail(`the field is ${EIR_LENGTH} octets, got ${bytes.length}`);
  const out: EirStructure[] = [];
  while (r.remaining > 0) {
    const len = r.u8('EIR structure length');
    if (len === 0) break;
    const type = r.u8('EIR data type');
    out.push({ type, data: r.bytesN(len - 1, 'EIR data') });
  }
  const padding = r.offset;
  for (let i = padding; i < bytes.length; i++) if (bytes[i] !== 0) r.fail('a non-zero octet after the significant part', i);
  return out;
}

export function describeEir(structures: readonly EirStructure[]): string {
  return `EIR [${structures.map((s) => `0x${s.type.toString(16).padStart(2, '0')}:${hex(s.data)}`).join(' ')}]`;
}

export const eirCodec: Codec<readonly EirStructure[]> = defineCodec({
  name: 'extended inquiry response',
  length: eirLength,
  encodeInto: encodeEirInto,
  decode: decodeEir,
  describe: describeEir,
});
