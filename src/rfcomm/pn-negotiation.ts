/**
 * DLC parameter negotiation (RFCOMM 1.2 §5.5.3, §6.5; TS 07.10 §5.4.6.3.1), as pure functions.
 *
 * - N1 stays within 1..(L2CAP MTU − 5, − 1 more with credits) and `maxN1` (A2 rule 8). The
 *   responder may lower N1, never raise it; N1 = 0 is never used: it stands for the default 127
 *   (capped by the limit), on either side (A2 rule 7, LK PR #25).
 * - CL 0xF in a command offers credit-based flow control, 0xE in the response accepts it; any other
 *   value means none. K (3 bits) carries the initial credits; without CBFC it is 0.
 * - The response keeps the DLCI, priority and timer of the command; I and NA are 0.
 * - Initial credits never exceed what the receive cap holds: min(rxCredits, maxRxBytes ÷ N1).
 */
import { DEFAULT_N1, RX_CREDIT_WINDOW_CAP, type DlcParams } from './dlc.js';
import { CREDIT_OVERHEAD, FRAME_OVERHEAD, PN_CL, type Mcc } from './wire/index.js';

export type PnMcc = Extract<Mcc, { type: 'PN' }>;

export interface PnLimits {
  readonly l2capMtu: number;
  readonly maxN1: number;
  readonly creditBasedFlowControl: boolean;
  readonly rxCredits: number;
  readonly maxRxBytes: number;
  readonly priority: number;
}

/** What this side offered in its PN command, to judge the response. */
export interface PnOffer {
  readonly n1: number;
  readonly k: number;
  readonly cbfc: boolean;
}

/** The biggest N1 this side can use on the channel. */
export function maxN1For(limits: PnLimits, cbfc: boolean): number {
  return Math.max(1, Math.min(limits.maxN1, limits.l2capMtu - FRAME_OVERHEAD - (cbfc ? CREDIT_OVERHEAD : 0)));
}

export function initialCredits(limits: PnLimits, n1: number): number {
  const window = Math.max(1, Math.min(RX_CREDIT_WINDOW_CAP, Math.floor(Math.max(limits.maxRxBytes, n1) / n1)));
  return Math.min(limits.rxCredits, window);
}

function usableN1(requested: number, max: number): number {
  return requested === 0 ? Math.min(DEFAULT_N1, max) : Math.min(requested, max);
}

/** Our PN command for a DLC we open. */
export function pnOffer(limits: PnLimits, dlci: number): { offer: PnOffer; command: PnMcc } {
  const cbfc = limits.creditBasedFlowControl;
  const n1 = maxN1For(limits, cbfc);
  const k = cbfc ? initialCredits(limits, n1) : 0;
  const command: PnMcc = { type: 'PN', cr: true, dlci, frameType: 0, cl: cbfc ? PN_CL.CBFC_REQUEST : PN_CL.NONE, priority: limits.priority, ackTimer: 0, n1, maxRetransmissions: 0, k };
  return { offer: { n1, k, cbfc }, command };
}

/** The peer's PN command for a DLC it will open: the parameters we agree to and our response. */
export function answerPn(limits: PnLimits, pn: PnMcc): { params: DlcParams; response: PnMcc } {
  const cbfc = limits.creditBasedFlowControl && pn.cl === PN_CL.CBFC_REQUEST;
  const n1 = usableN1(pn.n1, maxN1For(limits, cbfc));
  const k = cbfc ? initialCredits(limits, n1) : 0;
  return {
    params: { n1, cbfc, txCredits: cbfc ? pn.k : 0, rxCredits: k },
    response: currentPn(pn, n1, cbfc, k),
  };
}

/** A PN response carrying given parameters (also the answer to a PN on an established DLC, K = 0). */
export function currentPn(pn: PnMcc, n1: number, cbfc: boolean, k = 0): PnMcc {
  return { ...pn, cr: false, frameType: 0, cl: cbfc ? PN_CL.CBFC_RESPONSE : PN_CL.NONE, n1, maxRetransmissions: 0, k };
}

/** The parameters that result from the peer's response to our offer. */
export function acceptPnResponse(offer: PnOffer, response: PnMcc): DlcParams {
  const cbfc = offer.cbfc && response.cl === PN_CL.CBFC_RESPONSE;
  return { n1: usableN1(response.n1, offer.n1), cbfc, txCredits: cbfc ? response.k : 0, rxCredits: cbfc ? offer.k : 0 };
}
