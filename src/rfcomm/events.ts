/** What the RFCOMM layer reports (docs/layers.md "RFCOMM"), plus the optional research events. */
import type { Mcc } from './wire/index.js';

export type RfcommCloseReason = 'refused' | 'disconnected' | 'session-closed' | 'timeout';

/**
 * What ended a DLC, as codes beside its reason: the timer that expired (RFCOMM 1.2 §5.3: T1 waits
 * for the answer to a SABM or DISC, T2 for the answer to a multiplexer command), or the peer's frame
 * that refused or closed it (TS 07.10 §5.3.3 DISC, §5.3.4 DM), on its own DLCI or on DLCI 0.
 */
export interface DlcCloseCause {
  timer?: 'T1' | 'T2';
  frame?: 'DM' | 'DISC';
}

export type RfcommEvent =
  | { type: 'dlc-open'; dlcId: number; sessionId: number; serverChannel: number; dlci: number; n1: number; incoming: boolean }
  | { type: 'dlc-data'; dlcId: number; data: Uint8Array }
  | { type: 'dlc-writable'; dlcId: number }
  /**
   * The peer's MSC command on an open DLC (TS 07.10 §5.4.6.3.7): its V.24 signals octet (`V24`
   * bits: FC, RTC, RTR, IC, DV) and, when its break octet has B1 set, the break length in ms.
   */
  | { type: 'dlc-signals'; dlcId: number; signals: number; breakMs?: number }
  /** `unsent`: bytes written on the DLC that were never sent (its queue when it closed). */
  | ({ type: 'dlc-closed'; dlcId: number; reason: RfcommCloseReason; message: string; unsent: number } & DlcCloseCause)
  /** The peer broke flow control or N1 and its data was dropped: the receive stream has a gap of `bytes`. */
  | { type: 'dlc-dropped'; dlcId: number; bytes: number; message: string }
  /**
   * The peer's SABM for a server channel set by `requireAuthorization` (RFCOMM 1.2 §6.5, a
   * connection the upper layer accepts or refuses): held until `authorize(sessionId, request, …)`.
   */
  | { type: 'dlc-authorize'; sessionId: number; request: number; dlci: number; serverChannel: number }
  | { type: 'session-closed'; sessionId: number }
  /** Something the peer caused was lost on the session (an answer dropped past `maxControlFrames`). */
  | { type: 'session-error'; sessionId: number; message: string }
  /** Only with `reportMcc`: every multiplexer command or response received on DLCI 0. */
  | { type: 'mcc'; sessionId: number; mcc: Mcc }
  /** Only with `reportDiagnostics`: a remote input discarded, refused or answered with DM/NSC. */
  | { type: 'diagnostic'; sessionId: number; message: string };
