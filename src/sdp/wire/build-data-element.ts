/**
 * Short constructors for data elements (Core v5.4 Vol 3 Part B §3), so records read like the spec
 * tables: `sequence(uuid16(0x0100), uint16(psm))`. Integer constructors check their range when
 * encoded (`ArgumentError`).
 */
import { Uuid, utf8 } from '../../core/index.js';
import type { DataElement, LengthSize } from './data-element.js';

export const nil = (): DataElement => ({ type: 'nil' });
export const uint8 = (value: number): DataElement => ({ type: 'uint', size: 1, value });
export const uint16 = (value: number): DataElement => ({ type: 'uint', size: 2, value });
export const uint32 = (value: number): DataElement => ({ type: 'uint', size: 4, value });
export const uint64 = (value: bigint): DataElement => ({ type: 'uint', size: 8, value });
export const uint128 = (value: bigint): DataElement => ({ type: 'uint', size: 16, value });
export const int8 = (value: number): DataElement => ({ type: 'int', size: 1, value });
export const int16 = (value: number): DataElement => ({ type: 'int', size: 2, value });
export const int32 = (value: number): DataElement => ({ type: 'int', size: 4, value });
export const int64 = (value: bigint): DataElement => ({ type: 'int', size: 8, value });
export const int128 = (value: bigint): DataElement => ({ type: 'int', size: 16, value });
export const uuid = (value: Uuid): DataElement => ({ type: 'uuid', value });
export const uuid16 = (value: number): DataElement => ({ type: 'uuid', value: Uuid.from16(value) });
export const bool = (value: boolean): DataElement => ({ type: 'bool', value });
export const text = (value: string, lengthSize?: LengthSize): DataElement => ({ type: 'text', bytes: utf8(value), lengthSize });
export const url = (value: string, lengthSize?: LengthSize): DataElement => ({ type: 'url', bytes: utf8(value), lengthSize });
export const sequence = (...items: DataElement[]): DataElement => ({ type: 'sequence', items });
export const alternative = (...items: DataElement[]): DataElement => ({ type: 'alternative', items });
