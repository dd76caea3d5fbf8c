/**
 * L2CAP signaling commands on the BR/EDR signaling channel, CID 0x0001
 * (Core v5.4 Vol 3 Part A §4). A C-frame's payload holds one or more commands:
 *
 *   code (1) | identifier (1) | length (2, LE, of data) | data (length octets)
 *
 * Every BR/EDR basic-mode command is a row of `SIGNAL_SPECS` (code, name, fields):
 *   0x01 Command Reject          reason, data (0x0000: none; 0x0001: actual MTUsig u16; 0x0002: local CID, remote CID)
 *   0x02 Connection Request      psm, scid
 *   0x03 Connection Response     dcid, scid, result, status
 *   0x04 Configuration Request   dcid, flags, options…
 *   0x05 Configuration Response  scid, flags, result, options…
 *   0x06 Disconnection Request   dcid, scid
 *   0x07 Disconnection Response  dcid, scid
 *   0x08 Echo Request            data…
 *   0x09 Echo Response           data…
 *   0x0a Information Request     infoType
 *   0x0b Information Response    infoType, result, data (success: type 1 → 2 octets, 2 → 4, 3 → 8)
 * Any other code decodes as `unknown` (raw data), so that the receiver can reject it and a capture
 * re-encodes byte for byte.
 *
 * `describeSignal` shows a Command Reject's data by reason (`mtuSig=672`; `localCid=0x0040
 * remoteCid=0x0041`); the decoded object keeps the raw `data` either way.
 *
 * Every row's fields are read and written by the stack's one field-spec engine (src/core/fields.ts).
 *
 * Contract (src/core/codec.ts, `signalCodec`): `decodeSignal` takes exactly one command and is
 * total (a value or `DecodeError`: short header, length field ≠ data present, data too short or too
 * long for the code, bad options); `encodeSignalInto` returns the octets written.
 * `decodeSignalingFrame` splits a C-frame payload into complete commands (each decoded or marked
 * malformed) plus the truncated tail, never throwing. `firstRequestIdentifier` finds, from the
 * command headers alone, the identifier a Command Reject 0x0001 must carry for a C-frame larger
 * than MTUsig (§4.1: that of the first request; none when the frame holds only responses).
 */
import {
  ByteReader,
  ByteWriter,
  type Codec,
  DecodeError,
  decodeFields,
  defineCodec,
  describeFields,
  encodeFields,
  type Field,
  fieldsLength,
  hex,
  u16le,
} from '../../core/index.js';
import { type ConfigOption, configOptionsCodec } from './config-option.js';
import { INFO_RESULT, INFO_TYPE, REJECT_REASON, SIGNAL_CODE } from './constants.js';

interface SignalBase {
  readonly identifier: number;
}
export interface CommandReject extends SignalBase {
  readonly type: 'command-reject';
  readonly reason: number;
  readonly data: Uint8Array;
}
export interface ConnectionRequest extends SignalBase {
  readonly type: 'connection-request';
  readonly psm: number;
  readonly scid: number;
}
export interface ConnectionResponse extends SignalBase {
  readonly type: 'connection-response';
  readonly dcid: number;
  readonly scid: number;
  readonly result: number;
  readonly status: number;
}
export interface ConfigurationRequest extends SignalBase {
  readonly type: 'configuration-request';
  readonly dcid: number;
  readonly flags: number;
  readonly options: readonly ConfigOption[];
}
export interface ConfigurationResponse extends SignalBase {
  readonly type: 'configuration-response';
  readonly scid: number;
  readonly flags: number;
  readonly result: number;
  readonly options: readonly ConfigOption[];
}
export interface DisconnectionRequest extends SignalBase {
  readonly type: 'disconnection-request';
  readonly dcid: number;
  readonly scid: number;
}
export interface DisconnectionResponse extends SignalBase {
  readonly type: 'disconnection-response';
  readonly dcid: number;
  readonly scid: number;
}
export interface EchoRequest extends SignalBase {
  readonly type: 'echo-request';
  readonly data: Uint8Array;
}
export interface EchoResponse extends SignalBase {
  readonly type: 'echo-response';
  readonly data: Uint8Array;
}
export interface InformationRequest extends SignalBase {
  readonly type: 'information-request';
  readonly infoType: number;
}
export interface InformationResponse extends SignalBase {
  readonly type: 'information-response';
  readonly infoType: number;
  readonly result: number;
  readonly data: Uint8Array;
}
/** A command whose code this stack does not implement. */
export interface UnknownSignal extends SignalBase {
  readonly type: 'unknown';
  readonly code: number;
  readonly data: Uint8Array;
}

