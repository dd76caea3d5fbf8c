/**
 * The scenario format (JSON; documented in docs/conformance.md, "Testing another stack: the
 * conformance toolkit"). A scenario names the rule it checks, the set-up it needs, and steps of
 * send / expect / silence / wait / check. Bytes are hex patterns (hex-pattern.ts); RFCOMM frames and
 * MCCs may be given as fields, the tester computing lengths and FCS the same way for what it sends
 * and what it expects.
 */
import { ArgumentError, hex } from '../core/index.js';
import { computeFcs } from '../rfcomm/index.js';
import { MCC, RFCOMM_CONTROL, rfcommAddress } from './frames.js';
import { checkPattern } from './hex-pattern.js';

/**
 * What a scenario needs before its steps: each implies the ones before it in its chain. The
 * `stack-…` set-ups share the link with the tester's own stack (`standAside: 'channels'`): the
 * stack opens an RFCOMM channel of its own to the device's `stackChannel` ('stack-rfcomm-dlc'); the
 * tester then takes the DLC under test on the stack's session ('stack-session', and opens it:
 * 'stack-session-dlc'), or opens an SDP channel of its own beside ('stack-sdp-channel').
 */
export type Setup =
  | 'none'
  | 'link'
  | 'sdp-channel'
  | 'rfcomm-channel'
  | 'rfcomm-session'
  | 'rfcomm-dlc'
  | 'accept-rfcomm-channel'
  | 'accept-rfcomm-session'
  | 'stack-rfcomm-dlc'
  | 'stack-session'
  | 'stack-session-dlc'
  | 'stack-sdp-channel';
export const SETUPS: readonly Setup[] = [
  'none',
  'link',
  'sdp-channel',
  'rfcomm-channel',
  'rfcomm-session',
  'rfcomm-dlc',
  'accept-rfcomm-channel',
  'accept-rfcomm-session',
  'stack-rfcomm-dlc',
  'stack-session',
  'stack-session-dlc',
  'stack-sdp-channel',
];

/**
 * The layers a step sends on or expects from. 'hci': a command to the tester's own controller
 * (opcode little-endian, parameter length, parameters; Core v5.4 Vol 4 Part E §5.4.1), and its
 * events (event code, length, parameters).
 */
export type StepLayer = 'signaling' | 'l2cap' | 'acl' | 'rfcomm' | 'mcc' | 'sdp' | 'hci';

/** RFCOMM frame fields; `dlci: "dlc"` is the DLC under test; `info` is a hex pattern. */
export interface RfcommFrameFields {
  dlci?: number | 'dlc';
  address?: number;
  cr?: 0 | 1;
  control: keyof typeof RFCOMM_CONTROL | number;
  pf?: 0 | 1;
  info?: string;
  credit?: number;
  length?: number;
  longLength?: boolean;
  fcs?: 'right' | 'wrong' | number;
  fcsSpan?: 'type' | 'with-length' | 'without-length';
}

/** An MCC on DLCI 0; `value` is a hex pattern. */
export interface MccFields {
  type: keyof typeof MCC | number;
  cr?: 0 | 1;
  value?: string;
  length?: number;
  rawType?: boolean;
}

export type Step =
  | {
      send: StepLayer;
      /** Hex, `<name>` for captured octets. */
      hex?: string;
      frame?: RfcommFrameFields;
      mcc?: MccFields;
      /** L2CAP: the CID (default the layer's: 1 for signaling, the tester channel for rfcomm/sdp). */
      cid?: number;
      /** L2CAP length field / ACL length field as written. */
      length?: number;
      /** ACL sizes to cut the L2CAP frame into. */
      fragments?: number[];
      pb?: number;
      bc?: number;
      /** SDP: write ParameterLength (octets 3–4) from the octets sent, once captures are filled in (a captured continuation state has its own length). */
      computeLength?: boolean;
      note?: string;
    }
  | {
      expect: Exclude<StepLayer, 'acl' | 'l2cap' | 'mcc'> | 'mcc';
      /** One pattern or alternatives. */
      hex?: string | string[];
      frame?: RfcommFrameFields;
      mcc?: MccFields;
      /** Patterns of frames that may come before the answer without failing (credits, say); they stay queued for the steps after. */
      ignore?: string[];
      /** Patterns of frames that may come before the answer and are dropped (data the rule allows until the answer). */
      drop?: string[];
      timeoutMs?: number;
      /** Silence passes too (the rule allows a silent drop); a wrong answer still fails. */
      optional?: boolean;
      note?: string;
    }
  | { silence: Exclude<StepLayer, 'acl' | 'l2cap' | 'mcc'>; ms?: number; ignore?: string[]; note?: string }
  | { wait: number }
  | { check: Check };

