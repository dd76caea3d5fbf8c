/**
 * Modem signals on an RFCOMM socket, named as a serial port names them. RFCOMM carries the V.24
 * circuits in MSC commands (TS 07.10 §5.4.6.3.7; RFCOMM 1.2 §4.3 and §6.3): RTC is DTR on the side
 * that sends it and DSR on the side that reads it, RTR is RTS / CTS, IC is RI, DV is DCD.
 */
import { V24 } from '../rfcomm/index.js';

/** What this side asserts (each sent as its MSC bit). */
export interface LocalSignals {
  dtr: boolean;
  rts: boolean;
  ri: boolean;
  dcd: boolean;
}

/** What the peer asserts, as this side reads it; `breakMs` when the MSC carried a break. */
export interface PeerSignals {
  dsr: boolean;
  cts: boolean;
  ri: boolean;
  dcd: boolean;
  breakMs?: number;
}

/** The signals every RFCOMM DLC starts with (RTC, RTR and DV set, IC clear). */
export const DEFAULT_LOCAL_SIGNALS: Readonly<LocalSignals> = { dtr: true, rts: true, ri: false, dcd: true };

export function localToV24(s: LocalSignals): number {
  return (s.dtr ? V24.RTC : 0) | (s.rts ? V24.RTR : 0) | (s.ri ? V24.IC : 0) | (s.dcd ? V24.DV : 0);
}

export function peerFromV24(bits: number, breakMs?: number): PeerSignals {
  const s: PeerSignals = { dsr: (bits & V24.RTC) !== 0, cts: (bits & V24.RTR) !== 0, ri: (bits & V24.IC) !== 0, dcd: (bits & V24.DV) !== 0 };
  return breakMs === undefined ? s : { ...s, breakMs };
}
