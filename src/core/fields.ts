/**
 * The one field-spec engine behind every table-driven codec (DESIGN.md rule 4): HCI command and
 * event parameters (Core v5.4 Vol 4 Part E §5.4.1, §5.4.4, tables in src/hci/wire/*-specs.ts),
 * L2CAP signaling commands and configuration options (Vol 3 Part A §4, §5). Fields are packed in
 * the order listed, little-endian, with no padding. One list of `Field`s gives `decodeFields`,
 * `encodeFields`, `fieldsLength`, `describeFields` and, in the tests, the fast-check arbitrary.
 *
 * Field kinds:
 *   uint 1/2/3/4 octets, shown in decimal, in hex, or by a function (an HCI status with its name);
 *   int8 (RSSI, TX power); bdaddr (6 octets, LSB first); bytes(n) (a link key: 16); string(n)
 *   (UTF-8, NUL-padded to n: Local_Name 248); array (a u8 count then that many records, each
 *   record's fields together: Core v5.4 Vol 4 Part E §5.2);
 *   rest (every remaining octet, kept raw: an echo's data) and list (every remaining octet,
 *   through a `Codec`: L2CAP configuration options). `rest` and `list` come last.
 *
 * Contract: decoding reads exactly the fields (a `DecodeError` from `ByteReader` when one runs past
 * the end, or from a `list` codec) and is canonical: a string must be valid UTF-8 followed by NUL
 * octets only, so re-encoding a decoded value gives the same bytes. Encoding checks ranges and
 * sizes and throws `ArgumentError` whose `argument` is the field's name (`HCI parameter reason must be …`).
 */
import { type BdAddr, bdAddrFromBytes, bdAddrToBytes } from './address.js';
import { ByteReader, ByteWriter, bytesEqual, fromUtf8, hex, utf8 } from './bytes.js';
import type { Codec } from './codec.js';
import { ArgumentError } from './errors.js';

export type FieldType =
  | { readonly kind: 'uint'; readonly size: 1 | 2 | 3 | 4; readonly show: 'dec' | 'hex' | ((n: number) => string) }
  | { readonly kind: 'int8' }
  | { readonly kind: 'bdaddr' }
  | { readonly kind: 'bytes'; readonly size: number }
  | { readonly kind: 'string'; readonly size: number }
  | { readonly kind: 'array'; readonly fields: readonly Field[] }
  | { readonly kind: 'rest' }
  | { readonly kind: 'list'; readonly codec: Codec<unknown> };

export interface Field {
  readonly name: string;
  readonly type: FieldType;
}

export type FieldValue<T extends FieldType> = T extends { kind: 'uint' | 'int8' }
  ? number
  : T extends { kind: 'bdaddr' }
    ? BdAddr
    : T extends { kind: 'bytes' | 'rest' }
      ? Uint8Array
      : T extends { kind: 'string' }
        ? string
        : T extends { kind: 'array'; fields: infer F extends readonly Field[] }
          ? readonly FieldValues<F>[]
          : T extends { kind: 'list'; codec: Codec<infer V> }
            ? V
            : never;

export type FieldValues<F extends readonly Field[]> = { readonly [K in F[number] as K['name']]: FieldValue<K['type']> };

/** Values as the engine sees them at run time. */
export type AnyValues = Readonly<Record<string, unknown>>;

/** Octets of the fixed part of a record: `rest` and `list` count 0, an array its count octet. */
export function fixedFieldsLength(fields: readonly Field[]): number {
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
      return 1 + (Array.isArray(v) ? v.length : 0) * fixedFieldsLength(t.fields);
    case 'rest':
      return v instanceof Uint8Array ? v.length : 0;
    case 'list':
      return v === undefined ? 0 : t.codec.encodedLength(v);
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
    case 'rest':
      return r.rest();
    case 'list': {
      const result = t.codec.decode(r.rest());
      if (!result.ok) throw result.error;
      return result.value;
    }
  }
}

/** Writes `values` field by field; `label` names them in errors (`'HCI parameter'`, `'L2CAP field'`). */
export function encodeFields(fields: readonly Field[], values: AnyValues, w: ByteWriter, label: string): void {
  for (const f of fields) encodeType(f, values[f.name], w, label);
}