export type KnownSignal =
  | CommandReject
  | ConnectionRequest
  | ConnectionResponse
  | ConfigurationRequest
  | ConfigurationResponse
  | DisconnectionRequest
  | DisconnectionResponse
  | EchoRequest
  | EchoResponse
  | InformationRequest
  | InformationResponse;
export type L2capSignal = KnownSignal | UnknownSignal;

export interface SignalSpec {
  readonly code: number;
  readonly type: KnownSignal['type'];
  /** Short name for one-line descriptions. */
  readonly name: string;
  readonly fields: readonly Field[];
  /** The only length the trailing `data` field may have, given the fixed fields (when constrained). */
  readonly dataLength?: (values: Readonly<Record<string, unknown>>) => number | undefined;
  /** The trailing `data` shown as named fields, given the fixed fields (undefined: shown raw). */
  readonly describeData?: (values: Readonly<Record<string, unknown>>) => string | undefined;
}

/** Field kinds of the table: integers in decimal, a CID or PSM in hex, the trailing data raw, configuration options. */
const KINDS = {
  u16: { kind: 'uint', size: 2, show: 'dec' },
  u16x: { kind: 'uint', size: 2, show: 'hex' },
  data: { kind: 'rest' },
  options: { kind: 'list', codec: configOptionsCodec as Codec<unknown> },
} as const;
const f = (name: string, kind: keyof typeof KINDS): Field => ({ name, type: KINDS[kind] });
const LABEL = 'L2CAP field';

const REJECT_DATA_LENGTH: Readonly<Record<number, number>> = {
  [REJECT_REASON.COMMAND_NOT_UNDERSTOOD]: 0,
  [REJECT_REASON.SIGNALING_MTU_EXCEEDED]: 2,
  [REJECT_REASON.INVALID_CID_IN_REQUEST]: 4,
};
/** Command Reject data by reason (§4.1): actual MTUsig; the request's (local, remote) CIDs as received. */
function describeRejectData(v: Readonly<Record<string, unknown>>): string | undefined {
  const d = v.data as Uint8Array;
  if (d.length !== REJECT_DATA_LENGTH[v.reason as number]) return undefined;
  const cid = (at: number): string => `0x${u16le(d, at).toString(16).padStart(4, '0')}`;
  switch (v.reason) {
    case REJECT_REASON.COMMAND_NOT_UNDERSTOOD:
      return '';
    case REJECT_REASON.SIGNALING_MTU_EXCEEDED:
      return `mtuSig=${u16le(d, 0)}`;
    default:
      return `localCid=${cid(0)} remoteCid=${cid(2)}`;
  }
}
const INFO_DATA_LENGTH: Readonly<Record<number, number>> = {
  [INFO_TYPE.CONNECTIONLESS_MTU]: 2,
  [INFO_TYPE.EXTENDED_FEATURES]: 4,
  [INFO_TYPE.FIXED_CHANNELS]: 8,
};