/**
 * "Link still usable" checks: an L2CAP Echo, an RFCOMM Test on DLCI 0, an MSC on the DLC, an SDP
 * request; 'stack-echo': the stack's own RFCOMM channel (a `stack-…` set-up) still carries data
 * both ways (the device echoes what arrives on its `stackChannel`).
 */
export type Check = 'echo' | 'rfcomm-test' | 'rfcomm-msc' | 'sdp' | 'stack-echo';
export const CHECKS: readonly Check[] = ['echo', 'rfcomm-test', 'rfcomm-msc', 'sdp', 'stack-echo'];

export interface Scenario {
  id: string;
  title: string;
  /** The rule(s) checked: ids of docs/conformance.md (P1–P20, L1–L27, R1–R29, S1–S6) and others. */
  rule: string;
  /** The specification section. */
  spec: string;
  setup?: Setup;
  /**
   * 'server' (default): the tester connects and starts the RFCOMM session, the device accepts.
   * 'client': the device connects to the tester and starts the session (the `accept-…` set-ups);
   * the tester's frames then go with the responder's C/R.
   */
  role?: 'server' | 'client';
  /**
   * 'link' (default): the tester alone answers on the link; its own stack keeps only the HCI side.
   * 'channels': the tester's stack keeps its own channels, signaling and DLCIs on the link, and the
   * tester answers only on its channels and the DLCI it took (the `stack-…` set-ups need it).
   */
  standAside?: 'link' | 'channels';
  steps: Step[];
  /** Checks run after the steps (a bad input must leave the link usable). */
  after?: Check[];
  /** The tester's default expect timeout (ms). */
  timeoutMs?: number;
  /** Client role: what the device must do besides connecting (send data, say); `btc conformance --accept` shows it. */
  deviceAction?: string;
}

export interface ScenarioContext {
  /** The DLCI of the DLC under test (server channel << 1 on the implementation, the tester initiating). */
  dlci: number;
}

/** Checks a scenario's shape; throws ArgumentError naming what is wrong. */
export function checkScenario(s: unknown): Scenario {
  const fail = (m: string): never => {
    throw new ArgumentError(`scenario ${(s as { id?: unknown })?.id ?? '?'}: ${m}`);
  };
  if (typeof s !== 'object' || s === null) throw new ArgumentError('a scenario is a JSON object');
  const o = s as Partial<Scenario>;
  for (const k of ['id', 'title', 'rule', 'spec'] as const) if (typeof o[k] !== 'string') fail(`"${k}" must be a string`);
  if (o.setup !== undefined && !SETUPS.includes(o.setup)) fail(`"setup" must be one of ${SETUPS.join(', ')}`);
  if (o.role !== undefined && o.role !== 'server' && o.role !== 'client') fail('"role" must be server or client');
  if (o.deviceAction !== undefined && (typeof o.deviceAction !== 'string' || o.role !== 'client')) fail('"deviceAction" is a string, for the client role');
  if ((o.role === 'client') !== (o.setup?.startsWith('accept-') ?? false)) fail('the client role goes with the accept-… set-ups, and only it');
  if (o.standAside !== undefined && o.standAside !== 'link' && o.standAside !== 'channels') fail('"standAside" must be link or channels');
  if ((o.setup?.startsWith('stack-') ?? false) && o.standAside !== 'channels') fail(`the set-up ${o.setup} shares the link with the stack: it needs "standAside": "channels"`);
  for (const c of [o.after ?? []].flat()) if (!CHECKS.includes(c)) fail(`"after" holds ${JSON.stringify(c)}, not one of ${CHECKS.join(', ')}`);
  if (!Array.isArray(o.steps)) fail('"steps" must be an array');
  for (const step of o.steps!) {
    if (typeof step !== 'object' || step === null) fail('a step must be an object');
    const st = step as Record<string, unknown>;
    const kinds = ['send', 'expect', 'silence', 'wait', 'check'].filter((k) => k in st);
    if (kinds.length !== 1) fail(`a step needs exactly one of send, expect, silence, wait, check: ${JSON.stringify(step)}`);
    const patterns = [st.hex, st.ignore, st.drop].flat().filter((p): p is string => typeof p === 'string');
    for (const p of patterns) checkPattern(p);
    if ('send' in st && st.hex === undefined && st.frame === undefined && st.mcc === undefined) fail(`a send step needs hex, frame or mcc: ${JSON.stringify(step)}`);
    if (st.computeLength !== undefined && (st.computeLength !== true || st.send !== 'sdp')) fail(`"computeLength": true goes with send "sdp" only: ${JSON.stringify(step)}`);
    if (st.send === 'hci' && (typeof st.hex !== 'string' || words(st.hex).length < 3)) fail(`an HCI command needs hex of at least 3 octets (opcode, parameter length): ${JSON.stringify(step)}`);
    if ('expect' in st && st.hex === undefined && st.frame === undefined && st.mcc === undefined) fail(`an expect step needs hex, frame or mcc: ${JSON.stringify(step)}`);
  }
  return o as Scenario;
}

