/**
 * Configuration options, carried in Configuration Request and Response commands
 * (Core v5.4 Vol 3 Part A §5). Each option is a TLV:
 *
 *   type (1 octet: bit 7 = hint, bits 0–6 = option type) | length (1 octet) | value (length octets)
 *
 * Known types, value fields little-endian (§5.1–§5.7):
 *   0x01 MTU (2): mtu
 *   0x02 Flush Timeout (2): flushTimeout
 *   0x03 QoS (22): flags u8, serviceType u8, tokenRate, tokenBucketSize, peakBandwidth, latency, delayVariation (u32 each)
 *   0x04 Retransmission and Flow Control (9): mode u8, txWindowSize u8, maxTransmit u8,
 *        retransmissionTimeout u16, monitorTimeout u16, maxPduSize u16
 *   0x05 FCS (1): fcsType
 *   0x06 Extended Flow Specification (16): identifier u8, serviceType u8, maxSduSize u16,
 *        sduInterArrivalTime u32, accessLatency u32, flushTimeout u32
 *   0x07 Extended Window Size (2): maxWindowSize
 * Any other type is kept as raw bytes (`unknown`) with its hint bit, so that a response can list
 * it (result 0x0003) and a capture re-encodes byte for byte.
 *
 * Value fields are rows of the stack's one field-spec engine (src/core/fields.ts).
 *
 * Contract (src/core/codec.ts): `decodeConfigOption` takes exactly one option and
 * `decodeConfigOptions` a whole list; both are total (a value or `DecodeError` when a TLV overruns
 * the buffer or a known type has the wrong length). `encodeConfigOptionInto` returns the octets
 * written and is the exact inverse. `configOptionCodec` is one option; `configOptionsCodec` the
 * list a Configuration Request or Response carries (its `options` field).
 */
import {
  ArgumentError,
  ByteReader,
  ByteWriter,
  type Codec,
  decodeFields,
  defineCodec,
  describeFields,
  encodeFields,
  type Field,
  fieldsLength,
  fixedFieldsLength,
  hex,
} from '../../core/index.js';
import { CONFIG_OPTION_HINT } from './constants.js';

interface Hinted {
  readonly hint: boolean;
}
export interface MtuOption extends Hinted {
  readonly type: 'mtu';
  readonly mtu: number;
}
export interface FlushTimeoutOption extends Hinted {
  readonly type: 'flush-timeout';
  readonly flushTimeout: number;
}
export interface QosOption extends Hinted {
  readonly type: 'qos';
  readonly flags: number;
  readonly serviceType: number;
  readonly tokenRate: number;
  readonly tokenBucketSize: number;
  readonly peakBandwidth: number;
  readonly latency: number;
  readonly delayVariation: number;
}
export interface RetransmissionFlowControlOption extends Hinted {
  readonly type: 'retransmission-flow-control';
  readonly mode: number;
  readonly txWindowSize: number;
  readonly maxTransmit: number;
  readonly retransmissionTimeout: number;
  readonly monitorTimeout: number;
  readonly maxPduSize: number;
}
export interface FcsOption extends Hinted {
  readonly type: 'fcs';
  readonly fcsType: number;
}
export interface ExtendedFlowSpecOption extends Hinted {
  readonly type: 'extended-flow-spec';
  readonly identifier: number;
  readonly serviceType: number;
  readonly maxSduSize: number;
  readonly sduInterArrivalTime: number;
  readonly accessLatency: number;
  readonly flushTimeout: number;
}
export interface ExtendedWindowSizeOption extends Hinted {
  readonly type: 'extended-window-size';
  readonly maxWindowSize: number;
}
export interface UnknownOption extends Hinted {
  readonly type: 'unknown';
  /** The option type without the hint bit (0..127). */
  readonly optionType: number;
  readonly data: Uint8Array;
}

export type KnownConfigOption =
  | MtuOption
  | FlushTimeoutOption
  | QosOption
  | RetransmissionFlowControlOption
  | FcsOption
  | ExtendedFlowSpecOption
  | ExtendedWindowSizeOption;
export type ConfigOption = KnownConfigOption | UnknownOption;

export interface ConfigOptionSpec {
  readonly optionType: number;
  readonly type: KnownConfigOption['type'];
  readonly fields: readonly Field[];
}

const U8 = { kind: 'uint', size: 1, show: 'dec' } as const;
const U16 = { kind: 'uint', size: 2, show: 'dec' } as const;
const U32 = { kind: 'uint', size: 4, show: 'dec' } as const;
const KINDS = { u8: U8, u16: U16, u32: U32 } as const;
const f = (name: string, kind: keyof typeof KINDS): Field => ({ name, type: KINDS[kind] });
const LABEL = 'L2CAP field';

/** One row per known option type: the table that drives decode, encode, describe and the tests' arbitraries. */
export const CONFIG_OPTION_SPECS: readonly ConfigOptionSpec[] = [
  { optionType: 0x01, type: 'mtu', fields: [f('mtu', 'u16')] },
  { optionType: 0x02, type: 'flush-timeout', fields: [f('flushTimeout', 'u16')] },
  {
    optionType: 0x03,
    type: 'qos',
    fields: [f('flags', 'u8'), f('serviceType', 'u8'), f('tokenRate', 'u32'), f('tokenBucketSize', 'u32'), f('peakBandwidth', 'u32'), f('latency', 'u32'), f('delayVariation', 'u32')],
  },
  {
    optionType: 0x04,
    type: 'retransmission-flow-control',
    fields: [f('mode', 'u8'), f('txWindowSize', 'u8'), f('maxTransmit', 'u8'), f('retransmissionTimeout', 'u16'), f('monitorTimeout', 'u16'), f('maxPduSize', 'u16')],
  },
  { optionType: 0x05, type: 'fcs', fields: [f('fcsType', 'u8')] },
  {
    optionType: 0x06,
    type: 'extended-flow-spec',
    fields: [f('identifier', 'u8'), f('serviceType', 'u8'), f('maxSduSize', 'u16'), f('sduInterArrivalTime', 'u32'), f('accessLatency', 'u32'), f('flushTimeout', 'u32')],
  },
  { optionType: 0x07, type: 'extended-window-size', fields: [f('maxWindowSize', 'u16')] },
];

