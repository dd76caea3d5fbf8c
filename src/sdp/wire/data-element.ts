/**
 * SDP data elements (Core v5.4 Vol 3 Part B §3): the self-describing values that attribute values,
 * search patterns and attribute lists are made of.
 *
 * Layout: a header byte `type(5 bits) | size index(3 bits)`, then, for size indices 5/6/7, a
 * big-endian length of 1/2/4 bytes, then the data.
 *
 *   type 0 nil          size index 0 only (no data)
 *   type 1 unsigned int size index 0..4 → 1, 2, 4, 8, 16 bytes
 *   type 2 signed int   size index 0..4 → 1, 2, 4, 8, 16 bytes (two's complement)
 *   type 3 UUID         size index 1, 2, 4 → 16-, 32-, 128-bit
 *   type 4 text         size index 5, 6, 7 (bytes, normally UTF-8)
 *   type 5 boolean      size index 0 (0x00 false, 0x01 true)
 *   type 6 sequence     size index 5, 6, 7 (data = the contained elements)
 *   type 7 alternative  size index 5, 6, 7 (data = the contained elements)
 *   type 8 URL          size index 5, 6, 7
 *   types 9..31 are reserved.
 *
 * Codec contract (src/core/codec.ts, `dataElementCodec`): `decodeDataElement` returns a value or throws `DecodeError`, for any bytes.
 * Sizes are checked against the bytes present (a sequence never reaches past its own length nor its
 * parent's), nesting of sequences/alternatives is capped (default 32, S6), and the repr keeps the
 * length size that was used, so `encode(decode(b))` is `b` byte for byte. Encoding a repr without
 * `lengthSize` picks the smallest length field that fits.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec, Uuid, fromUtf8, hex } from '../../core/index.js';

export type LengthSize = 1 | 2 | 4;
export type SmallIntSize = 1 | 2 | 4;
export type BigIntSize = 8 | 16;

export type DataElement =
  | { readonly type: 'nil' }
  | { readonly type: 'uint'; readonly size: SmallIntSize; readonly value: number }
  | { readonly type: 'uint'; readonly size: BigIntSize; readonly value: bigint }
  | { readonly type: 'int'; readonly size: SmallIntSize; readonly value: number }
  | { readonly type: 'int'; readonly size: BigIntSize; readonly value: bigint }
  | { readonly type: 'uuid'; readonly value: Uuid }
  | { readonly type: 'text'; readonly bytes: Uint8Array; readonly lengthSize?: LengthSize }
  | { readonly type: 'url'; readonly bytes: Uint8Array; readonly lengthSize?: LengthSize }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'sequence'; readonly items: readonly DataElement[]; readonly lengthSize?: LengthSize }
  | { readonly type: 'alternative'; readonly items: readonly DataElement[]; readonly lengthSize?: LengthSize };

export type DataElementType = DataElement['type'];

/** Type descriptors (§3.2, Table 3.1). */
export const DATA_ELEMENT_TYPE = {
  nil: 0,
  uint: 1,
  int: 2,
  uuid: 3,
  text: 4,
  bool: 5,
  sequence: 6,
  alternative: 7,
  url: 8,
} as const;

export const DEFAULT_MAX_NESTING = 32;

export interface DataElementDecodeOptions {
  /** Deepest allowed nesting of sequences and alternatives (default 32). */
  readonly maxNesting?: number;
}

const INT_SIZES = [1, 2, 4, 8, 16] as const;
const LENGTH_SIZES: Record<number, LengthSize> = { 5: 1, 6: 2, 7: 4 };

/** Decodes exactly one data element spanning all of `bytes`. */
export function decodeDataElement(bytes: Uint8Array, opts: DataElementDecodeOptions = {}): DataElement {
  const r = new ByteReader(bytes, 'sdp', 'data element');
  const el = readDataElement(r, opts);
  r.done();
  return el;
}

/** Reads one data element at the reader's position (for PDU decoders). */
export function readDataElement(r: ByteReader, opts: DataElementDecodeOptions = {}): DataElement {
  return readElement(r, 0, opts.maxNesting ?? DEFAULT_MAX_NESTING);
}