/** The table that drives decode, encode, length, describe and the tests' arbitraries. */
export const SIGNAL_SPECS: readonly SignalSpec[] = [
  {
    code: SIGNAL_CODE.COMMAND_REJECT,
    type: 'command-reject',
    name: 'CmdReject',
    fields: [f('reason', 'u16'), f('data', 'data')],
    dataLength: (v) => REJECT_DATA_LENGTH[v.reason as number],
    describeData: describeRejectData,
  },
  { code: SIGNAL_CODE.CONNECTION_REQUEST, type: 'connection-request', name: 'ConnReq', fields: [f('psm', 'u16x'), f('scid', 'u16x')] },
  {
    code: SIGNAL_CODE.CONNECTION_RESPONSE,
    type: 'connection-response',
    name: 'ConnRsp',
    fields: [f('dcid', 'u16x'), f('scid', 'u16x'), f('result', 'u16'), f('status', 'u16')],
  },
  {
    code: SIGNAL_CODE.CONFIGURATION_REQUEST,
    type: 'configuration-request',
    name: 'ConfigReq',
    fields: [f('dcid', 'u16x'), f('flags', 'u16x'), f('options', 'options')],
  },
  {
    code: SIGNAL_CODE.CONFIGURATION_RESPONSE,
    type: 'configuration-response',
    name: 'ConfigRsp',
    fields: [f('scid', 'u16x'), f('flags', 'u16x'), f('result', 'u16'), f('options', 'options')],
  },
  { code: SIGNAL_CODE.DISCONNECTION_REQUEST, type: 'disconnection-request', name: 'DisconnReq', fields: [f('dcid', 'u16x'), f('scid', 'u16x')] },
  { code: SIGNAL_CODE.DISCONNECTION_RESPONSE, type: 'disconnection-response', name: 'DisconnRsp', fields: [f('dcid', 'u16x'), f('scid', 'u16x')] },
  { code: SIGNAL_CODE.ECHO_REQUEST, type: 'echo-request', name: 'EchoReq', fields: [f('data', 'data')] },
  { code: SIGNAL_CODE.ECHO_RESPONSE, type: 'echo-response', name: 'EchoRsp', fields: [f('data', 'data')] },
  { code: SIGNAL_CODE.INFORMATION_REQUEST, type: 'information-request', name: 'InfoReq', fields: [f('infoType', 'u16')] },
  {
    code: SIGNAL_CODE.INFORMATION_RESPONSE,
    type: 'information-response',
    name: 'InfoRsp',
    fields: [f('infoType', 'u16'), f('result', 'u16'), f('data', 'data')],
    dataLength: (v) => (v.result === INFO_RESULT.SUCCESS ? INFO_DATA_LENGTH[v.infoType as number] : undefined),
  },
];

const BY_CODE = new Map(SIGNAL_SPECS.map((s) => [s.code, s]));
const BY_TYPE = new Map(SIGNAL_SPECS.map((s) => [s.type, s]));

export const SIGNAL_HEADER_LENGTH = 4;

export function signalCode(s: L2capSignal): number {
  return s.type === 'unknown' ? s.code : BY_TYPE.get(s.type)!.code;
}

function bodyLength(s: L2capSignal): number {
  if (s.type === 'unknown') return s.data.length;
  return fieldsLength(BY_TYPE.get(s.type)!.fields, s as unknown as Record<string, unknown>);
}

export function signalLength(s: L2capSignal): number {
  return SIGNAL_HEADER_LENGTH + bodyLength(s);
}

/** Writes the command at `offset`; returns the number of octets written (src/core/codec.ts). */
export function encodeSignalInto(s: L2capSignal, out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  w.u8(signalCode(s)).u8(s.identifier & 0xff).u16le(bodyLength(s));
  if (s.type === 'unknown') w.put(s.data);
  else encodeFields(BY_TYPE.get(s.type)!.fields, s as unknown as Record<string, unknown>, w, LABEL);
  return w.offset - offset;
}

export function encodeSignal(s: L2capSignal): Uint8Array {
  const out = new Uint8Array(signalLength(s));
  encodeSignalInto(s, out, 0);
  return out;
}

export function decodeSignal(bytes: Uint8Array): L2capSignal {
  const r = new ByteReader(bytes, 'l2cap', 'signaling command');
  const code = r.u8('code');
  const identifier = r.u8('identifier');
  const length = r.u16le('length');
  if (length !== r.remaining) r.fail(`length field says ${length} data byte(s), ${r.remaining} present`, 2);
  const spec = BY_CODE.get(code);
  if (!spec) return { type: 'unknown', code, identifier, data: r.rest() };
  const body = new ByteReader(bytes, 'l2cap', spec.name, SIGNAL_HEADER_LENGTH);
  const values = decodeFields(spec.fields, body);
  body.done();
  const expected = spec.dataLength?.(values);
  if (expected !== undefined && (values.data as Uint8Array).length !== expected) {
    body.fail(`${spec.name} data must be ${expected} byte(s) here, not ${(values.data as Uint8Array).length}`);
  }
  return { type: spec.type, identifier, ...values } as KnownSignal;
}

export function describeSignal(s: L2capSignal): string {
  if (s.type === 'unknown') return `Signal code=0x${s.code.toString(16).padStart(2, '0')} id=${s.identifier} len=${s.data.length}${s.data.length ? ' ' + hex(s.data.subarray(0, 32)) : ''}`;
  const spec = BY_TYPE.get(s.type)!;
  const values = s as unknown as Record<string, unknown>;
  const named = spec.describeData?.(values);
  const shown = named === undefined ? spec.fields : spec.fields.filter((f) => f.type.kind !== 'rest');
  const fields = [describeFields(shown, values), named].filter((x) => x).join(' ');
  return `${spec.name} id=${s.identifier}${fields ? ' ' + fields : ''}`;
}

