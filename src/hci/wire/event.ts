/**
 * HCI event packets (Core v5.4 Vol 4 Part E §5.4.4), without the H4 indicator:
 *
 *   Event_Code (1) | Parameter_Total_Length (1) | parameters
 *
 * Events in `EVENT_SPECS` whose parameters match their table decode to `{ name, ...parameters }`.
 * Command Complete (§7.7.14, code 0x0E) is `Num_HCI_Command_Packets (1) | Command_Opcode (2) |
 * Return_Parameters`: `returnParams` keeps those bytes, and `returns` is their decoded view through
 * the command table, present only when they match the command's return table exactly. Any other
 * code, or parameters that do not fit the table, decode to `{ name: 'Unknown Event', code, params }`.
 * Contract (src/core/codec.ts, `eventCodec`): `decodeEvent` returns or throws `DecodeError` (header short, length ≠ bytes left);
 * `encodeEvent(decodeEvent(b))` equals `b`; `eventLength(e)` = encoded length.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, DecodeError, defineCodec, hex } from '../../core/index.js';
import { type CommandName, type CommandReturns, commandSpec, commandSpecByOpcode, opcodeName } from './command.js';
import { EVENT_SPECS } from './event-specs.js';
import { type AnyValues, decodeAll, describeFields, encodeAll, encodeFields, type Field, fieldsLength, type FieldValues } from './fields.js';

export type EventName = keyof typeof EVENT_SPECS;
export type EventParams<N extends EventName> = FieldValues<(typeof EVENT_SPECS)[N]['fields']>;
export type KnownEvent = { [N in EventName]: { readonly name: N } & EventParams<N> }[EventName];

export interface CommandCompleteEvent {
  readonly name: 'Command Complete';
  readonly numHciCommandPackets: number;
  readonly opcode: number;
  /** The return parameters as sent. */
  readonly returnParams: Uint8Array;
  /** `returnParams` decoded through the command table, when they match it. */
  readonly returns?: AnyValues;
}
export interface UnknownEvent {
  readonly name: 'Unknown Event';
  readonly code: number;
  readonly params: Uint8Array;
}
export type HciEvent = KnownEvent | CommandCompleteEvent | UnknownEvent;

export const COMMAND_COMPLETE_CODE = 0x0e;

export interface EventSpec {
  readonly name: EventName;
  readonly code: number;
  readonly fields: readonly Field[];
}
export const EVENT_LIST: readonly EventSpec[] = (Object.keys(EVENT_SPECS) as EventName[]).map((name) => ({ name, ...EVENT_SPECS[name] }));
const BY_CODE = new Map(EVENT_LIST.map((s) => [s.code, s]));

export function eventSpecByCode(code: number): EventSpec | undefined {
  return BY_CODE.get(code);
}

export function eventName(code: number): string {
  if (code === COMMAND_COMPLETE_CODE) return 'Command Complete';
  return BY_CODE.get(code)?.name ?? `Unknown Event 0x${code.toString(16).padStart(2, '0')}`;
}

export function eventCode(ev: HciEvent): number {
  if (ev.name === 'Unknown Event') return ev.code;
  if (ev.name === 'Command Complete') return COMMAND_COMPLETE_CODE;
  return EVENT_SPECS[ev.name].code;
}