function readElement(r: ByteReader, depth: number, maxNesting: number): DataElement {
  const at = r.offset;
  const header = r.u8('data element header');
  const typeCode = header >> 3;
  const sizeIndex = header & 0x07;
  switch (typeCode) {
    case DATA_ELEMENT_TYPE.nil:
      if (sizeIndex !== 0) r.fail(`nil with size index ${sizeIndex} (only 0 is valid)`, at);
      return { type: 'nil' };
    case DATA_ELEMENT_TYPE.uint:
    case DATA_ELEMENT_TYPE.int:
      return readInteger(r, typeCode === DATA_ELEMENT_TYPE.uint ? 'uint' : 'int', sizeIndex, at);
    case DATA_ELEMENT_TYPE.uuid: {
      const n = sizeIndex === 1 ? 2 : sizeIndex === 2 ? 4 : sizeIndex === 4 ? 16 : 0;
      if (n === 0) r.fail(`UUID with size index ${sizeIndex} (valid: 1, 2, 4)`, at);
      return { type: 'uuid', value: Uuid.fromBytes(r.bytesN(n, 'UUID')) };
    }
    case DATA_ELEMENT_TYPE.bool: {
      if (sizeIndex !== 0) r.fail(`boolean with size index ${sizeIndex} (only 0 is valid)`, at);
      const v = r.u8('boolean');
      if (v > 1) r.fail(`boolean value 0x${v.toString(16)} (valid: 0x00, 0x01)`, at + 1);
      return { type: 'bool', value: v === 1 };
    }
    case DATA_ELEMENT_TYPE.text:
    case DATA_ELEMENT_TYPE.url: {
      const lengthSize = variableLengthSize(r, sizeIndex, at);
      const n = readLength(r, lengthSize);
      const bytes = r.bytesN(n, typeCode === DATA_ELEMENT_TYPE.text ? 'text' : 'URL');
      return { type: typeCode === DATA_ELEMENT_TYPE.text ? 'text' : 'url', bytes, lengthSize };
    }
    case DATA_ELEMENT_TYPE.sequence:
    case DATA_ELEMENT_TYPE.alternative: {
      if (depth >= maxNesting) r.fail(`nesting deeper than ${maxNesting}`, at);
      const lengthSize = variableLengthSize(r, sizeIndex, at);
      const n = readLength(r, lengthSize);
      r.need(n, 'sequence contents');
      const inner = new ByteReader(r.bytes, r.layer, r.structure, r.offset, r.offset + n);
      const items: DataElement[] = [];
      while (inner.remaining > 0) items.push(readElement(inner, depth + 1, maxNesting));
      r.offset += n;
      return { type: typeCode === DATA_ELEMENT_TYPE.sequence ? 'sequence' : 'alternative', items, lengthSize };
    }
    default:
      return r.fail(`reserved data element type ${typeCode}`, at);
  }
}

function variableLengthSize(r: ByteReader, sizeIndex: number, at: number): LengthSize {
  const s = LENGTH_SIZES[sizeIndex];
  if (s === undefined) r.fail(`size index ${sizeIndex} where a length field (5, 6, 7) is required`, at);
  return s;
}

function readLength(r: ByteReader, lengthSize: LengthSize): number {
  return lengthSize === 1 ? r.u8('length') : lengthSize === 2 ? r.u16be('length') : r.u32be('length');
}