/** One complete command of a C-frame: decoded, or kept raw with the reason it failed to decode. */
export type SignalingFrameItem =
  | { readonly kind: 'signal'; readonly signal: L2capSignal; readonly bytes: Uint8Array }
  | { readonly kind: 'malformed'; readonly code: number; readonly identifier: number; readonly bytes: Uint8Array; readonly error: DecodeError };

export interface SignalingFrame {
  readonly commands: readonly SignalingFrameItem[];
  /** Bytes after the last complete command: a header or data cut short (absent when none). */
  readonly tail?: Uint8Array;
}

export function decodeSignalingFrame(payload: Uint8Array): SignalingFrame {
  const commands: SignalingFrameItem[] = [];
  let off = 0;
  while (off < payload.length) {
    const left = payload.length - off;
    if (left < SIGNAL_HEADER_LENGTH) break;
    const length = payload[off + 2] | (payload[off + 3] << 8);
    if (SIGNAL_HEADER_LENGTH + length > left) break;
    const bytes = payload.slice(off, off + SIGNAL_HEADER_LENGTH + length);
    off += bytes.length;
    try {
      commands.push({ kind: 'signal', signal: decodeSignal(bytes), bytes });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      commands.push({ kind: 'malformed', code: bytes[0], identifier: bytes[1], bytes, error: e });
    }
  }
  return off < payload.length ? { commands, tail: payload.slice(off) } : { commands };
}

/** Response codes (§4, Table 4.2): a Command Reject and the five responses of BR/EDR basic mode. */
const RESPONSE_CODES: ReadonlySet<number> = new Set([
  SIGNAL_CODE.COMMAND_REJECT,
  SIGNAL_CODE.CONNECTION_RESPONSE,
  SIGNAL_CODE.CONFIGURATION_RESPONSE,
  SIGNAL_CODE.DISCONNECTION_RESPONSE,
  SIGNAL_CODE.ECHO_RESPONSE,
  SIGNAL_CODE.INFORMATION_RESPONSE,
]);

/** Whether `code` is one of the responses this codec knows; an unknown code counts as a request. */
export function isResponseCode(code: number): boolean {
  return RESPONSE_CODES.has(code);
}

/**
 * The identifier of the first request in a C-frame payload, read from the command headers
 * (code, identifier, length) without decoding any data; a request cut short still counts once
 * its identifier is there. Undefined when the frame holds only responses (§4.1: the frame is then
 * silently discarded).
 */
export function firstRequestIdentifier(payload: Uint8Array): number | undefined {
  let off = 0;
  while (off + 2 <= payload.length) {
    if (!isResponseCode(payload[off])) return payload[off + 1];
    if (off + SIGNAL_HEADER_LENGTH > payload.length) return undefined;
    off += SIGNAL_HEADER_LENGTH + u16le(payload, off + 2);
  }
  return undefined;
}

/** Command Reject 0x0000 "command not understood", no data (§4.1). */
export function rejectNotUnderstood(identifier: number): CommandReject {
  return { type: 'command-reject', identifier, reason: REJECT_REASON.COMMAND_NOT_UNDERSTOOD, data: new Uint8Array(0) };
}

/** Command Reject 0x0001 "signaling MTU exceeded", data = our MTUsig (§4.1). */
export function rejectSignalingMtuExceeded(identifier: number, signalingMtu: number): CommandReject {
  return { type: 'command-reject', identifier, reason: REJECT_REASON.SIGNALING_MTU_EXCEEDED, data: Uint8Array.of(signalingMtu & 0xff, signalingMtu >>> 8) };
}

/** Command Reject 0x0002 "invalid CID in request", data = local CID, remote CID (§4.1). */
export function rejectInvalidCid(identifier: number, localCid: number, remoteCid: number): CommandReject {
  return {
    type: 'command-reject',
    identifier,
    reason: REJECT_REASON.INVALID_CID_IN_REQUEST,
    data: Uint8Array.of(localCid & 0xff, localCid >>> 8, remoteCid & 0xff, remoteCid >>> 8),
  };
}

export const signalCodec: Codec<L2capSignal> = defineCodec({
  name: 'L2CAP signaling command',
  length: signalLength,
  encodeInto: encodeSignalInto,
  decode: decodeSignal,
  describe: describeSignal,
});
