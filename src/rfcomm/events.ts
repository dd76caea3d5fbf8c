/** What the RFCOMM layer reports (docs/layers.md "RFCOMM"), plus the optional research events. */
import type { Mcc } from './wire/index.js';

export type RfcommCloseReason = 'refused' | 'disconnected' | 'session-closed' | 'timeout';

export type RfcommEvent =
  | { type: 'dlc-open'; dlcId: number; sessionId: number; serverChannel: number; dlci: number; n1: number; incoming: boolean }
  | { type: 'dlc-data'; dlcId: number; data: Uint8Array }
  | { type: 'dlc-writable'; dlcId: number }
  | { type: 'dlc-closed'; dlcId: number; reason: RfcommCloseReason; message: string }
  | { type: 'session-closed'; sessionId: number }
  /** Only with `reportMcc`: every multiplexer command or response received on DLCI 0. */
  | { type: 'mcc'; sessionId: number; mcc: Mcc }
  /** Only with `reportDiagnostics`: a remote input discarded, refused or answered with DM/NSC. */
  | { type: 'diagnostic'; sessionId: number; message: string };
