/**
 * The field-spec engine behind the table-driven L2CAP signaling and configuration-option codecs
 * (DESIGN.md rule 4). Core v5.4 Vol 3 Part A §4 (signaling command data) and §5 (option values):
 * fields are packed in order, little-endian, with no padding.
 *
 * Field kinds: `u8`, `u16`, `u32` (shown in decimal), `u16x` (a CID or PSM, shown in hex),
 * `data` (every remaining byte, kept raw) and `options` (every remaining byte, decoded as
 * configuration options by the caller-supplied codec). `data` and `options` come last.
 *
 * Contract: `decodeFields` reads exactly the fields and throws `DecodeError` (via `ByteReader`)
 * when a fixed field runs past the end; `encodeFields` throws `ArgumentError` for a value out of
 * range. `fieldsLength` is the encoded size. The test arbitraries are generated from the same
 * tables.
 */
import { ArgumentError, ByteReader, ByteWriter, hex } from '../../core/index.js';

export type FieldKind = 'u8' | 'u16' | 'u16x' | 'u32' | 'data' | 'options';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
}

/** How `options` fields are coded; supplied by the configuration-option module. */
export interface OptionsCodec {
  decode(bytes: Uint8Array): unknown;
  encodeInto(options: unknown, w: ByteWriter): void;
  length(options: unknown): number;
  describe(options: unknown): string;
}

const UINT_SIZE = { u8: 1, u16: 2, u16x: 2, u32: 4 } as const;

export function fieldsLength(fields: readonly FieldSpec[], values: Readonly<Record<string, unknown>>, options?: OptionsCodec): number {
  let n = 0;
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'data') n += v instanceof Uint8Array ? v.length : 0;
    else if (f.kind === 'options') n += options ? options.length(v) : 0;
    else n += UINT_SIZE[f.kind];
  }
  return n;
}

export function decodeFields(fields: readonly FieldSpec[], r: ByteReader, options?: OptionsCodec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    switch (f.kind) {
      case 'u8':
        out[f.name] = r.u8(f.name);
        break;
      case 'u16':
      case 'u16x':
        out[f.name] = r.u16le(f.name);
        break;
      case 'u32':
        out[f.name] = r.u32le(f.name);
        break;
      case 'data':
        out[f.name] = r.rest();
        break;
      case 'options':
        if (!options) r.fail(`no codec for ${f.name}`);
        out[f.name] = options.decode(r.rest());
        break;
    }
  }
  return out;
}

export function encodeFields(fields: readonly FieldSpec[], values: Readonly<Record<string, unknown>>, w: ByteWriter, options?: OptionsCodec): void {
  for (const f of fields) {
    const v = values[f.name];
    switch (f.kind) {
      case 'u8':
        w.u8(checkUint(f, v, 1));
        break;
      case 'u16':
      case 'u16x':
        w.u16le(checkUint(f, v, 2));
        break;
      case 'u32':
        w.u32le(checkUint(f, v, 4));
        break;
      case 'data':
        if (!(v instanceof Uint8Array)) throw new ArgumentError(`L2CAP field ${f.name} must be a Uint8Array`);
        w.put(v);
        break;
      case 'options':
        if (!options) throw new ArgumentError(`no codec for L2CAP field ${f.name}`);
        options.encodeInto(v, w);
        break;
    }
  }
}

export function describeFields(fields: readonly FieldSpec[], values: Readonly<Record<string, unknown>>, options?: OptionsCodec): string {
  const parts: string[] = [];
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'data') {
      const b = v as Uint8Array;
      if (b.length > 0) parts.push(`${f.name}=${hex(b.subarray(0, 32))}${b.length > 32 ? `…(${b.length})` : ''}`);
    } else if (f.kind === 'options') {
      if (options) parts.push(`[${options.describe(v)}]`);
    } else if (f.kind === 'u16x') {
      parts.push(`${f.name}=0x${(v as number).toString(16).padStart(4, '0')}`);
    } else {
      parts.push(`${f.name}=${v as number}`);
    }
  }
  return parts.join(' ');
}

function checkUint(f: FieldSpec, v: unknown, size: number): number {
  const max = 2 ** (8 * size) - 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new ArgumentError(`L2CAP field ${f.name} must be an integer 0..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}