const BY_OPTION_TYPE = new Map(CONFIG_OPTION_SPECS.map((s) => [s.optionType, s]));
const BY_TYPE = new Map(CONFIG_OPTION_SPECS.map((s) => [s.type, s]));

function valueLength(o: ConfigOption): number {
  if (o.type === 'unknown') return o.data.length;
  return fieldsLength(BY_TYPE.get(o.type)!.fields, o as unknown as Record<string, unknown>);
}

export function configOptionLength(o: ConfigOption): number {
  return 2 + valueLength(o);
}

export function configOptionsLength(options: readonly ConfigOption[]): number {
  let n = 0;
  for (const o of options) n += configOptionLength(o);
  return n;
}

/** Writes the option at `offset`; returns the number of octets written (src/core/codec.ts). */
export function encodeConfigOptionInto(o: ConfigOption, out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  writeConfigOption(o, w);
  return w.offset - offset;
}

function writeConfigOption(o: ConfigOption, w: ByteWriter): void {
  const len = valueLength(o);
  if (len > 255) throw new ArgumentError(`L2CAP configuration option value is ${len} bytes; at most 255 fit its length octet`);
  const hint = o.hint ? CONFIG_OPTION_HINT : 0;
  if (o.type === 'unknown') {
    if (!Number.isInteger(o.optionType) || o.optionType < 0 || o.optionType > 0x7f) {
      throw new ArgumentError(`L2CAP option type must be 0..127 (the hint is separate), got ${o.optionType}`);
    }
    w.u8(hint | o.optionType).u8(len).put(o.data);
    return;
  }
  const spec = BY_TYPE.get(o.type)!;
  w.u8(hint | spec.optionType).u8(len);
  encodeFields(spec.fields, o as unknown as Record<string, unknown>, w, LABEL);
}

/** Writes the options one after the other at `offset`; returns the number of octets written. */
export function encodeConfigOptionsInto(options: readonly ConfigOption[], out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  for (const o of options) writeConfigOption(o, w);
  return w.offset - offset;
}

export function encodeConfigOptions(options: readonly ConfigOption[]): Uint8Array {
  const out = new Uint8Array(configOptionsLength(options));
  encodeConfigOptionsInto(options, out, 0);
  return out;
}

export function decodeConfigOptions(bytes: Uint8Array): ConfigOption[] {
  const r = new ByteReader(bytes, 'l2cap', 'configuration options');
  const out: ConfigOption[] = [];
  while (r.remaining > 0) out.push(readConfigOption(r));
  return out;
}

/** Exactly one option spanning all of `bytes`. */
export function decodeConfigOption(bytes: Uint8Array): ConfigOption {
  const r = new ByteReader(bytes, 'l2cap', 'configuration option');
  const o = readConfigOption(r);
  r.done();
  return o;
}

function readConfigOption(r: ByteReader): ConfigOption {
  const at = r.offset;
  const typeOctet = r.u8('option type');
  const len = r.u8('option length');
  const value = r.bytesN(len, 'option value');
  const hint = (typeOctet & CONFIG_OPTION_HINT) !== 0;
  const optionType = typeOctet & 0x7f;
  const spec = BY_OPTION_TYPE.get(optionType);
  if (!spec) return { type: 'unknown', hint, optionType, data: value };
  const expected = fixedFieldsLength(spec.fields);
  if (len !== expected) r.fail(`option ${spec.type} must be ${expected} bytes long, not ${len}`, at);
  const vr = new ByteReader(value, 'l2cap', `${spec.type} option`);
  return { type: spec.type, hint, ...decodeFields(spec.fields, vr) } as KnownConfigOption;
}

export function describeConfigOption(o: ConfigOption): string {
  const h = o.hint ? ' hint' : '';
  if (o.type === 'unknown') return `option 0x${o.optionType.toString(16).padStart(2, '0')}${h} ${hex(o.data)}`.trimEnd();
  return `${o.type}${h} ${describeFields(BY_TYPE.get(o.type)!.fields, o as unknown as Record<string, unknown>)}`;
}

export function describeConfigOptions(options: readonly ConfigOption[]): string {
  return options.map(describeConfigOption).join(', ');
}

export const configOptionCodec: Codec<ConfigOption> = defineCodec({
  name: 'L2CAP configuration option',
  length: configOptionLength,
  encodeInto: encodeConfigOptionInto,
  decode: decodeConfigOption,
  describe: describeConfigOption,
});

/** The option list of a Configuration Request or Response: the signaling table's `options` field. */
export const configOptionsCodec: Codec<readonly ConfigOption[]> = defineCodec({
  name: 'L2CAP configuration options',
  length: configOptionsLength,
  encodeInto: encodeConfigOptionsInto,
  decode: decodeConfigOptions,
  describe: describeConfigOptions,
});
