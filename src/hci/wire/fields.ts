/**
 * The field-spec engine behind the table-driven HCI command and event codecs (DESIGN.md rule 4).
 *
 * Core v5.4 Vol 4 Part E §5.4.1 (command packet), §5.4.4 (event packet): parameters are packed in
 * the order listed, little-endian, with no padding. One list of `Field`s per command/event gives
 * `decodeFields`, `encodeFields`, `fieldsLength` and `describeFields` (and, in the tests, the
 * fast-check arbitrary). Field kinds:
 *   uint 1/2/3/4 octets (3 = Class_Of_Device, LAP), int8 (RSSI, TX power), bdaddr (6 octets, LSB
 *   first), bytes(n) (link key 16, features 8 …), string(n) (UTF-8, NUL-padded to n: Local_Name 248),
 *   array (a u8 count then that many records).
 *
 * Arrays are laid out record by record (Num_Responses, then BD_ADDR[0], Page_Scan_Repetition_Mode[0],
 * …, then BD_ADDR[1] …), which is what controllers send and what Core v5.4 Vol 4 Part E §5.2 states
 * for parameters that repeat per array index. Every capture at hand has counts of 0 or 1, where both
 * readings agree.
 *
 * Contract: decoding is canonical. It succeeds only when re-encoding the value gives the same bytes
 * (a string must be valid UTF-8 followed by NUL bytes only), so `encode(decode(b))` equals `b`
 * whenever `decode` succeeds; otherwise it throws `DecodeError` and the caller keeps the raw bytes.
 * Encoding checks ranges and sizes and throws `ArgumentError` on a bad value.
 */
import { ArgumentError, type BdAddr, bdAddrFromBytes, bdAddrToBytes, ByteReader, ByteWriter, bytesEqual, fromUtf8, hex, utf8 } from '../../core/index.js';
import { statusName } from './status-codes.js';

export type FieldType =
  | { readonly kind: 'uint'; readonly size: 1 | 2 | 3 | 4; readonly show: 'dec' | 'hex' | 'status' }
  | { readonly kind: 'int8' }
  | { readonly kind: 'bdaddr' }
  | { readonly kind: 'bytes'; readonly size: number }
  | { readonly kind: 'string'; readonly size: number }
  | { readonly kind: 'array'; readonly fields: readonly Field[] };

export interface Field {
  readonly name: string;
  readonly type: FieldType;
}

export type FieldValue<T extends FieldType> = T extends { kind: 'uint' | 'int8' }
  ? number
  : T extends { kind: 'bdaddr' }
    ? BdAddr
    : T extends { kind: 'bytes' }
      ? Uint8Array
      : T extends { kind: 'string' }
        ? string
        : T extends { kind: 'array'; fields: infer F extends readonly Field[] }
          ? readonly FieldValues<F>[]
          : never;

export type FieldValues<F extends readonly Field[]> = { readonly [K in F[number] as K['name']]: FieldValue<K['type']> };

/** Values as the engine sees them at run time. */
export type AnyValues = Readonly<Record<string, unknown>>;

export const U8 = { kind: 'uint', size: 1, show: 'dec' } as const;
export const U8X = { kind: 'uint', size: 1, show: 'hex' } as const;
export const U16 = { kind: 'uint', size: 2, show: 'dec' } as const;
export const U16X = { kind: 'uint', size: 2, show: 'hex' } as const;
export const U24X = { kind: 'uint', size: 3, show: 'hex' } as const;
export const U32 = { kind: 'uint', size: 4, show: 'dec' } as const;
export const STATUS = { kind: 'uint', size: 1, show: 'status' } as const;
export const I8 = { kind: 'int8' } as const;
export const BDADDR = { kind: 'bdaddr' } as const;

export function bytes<const N extends number>(size: N): { readonly kind: 'bytes'; readonly size: N } {
  return { kind: 'bytes', size };
}
export function text<const N extends number>(size: N): { readonly kind: 'string'; readonly size: N } {
  return { kind: 'string', size };
}
export function array<const F extends readonly Field[]>(...fields: F): { readonly kind: 'array'; readonly fields: F } {
  return { kind: 'array', fields };
}
export function field<const N extends string, const T extends FieldType>(name: N, type: T): { readonly name: N; readonly type: T } {
  return { name, type };
}

/** Octets of one record of `fields` when it holds no array (arrays are only ever top-level). */
function fixedLength(fields: readonly Field[]): number {
  let n = 0;
  for (const f of fields) n += typeLength(f.type, undefined);
  return n;
}

function typeLength(t: FieldType, v: unknown): number {
  switch (t.kind) {
    case 'uint':
      return t.size;
    case 'int8':
      return 1;
    case 'bdaddr':
      return 6;
    case 'bytes':
    case 'string':
      return t.size;
    case 'array':
      return 1 + (Array.isArray(v) ? v.length : 0) * fixedLength(t.fields);
  }
}

export function fieldsLength(fields: readonly Field[], values: AnyValues): number {
  let n = 0;
  for (const f of fields) n += typeLength(f.type, values[f.name]);
  return n;
}

