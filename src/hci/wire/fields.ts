/**
 * The field kinds of the HCI command and event tables (`command-specs.ts`, `event-specs.ts`), on
 * the one field-spec engine of the stack (src/core/fields.ts, DESIGN.md rule 4).
 *
 * Core v5.4 Vol 4 Part E §5.4.1 (command packet), §5.4.4 (event packet): parameters are packed in
 * the order listed, little-endian, with no padding. Kinds: uint 1/2/3/4 octets (3 =
 * Class_Of_Device, LAP), int8 (RSSI, TX power), bdaddr (6 octets, LSB first), bytes(n) (link key
 * 16, features 8 …), string(n) (UTF-8, NUL-padded to n: Local_Name 248), array (a u8 count then
 * that many records).
 *
 * Arrays are laid out record by record (Num_Responses, then BD_ADDR[0], Page_Scan_Repetition_Mode[0],
 * …, then BD_ADDR[1] …), which is what controllers send and what Core v5.4 Vol 4 Part E §5.2 states
 * for parameters that repeat per array index. Every capture at hand has counts of 0 or 1, where both
 * readings agree.
 *
 * Contract (the engine's): decoding is canonical, so `encode(decode(b))` equals `b` whenever
 * `decode` succeeds; otherwise it throws `DecodeError` and the caller keeps the raw bytes. Encoding
 * checks ranges and sizes and throws `ArgumentError` (`HCI parameter … must be …`).
 */
import {
  type AnyValues,
  type ByteWriter,
  decodeAll as decodeAllFields,
  encodeAll as encodeAllFields,
  encodeFields as encodeAllFieldsInto,
  type Field,
  type FieldType,
} from '../../core/index.js';
import { statusName } from './status-codes.js';

export { type AnyValues, decodeNulPadded, describeFields, encodeNulPadded, type Field, fieldsLength, type FieldType, type FieldValue, type FieldValues } from '../../core/index.js';

export const U8 = { kind: 'uint', size: 1, show: 'dec' } as const;
export const U8X = { kind: 'uint', size: 1, show: 'hex' } as const;
export const U16 = { kind: 'uint', size: 2, show: 'dec' } as const;
export const U16X = { kind: 'uint', size: 2, show: 'hex' } as const;
export const U24X = { kind: 'uint', size: 3, show: 'hex' } as const;
export const U32 = { kind: 'uint', size: 4, show: 'dec' } as const;
/** A controller status (Core v5.4 Vol 1 Part F), shown in hex with its name. */
export const STATUS = { kind: 'uint', size: 1, show: (n: number): string => `0x${n.toString(16).padStart(2, '0')}(${statusName(n)})` } as const;
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

const LABEL = 'HCI parameter';

export function encodeFields(fields: readonly Field[], values: AnyValues, w: ByteWriter): void {
  encodeAllFieldsInto(fields, values, w, LABEL);
}

/** Decodes `params` against `fields`, requiring every byte to be used. */
export function decodeAll(fields: readonly Field[], params: Uint8Array, structure: string): Record<string, unknown> {
  return decodeAllFields(fields, params, 'hci', structure);
}

export function encodeAll(fields: readonly Field[], values: AnyValues): Uint8Array {
  return encodeAllFields(fields, values, LABEL);
}