function tryDecode(fields: readonly Field[], params: Uint8Array, structure: string): Record<string, unknown> | undefined {
  try {
    return decodeAll(fields, params, structure);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

export function decodeEvent(b: Uint8Array): HciEvent {
  const r = new ByteReader(b, 'hci', 'event');
  const code = r.u8('event code');
  const length = r.u8('parameter total length');
  if (length !== r.remaining) r.fail(`parameter total length ${length} but ${r.remaining} byte(s) follow`);
  const params = r.rest();
  if (code === COMMAND_COMPLETE_CODE && params.length >= 3) {
    const opcode = params[1] | (params[2] << 8);
    const returnParams = params.slice(3);
    const spec = commandSpecByOpcode(opcode);
    const returns = spec && spec.returns.length > 0 ? tryDecode(spec.returns, returnParams, `${spec.name} return parameters`) : undefined;
    const ev: CommandCompleteEvent = { name: 'Command Complete', numHciCommandPackets: params[0], opcode, returnParams };
    return returns ? { ...ev, returns } : ev;
  }
  const spec = BY_CODE.get(code);
  const values = spec && tryDecode(spec.fields, params, spec.name);
  if (spec && values) return { name: spec.name, ...values } as HciEvent;
  return { name: 'Unknown Event', code, params };
}

function paramsLength(ev: HciEvent): number {
  if (ev.name === 'Unknown Event') return ev.params.length;
  if (ev.name === 'Command Complete') return 3 + ev.returnParams.length;
  return fieldsLength(EVENT_SPECS[ev.name].fields, ev as AnyValues);
}

export function eventLength(ev: HciEvent): number {
  return 2 + paramsLength(ev);
}

export function encodeEventInto(ev: HciEvent, out: Uint8Array, offset: number): number {
  const n = paramsLength(ev);
  if (n > 255) throw new ArgumentError(`HCI event ${ev.name} has ${n} parameter bytes, at most 255 fit`);
  const w = new ByteWriter(out, offset);
  w.u8(eventCode(ev)).u8(n);
  if (ev.name === 'Unknown Event') w.put(ev.params);
  else if (ev.name === 'Command Complete') w.u8(ev.numHciCommandPackets).u16le(ev.opcode).put(ev.returnParams);
  else encodeFields(EVENT_SPECS[ev.name].fields, ev as AnyValues, w);
  return w.offset - offset;
}

export function encodeEvent(ev: HciEvent): Uint8Array {
  const out = new Uint8Array(eventLength(ev));
  encodeEventInto(ev, out, 0);
  return out;
}

/** Builds the Command Complete a controller sends for `name` with these return parameters. */
export function commandCompleteEvent<N extends CommandName>(name: N, returns: CommandReturns<N>, numHciCommandPackets = 1): CommandCompleteEvent {
  const spec = commandSpec(name);
  const returnParams = encodeAll(spec.returns, returns as AnyValues);
  const ev: CommandCompleteEvent = { name: 'Command Complete', numHciCommandPackets, opcode: spec.opcode, returnParams };
  return spec.returns.length > 0 ? { ...ev, returns: decodeAll(spec.returns, returnParams, name) } : ev;
}

/** The typed return parameters of a Command Complete for `name`, or undefined when it is not that command's or does not match its table. */
export function commandReturns<N extends CommandName>(ev: HciEvent, name: N): CommandReturns<N> | undefined {
  if (ev.name !== 'Command Complete' || ev.returns === undefined || ev.opcode !== commandSpec(name).opcode) return undefined;
  return ev.returns as CommandReturns<N>;
}

/** The status octet that starts nearly every Command Complete's return parameters and every Command Status. */
export function completionStatus(ev: HciEvent): number | undefined {
  if (ev.name === 'Command Status') return ev.status;
  if (ev.name === 'Command Complete') return ev.returnParams.length > 0 ? ev.returnParams[0] : undefined;
  return undefined;
}

export function describeEvent(ev: HciEvent): string {
  if (ev.name === 'Unknown Event') {
    const known = ev.code === COMMAND_COMPLETE_CODE || BY_CODE.has(ev.code);
    const what = known ? `${eventName(ev.code)} (malformed)` : 'Unknown Event';
    return `${what} code=0x${ev.code.toString(16).padStart(2, '0')} params=${hex(ev.params, ' ') || '-'}`;
  }
  if (ev.name === 'Command Complete') {
    const spec = commandSpecByOpcode(ev.opcode);
    const head = `Command Complete ${opcodeName(ev.opcode)} ncmd=${ev.numHciCommandPackets}`;
    if (spec && ev.returns) return `${head} ${describeFields(spec.returns, ev.returns)}`;
    return ev.returnParams.length ? `${head} return=${hex(ev.returnParams, ' ')}` : head;
  }
  if (ev.name === 'Command Status') {
    return `Command Status ${opcodeName(ev.opcode)} ${describeFields(EVENT_SPECS[ev.name].fields, ev as AnyValues)}`;
  }
  const fields = describeFields(EVENT_SPECS[ev.name].fields, ev as AnyValues);
  return fields ? `${ev.name} ${fields}` : ev.name;
}

export const eventCodec: Codec<HciEvent> = defineCodec({
  name: 'HCI event packet',
  length: eventLength,
  encodeInto: encodeEventInto,
  decode: decodeEvent,
  describe: describeEvent,
});