export function decodeFields(fields: readonly Field[], r: ByteReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = decodeType(f, r);
  return out;
}

function decodeType(f: Field, r: ByteReader): unknown {
  const t = f.type;
  switch (t.kind) {
    case 'uint':
      if (t.size === 1) return r.u8(f.name);
      if (t.size === 2) return r.u16le(f.name);
      if (t.size === 3) return r.u24le(f.name);
      return r.u32le(f.name);
    case 'int8':
      return (r.u8(f.name) << 24) >> 24;
    case 'bdaddr': {
      r.need(6, f.name);
      const a = bdAddrFromBytes(r.bytes, r.offset);
      r.offset += 6;
      return a;
    }
    case 'bytes':
      return r.bytesN(t.size, f.name);
    case 'string': {
      const at = r.offset;
      const raw = r.bytesN(t.size, f.name);
      const s = decodeNulPadded(raw);
      if (!bytesEqual(encodeNulPadded(s, t.size), raw)) r.fail(`${f.name} is not NUL-padded UTF-8`, at);
      return s;
    }
    case 'array': {
      const n = r.u8(`${f.name} count`);
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) items.push(decodeFields(t.fields, r));
      return items;
    }
  }
}

export function encodeFields(fields: readonly Field[], values: AnyValues, w: ByteWriter): void {
  for (const f of fields) encodeType(f, values[f.name], w);
}

function encodeType(f: Field, v: unknown, w: ByteWriter): void {
  const t = f.type;
  switch (t.kind) {
    case 'uint': {
      const max = 2 ** (8 * t.size) - 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(f, v, `an integer 0..${max}`);
      if (t.size === 1) w.u8(v);
      else if (t.size === 2) w.u16le(v);
      else if (t.size === 3) w.u24le(v);
      else w.u32le(v);
      return;
    }
    case 'int8':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -128 || v > 127) bad(f, v, 'an integer -128..127');
      w.u8(v & 0xff);
      return;
    case 'bdaddr':
      if (typeof v !== 'string') bad(f, v, 'a Bluetooth address');
      w.put(bdAddrToBytes(v));
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array) || v.length !== t.size) bad(f, v, `${t.size} bytes`);
      w.put(v);
      return;
    case 'string':
      if (typeof v !== 'string' || utf8(v).length > t.size || v.includes('\0')) bad(f, v, `a string of at most ${t.size} UTF-8 bytes without NUL`);
      w.put(encodeNulPadded(v, t.size));
      return;
    case 'array': {
      if (!Array.isArray(v) || v.length > 255) bad(f, v, 'an array of at most 255 records');
      w.u8(v.length);
      for (const item of v) encodeFields(t.fields, item as AnyValues, w);
      return;
    }
  }
}

function bad(f: Field, v: unknown, expected: string): never {
  const shown = v instanceof Uint8Array ? `${v.length} bytes` : JSON.stringify(v);
  throw new ArgumentError(`HCI parameter ${f.name} must be ${expected}, got ${shown}`);
}

/** The text before the first NUL (the whole field when there is none), decoded as UTF-8. */
export function decodeNulPadded(raw: Uint8Array): string {
  const end = raw.indexOf(0);
  return fromUtf8(end < 0 ? raw : raw.subarray(0, end));
}

export function encodeNulPadded(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const b = utf8(s);
  out.set(b.subarray(0, size));
  return out;
}

const BYTES_SHOWN = 32;

export function describeFields(fields: readonly Field[], values: AnyValues): string {
  return fields.map((f) => `${f.name}=${describeValue(f.type, values[f.name])}`).join(' ');
}

function describeValue(t: FieldType, v: unknown): string {
  switch (t.kind) {
    case 'uint': {
      const n = v as number;
      if (t.show === 'dec') return String(n);
      const h = '0x' + n.toString(16).padStart(t.size * 2, '0');
      return t.show === 'status' ? `${h}(${statusName(n)})` : h;
    }
    case 'int8':
      return String(v);
    case 'bdaddr':
      return String(v);
    case 'bytes': {
      const b = v as Uint8Array;
      return b.length > BYTES_SHOWN ? `${hex(b.subarray(0, BYTES_SHOWN))}…(${b.length})` : hex(b);
    }
    case 'string':
      return JSON.stringify(v);
    case 'array':
      return '[' + (v as AnyValues[]).map((item) => describeFields(t.fields, item)).join('; ') + ']';
  }
}

/** Decodes `params` against `fields`, requiring every byte to be used. */
export function decodeAll(fields: readonly Field[], params: Uint8Array, structure: string): Record<string, unknown> {
  const r = new ByteReader(params, 'hci', structure);
  const v = decodeFields(fields, r);
  r.done();
  return v;
}

export function encodeAll(fields: readonly Field[], values: AnyValues): Uint8Array {
  const w = ByteWriter.alloc(fieldsLength(fields, values));
  encodeFields(fields, values, w);
  return w.result();
}