function encodeType(f: Field, v: unknown, w: ByteWriter, label: string): void {
  const t = f.type;
  switch (t.kind) {
    case 'uint': {
      const max = 2 ** (8 * t.size) - 1;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(label, f, v, `an integer 0..${max}`);
      if (t.size === 1) w.u8(v);
      else if (t.size === 2) w.u16le(v);
      else if (t.size === 3) w.u24le(v);
      else w.u32le(v);
      return;
    }
    case 'int8':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -128 || v > 127) bad(label, f, v, 'an integer -128..127');
      w.u8(v & 0xff);
      return;
    case 'bdaddr':
      if (typeof v !== 'string') bad(label, f, v, 'a Bluetooth address');
      w.put(bdAddrToBytes(v));
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array) || v.length !== t.size) bad(label, f, v, `${t.size} bytes`);
      w.put(v);
      return;
    case 'string':
      if (typeof v !== 'string' || utf8(v).length > t.size || v.includes('\0')) bad(label, f, v, `a string of at most ${t.size} UTF-8 bytes without NUL`);
      w.put(encodeNulPadded(v, t.size));
      return;
    case 'array': {
      if (!Array.isArray(v) || v.length > 255) bad(label, f, v, 'an array of at most 255 records');
      w.u8(v.length);
      for (const item of v) encodeFields(t.fields, item as AnyValues, w, label);
      return;
    }
    case 'rest':
      if (!(v instanceof Uint8Array)) bad(label, f, v, 'a Uint8Array');
      w.put(v);
      return;
    case 'list':
      w.offset += t.codec.encodeInto(v, w.bytes, w.offset);
      return;
  }
}

function bad(label: string, f: Field, v: unknown, expected: string): never {
  const shown = v instanceof Uint8Array ? `${v.length} bytes` : JSON.stringify(v);
  throw new ArgumentError(`${label} ${f.name} must be ${expected}, got ${shown}`, { argument: f.name });
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

function shownBytes(b: Uint8Array): string {
  return b.length > BYTES_SHOWN ? `${hex(b.subarray(0, BYTES_SHOWN))}…(${b.length})` : hex(b);
}

/** `name=value` per field, space-separated; an empty `rest` is left out and a `list` is shown in brackets. */
export function describeFields(fields: readonly Field[], values: AnyValues): string {
  const parts: string[] = [];
  for (const f of fields) {
    const v = values[f.name];
    if (f.type.kind === 'rest') {
      if ((v as Uint8Array).length > 0) parts.push(`${f.name}=${shownBytes(v as Uint8Array)}`);
    } else if (f.type.kind === 'list') {
      parts.push(`[${f.type.codec.describe(v)}]`);
    } else {
      parts.push(`${f.name}=${describeValue(f.type, v)}`);
    }
  }
  return parts.join(' ');
}

function describeValue(t: Exclude<FieldType, { kind: 'rest' | 'list' }>, v: unknown): string {
  switch (t.kind) {
    case 'uint': {
      const n = v as number;
      if (t.show === 'dec') return String(n);
      if (t.show === 'hex') return '0x' + n.toString(16).padStart(t.size * 2, '0');
      return t.show(n);
    }
    case 'int8':
    case 'bdaddr':
      return String(v);
    case 'bytes':
      return shownBytes(v as Uint8Array);
    case 'string':
      return JSON.stringify(v);
    case 'array':
      return '[' + (v as AnyValues[]).map((item) => describeFields(t.fields, item)).join('; ') + ']';
  }
}

/** Decodes all of `bytes` against `fields`, requiring every octet to be used. */
export function decodeAll(fields: readonly Field[], bytes: Uint8Array, layer: string, structure: string): Record<string, unknown> {
  const r = new ByteReader(bytes, layer, structure);
  const v = decodeFields(fields, r);
  r.done();
  return v;
}

export function encodeAll(fields: readonly Field[], values: AnyValues, label: string): Uint8Array {
  const w = ByteWriter.alloc(fieldsLength(fields, values));
  encodeFields(fields, values, w, label);
  return w.result();
}