function words(pattern: string | undefined): string[] {
  return (pattern ?? '').trim().split(/\s+/).filter((w) => w.length > 0);
}

function octet(v: number): string {
  return (v & 0xff).toString(16).padStart(2, '0');
}

/** An RFCOMM frame from fields as a hex pattern (its info may hold ?? and <name>; no *). */
export function rfcommPattern(f: RfcommFrameFields, ctx: ScenarioContext): string {
  const info = words(f.info);
  if (info.includes('*')) throw new ArgumentError('an RFCOMM frame given by fields cannot hold * in its info (its FCS follows)');
  const dlci = f.dlci === 'dlc' ? ctx.dlci : (f.dlci ?? 0);
  const address = f.address ?? rfcommAddress(dlci, f.cr ?? 1);
  const base = typeof f.control === 'number' ? f.control : RFCOMM_CONTROL[f.control];
  const control = (base & ~0x10) | ((f.pf ?? 0) << 4);
  const length = f.length ?? info.length;
  const lengthBytes = length > 127 || f.longLength ? [(length << 1) & 0xfe, (length >>> 7) & 0xff] : [((length << 1) | 1) & 0xff];
  const header = Uint8Array.of(address, control, ...lengthBytes);
  const uih = (base & ~0x10) === RFCOMM_CONTROL.UIH;
  const span = f.fcsSpan ?? 'type';
  const right = computeFcs(span === 'with-length' || (span === 'type' && !uih) ? header : header.subarray(0, 2));
  const fcs = f.fcs === undefined || f.fcs === 'right' ? right : f.fcs === 'wrong' ? right ^ 0xff : f.fcs;
  return [hex(header, ' '), f.credit === undefined ? '' : octet(f.credit), ...info, octet(fcs)].filter((w) => w.length > 0).join(' ');
}

/** An MCC as the info of a UIH on DLCI 0, as a hex pattern; `initiator`: whether the sender started the session. */
export function mccPattern(m: MccFields, initiator: boolean, ctx: ScenarioContext): string {
  const value = words(m.value);
  const base = typeof m.type === 'number' ? m.type : MCC[m.type];
  const type = m.rawType ? base : (base & 0xfc) | ((m.cr ?? 1) << 1) | 1;
  const length = m.length ?? value.length;
  const lengthBytes = length > 127 ? [(length << 1) & 0xfe, (length >>> 7) & 0xff] : [((length << 1) | 1) & 0xff];
  const info = [octet(type), ...lengthBytes.map(octet), ...value].join(' ');
  return rfcommPattern({ dlci: 0, cr: initiator ? 1 : 0, control: 'UIH', info }, ctx);
}