function readInteger(r: ByteReader, type: 'uint' | 'int', sizeIndex: number, at: number): DataElement {
  if (sizeIndex > 4) r.fail(`integer with size index ${sizeIndex} (valid: 0..4)`, at);
  const size = INT_SIZES[sizeIndex];
  const b = r.bytesN(size, 'integer');
  if (size === 8 || size === 16) {
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    if (type === 'int') v = BigInt.asIntN(size * 8, v);
    return { type, size, value: v };
  }
  let v = 0;
  for (const x of b) v = v * 256 + x;
  if (type === 'int' && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
  return { type, size, value: v };
}

/** Encoded size in bytes. Throws `ArgumentError` for a repr that cannot be encoded. */
export function dataElementLength(el: DataElement): number {
  switch (el.type) {
    case 'nil':
      return 1;
    case 'uint':
    case 'int':
      return 1 + el.size;
    case 'uuid':
      return 1 + el.value.size;
    case 'bool':
      return 2;
    case 'text':
    case 'url':
      return 1 + lengthFieldSize(el.bytes.length, el.lengthSize) + el.bytes.length;
    case 'sequence':
    case 'alternative': {
      const n = contentLength(el.items);
      return 1 + lengthFieldSize(n, el.lengthSize) + n;
    }
  }
}

function contentLength(items: readonly DataElement[]): number {
  let n = 0;
  for (const it of items) n += dataElementLength(it);
  return n;
}

function lengthFieldSize(n: number, given: LengthSize | undefined): LengthSize {
  const need: LengthSize = n <= 0xff ? 1 : n <= 0xffff ? 2 : 4;
  if (given === undefined) return need;
  if (given < need) throw new ArgumentError(`a ${given}-byte length field cannot hold ${n}: use lengthSize ${need} or omit it`);
  return given;
}

export function encodeDataElement(el: DataElement): Uint8Array {
  const out = new Uint8Array(dataElementLength(el));
  encodeDataElementInto(el, out, 0);
  return out;
}

/** Writes `el` at `offset`; returns the number of octets written (src/core/codec.ts). */
export function encodeDataElementInto(el: DataElement, out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  writeElement(el, w);
  return w.offset - offset;
}

function writeElement(el: DataElement, w: ByteWriter): void {
  switch (el.type) {
    case 'nil':
      w.u8(0);
      return;
    case 'uint':
    case 'int':
      w.u8((DATA_ELEMENT_TYPE[el.type] << 3) | INT_SIZES.indexOf(el.size));
      writeInteger(el, w);
      return;
    case 'uuid': {
      const s = el.value.size;
      w.u8((DATA_ELEMENT_TYPE.uuid << 3) | (s === 2 ? 1 : s === 4 ? 2 : 4));
      w.put(el.value.bytes);
      return;
    }
    case 'bool':
      w.u8(DATA_ELEMENT_TYPE.bool << 3).u8(el.value ? 1 : 0);
      return;
    case 'text':
    case 'url':
      writeHeaderAndLength(w, DATA_ELEMENT_TYPE[el.type], el.bytes.length, el.lengthSize);
      w.put(el.bytes);
      return;
    case 'sequence':
    case 'alternative':
      writeHeaderAndLength(w, DATA_ELEMENT_TYPE[el.type], contentLength(el.items), el.lengthSize);
      for (const it of el.items) writeElement(it, w);
      return;
  }
}

function writeHeaderAndLength(w: ByteWriter, typeCode: number, n: number, given: LengthSize | undefined): void {
  const ls = lengthFieldSize(n, given);
  w.u8((typeCode << 3) | (ls === 1 ? 5 : ls === 2 ? 6 : 7));
  if (ls === 1) w.u8(n);
  else if (ls === 2) w.u16be(n);
  else w.u32be(n);
}

function writeInteger(el: Extract<DataElement, { type: 'uint' | 'int' }>, w: ByteWriter): void {
  const bits = el.size * 8;
  let v: bigint;
  if (typeof el.value === 'bigint') v = el.value;
  else if (Number.isInteger(el.value)) v = BigInt(el.value);
  else throw new ArgumentError(`${el.type}${bits} value ${el.value} is not an integer`);
  const min = el.type === 'uint' ? 0n : -(1n << BigInt(bits - 1));
  const max = el.type === 'uint' ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (v < min || v > max) throw new ArgumentError(`${el.type}${bits} value ${v} is out of range ${min}..${max}`);
  const u = BigInt.asUintN(bits, v);
  for (let i = el.size - 1; i >= 0; i--) w.u8(Number((u >> BigInt(i * 8)) & 0xffn));
}

/** One line, e.g. `seq[uuid 0x1101, uint8 0x03, text "COM"]`. */
export function describeDataElement(el: DataElement): string {
  switch (el.type) {
    case 'nil':
      return 'nil';
    case 'uint':
      return `uint${el.size * 8} 0x${el.value.toString(16)}`;
    case 'int':
      return `int${el.size * 8} ${el.value}`;
    case 'uuid':
      return `uuid ${el.value.toString()}`;
    case 'bool':
      return el.value ? 'true' : 'false';
    case 'text':
      return `text ${JSON.stringify(fromUtf8(el.bytes))}`;
    case 'url':
      return `url ${JSON.stringify(fromUtf8(el.bytes))}`;
    case 'sequence':
      return `seq[${el.items.map(describeDataElement).join(', ')}]`;
    case 'alternative':
      return `alt[${el.items.map(describeDataElement).join(', ')}]`;
  }
}

/** Structural equality of two data elements (UUIDs compared by value across sizes). */
export function dataElementsEqual(a: DataElement, b: DataElement): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'nil':
      return true;
    case 'uint':
    case 'int': {
      const o = b as typeof a;
      return a.size === o.size && BigInt(a.value) === BigInt(o.value);
    }
    case 'uuid':
      return a.value.equals((b as typeof a).value);
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'text':
    case 'url':
      return hex(a.bytes) === hex((b as typeof a).bytes);
    case 'sequence':
    case 'alternative': {
      const o = b as typeof a;
      return a.items.length === o.items.length && a.items.every((x, i) => dataElementsEqual(x, o.items[i]));
    }
  }
}

export const dataElementCodec: Codec<DataElement> = defineCodec({
  name: 'SDP data element',
  length: dataElementLength,
  encodeInto: encodeDataElementInto,
  decode: (bytes) => decodeDataElement(bytes),
  describe: describeDataElement,
});
