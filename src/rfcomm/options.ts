/**
 * RfcommManager options, their defaults and caps (DESIGN.md rule 6; conformance.md "Resource
 * limits"). Every bound is an option so that researchers can lift it.
 */
import { ArgumentError } from '../core/index.js';

export interface RfcommOptions {
  /** DLCs (open or being opened) per session; beyond it SABM/PN get DM (default 60). */
  readonly maxDlcsPerSession?: number;
  /** Initial credits offered in PN K (0..7, default 7). */
  readonly rxCredits?: number;
  /** Per-DLC receive cap: delivered-but-unconsumed bytes + outstanding credits × N1 (default 64 KiB). */
  readonly maxRxBytes?: number;
  /** Per-DLC transmit queue (default 64 KiB). */
  readonly maxTxBytes?: number;
  /** Largest N1 this side offers or accepts, further limited by the L2CAP MTU (default 32767). */
  readonly maxN1?: number;
  /** Offer and accept credit-based flow control (default true). */
  readonly creditBasedFlowControl?: boolean;
  /** PN priority for DLCs this side opens (0..63, default 0). */
  readonly priority?: number;
  /** Answer a peer's SABM on DLCI 0 with UA (true, default) or refuse the session with DM. */
  readonly acceptSessions?: boolean;
  /** T1 for SABM/DISC on DLCI 0 (default 20 s). */
  readonly sessionAckTimeoutMs?: number;
  /** T1 for SABM/DISC on a DLC (default 60 s). */
  readonly dlcAckTimeoutMs?: number;
  /** T2, wait for an MCC response (default 20 s). */
  readonly mccResponseTimeoutMs?: number;
  /** Grace period between the last DLC closing and DISC on DLCI 0 (default 1 s). */
  readonly sessionIdleMs?: number;
  /** How long close() waits for the tx queue to drain before sending DISC (default 5 s). */
  readonly closeLingerMs?: number;
  /** Encoded control frames waiting per session (responses, DM, MCC); beyond it dropped and counted (default 256). */
  readonly maxControlFrames?: number;
  /** Events waiting to be polled; beyond it dropped and counted (default 65536). */
  readonly maxPendingEvents?: number;
  /** Emit an 'mcc' event for every multiplexer command received (default false). */
  readonly reportMcc?: boolean;
  /** Emit a 'diagnostic' event for every discarded or refused remote input (default false). */
  readonly reportDiagnostics?: boolean;
}

export type ResolvedRfcommOptions = Required<RfcommOptions>;

export const RFCOMM_DEFAULTS: ResolvedRfcommOptions = {
  maxDlcsPerSession: 60,
  rxCredits: 7,
  maxRxBytes: 64 * 1024,
  maxTxBytes: 64 * 1024,
  maxN1: 32767,
  creditBasedFlowControl: true,
  priority: 0,
  acceptSessions: true,
  sessionAckTimeoutMs: 20_000,
  dlcAckTimeoutMs: 60_000,
  mccResponseTimeoutMs: 20_000,
  sessionIdleMs: 1_000,
  closeLingerMs: 5_000,
  maxControlFrames: 256,
  maxPendingEvents: 65_536,
  reportMcc: false,
  reportDiagnostics: false,
};

function intIn(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new ArgumentError(`RFCOMM option ${name} must be an integer in ${min}..${max}, got ${v}`);
}

export function resolveRfcommOptions(o: RfcommOptions = {}): ResolvedRfcommOptions {
  const r: ResolvedRfcommOptions = { ...RFCOMM_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = v;
  intIn('maxDlcsPerSession', r.maxDlcsPerSession, 1, 60);
  intIn('rxCredits', r.rxCredits, 0, 7);
  intIn('maxRxBytes', r.maxRxBytes, 1, 2 ** 30);
  intIn('maxTxBytes', r.maxTxBytes, 1, 2 ** 30);
  intIn('maxN1', r.maxN1, 1, 32767);
  intIn('priority', r.priority, 0, 63);
  intIn('maxControlFrames', r.maxControlFrames, 1, 2 ** 20);
  intIn('maxPendingEvents', r.maxPendingEvents, 1, 2 ** 24);
  for (const k of ['sessionAckTimeoutMs', 'dlcAckTimeoutMs', 'mccResponseTimeoutMs', 'sessionIdleMs', 'closeLingerMs'] as const) intIn(k, r[k], 0, 2 ** 31);
  return r;
}
