/**
 * One data link connection (RFCOMM 1.2 §5.2, §6.5; TS 07.10 §5.4). The multiplexer drives it; this
 * file holds its state and the arithmetic of its flow control, and knows nothing of bytes on the
 * wire.
 *
 * Its states and transition table are in dlc-state.ts; only the multiplexer's DLC machine writes
 * `state`.
 *
 * Opening for the application (the gating rule, A2 rule 9): a connected DLC reports 'dlc-open'
 * at the first of: the peer answers our MSC; the peer's own MSC command arrives (we answer it);
 * the peer sends data; the peer answers our MSC with NSC; T2 passes after our MSC. Our MSC command is queued as a control frame when
 * the DLC connects, so it always leaves before our first data frame. Never waiting on one single
 * peer action keeps us working with stacks that skip either half of the exchange.
 *
 * Credit-based flow control (RFCOMM 1.2 §6.5), when PN negotiated it:
 * - txCredits: frames we may send; +K from PN, + each credit octet; saturates at 0xFFFF.
 * - rxOutstanding: credits the peer still holds; each data frame from the peer spends one, a
 *   frame with no data spends none; data when it holds none is dropped and counted.
 * - unconsumed: bytes delivered to the application that it has not consumed yet.
 * - A grant never lets (rxOutstanding × N1 + unconsumed) exceed the receive cap, nor the credit
 *   window exceed 255; grants wait until the peer holds at most half the window.
 * - A grant rides on our next data frame when we are sending too (a data frame left since our last
 *   grant): a frame of credits alone goes only once the peer holds a quarter of the window or less.
 *   A DLC that only receives grants at half, in frames of their own. (An echo or a request/answer
 *   exchange thus carries its credits in the answers, with no extra frame and no extra ACL packet.)
 * Without CBFC: the peer's MSC FC bit and aggregate FCoff pause our sending; we send MSC FC=1
 * when unconsumed passes half the receive cap and FC=0 when it falls to a quarter. The peer learns
 * of FC only when our MSC reaches it, so what it sent before that is still accepted, up to
 * `FC_SLACK` past the cap (more than any controller and host hold in flight); data beyond that
 * (a peer ignoring FC) is dropped, counted and reported.
 */
import type { ByteSink } from '../core/index.js';
import { ByteQueue } from './byte-queue.js';
import type { RpnParams } from './wire/index.js';
import { RPN_DEFAULT, V24_DEFAULT } from './wire/index.js';
import { newDlcStats, type DlcStats } from './stats.js';
import { DLC_STATE, type DlcState } from './dlc-state.js';

/** The most credits a counter holds; more is ignored (A2 rule 6: never wrap). */
export const TX_CREDIT_CAP = 0xffff;
/** The most credits this side lets the peer hold. */
export const RX_CREDIT_WINDOW_CAP = 255;
/** N1 without PN (RFCOMM 1.2 §5.5.3 default, TS 07.10 default 127). */
export const DEFAULT_N1 = 127;
/** Without CBFC: octets accepted past the receive cap while our MSC FC travels to the peer. */
export const FC_SLACK = 64 * 1024;

export interface DlcParams {
  readonly n1: number;
  readonly cbfc: boolean;
  /** Initial credits from the peer (PN K). */
  readonly txCredits: number;
  /** Initial credits we gave (our PN K). */
  readonly rxCredits: number;
}

export class Dlc {
  /** Written only by the DLC machine (dlc-state.ts). */
  state: DlcState = DLC_STATE.CLOSED;
  dlci = -1;
  n1 = DEFAULT_N1;
  /** The credit window: how many frames of N1 the receive cap holds, 1..255 (follows N1, set in `apply`). */
  creditWindow: number;
  cbfc = false;
  txCredits = 0;
  rxOutstanding = 0;
  unconsumed = 0;
  /** The peer's MSC FC bit (pauses us when CBFC is off). */
  peerFc = false;
  /** The FC bit we last sent in MSC (CBFC off). */
  localFc = false;
  mscAnswered = false;
  peerMscSeen = false;
  /** 'dlc-open' was reported. */
  opened = false;
  /** A write was cut short; report 'dlc-writable' when room returns. */
  wantWritable = false;
  rpn: RpnParams = RPN_DEFAULT;
  /** Our V.24 signals as sent in MSC (the FC bit is added from `localFc`). */
  signals: number = V24_DEFAULT;
  /** A data frame left since our last grant of credits: the next grant can wait for the next one. */
  sendingSinceGrant = false;
  /** In its session's ring of DLCs that may have a frame to send. */
  inRing = false;
  /** Bytes written that were dropped unsent (a close that lingered too long). */
  undelivered = 0;
  readonly txQueue: ByteQueue;
  readonly stats: DlcStats = newDlcStats();

  constructor(
    readonly id: number,
    readonly serverChannel: number,
    readonly incoming: boolean,
    maxTxBytes: number,
    private readonly maxRxBytes: number,
  ) {
    this.txQueue = new ByteQueue(maxTxBytes);
    this.creditWindow = this.windowFor(this.n1);
  }

  apply(p: DlcParams): void {
    this.n1 = p.n1;
    this.creditWindow = this.windowFor(p.n1);
    this.cbfc = p.cbfc;
    this.txCredits = 0;
    this.rxOutstanding = 0;
    this.sendingSinceGrant = false;
    if (p.cbfc) {
      this.addTxCredits(p.txCredits);
      this.rxOutstanding = p.rxCredits;
      this.stats.creditsGiven += p.rxCredits;
    }
  }

  get live(): boolean {
    return this.state === DLC_STATE.CONNECTED || this.state === DLC_STATE.CLOSING;
  }

  addTxCredits(n: number): void {
    this.txCredits = Math.min(TX_CREDIT_CAP, this.txCredits + n);
    this.stats.creditsReceived += n;
  }

  /** The receive cap in bytes, never below one frame. */
  private get rxCap(): number {
    return Math.max(this.maxRxBytes, this.n1);
  }

  /** Asked once per frame and more: kept rather than computed each time. */
  private windowFor(n1: number): number {
    return Math.max(1, Math.min(RX_CREDIT_WINDOW_CAP, Math.floor(Math.max(this.maxRxBytes, n1) / n1)));
  }

  /** Credits to grant now (0 when none is due). */
  grantDue(): number {
    if (!this.cbfc || !this.live) return 0;
    const window = this.creditWindow;
    if (this.rxOutstanding * 2 > window) return 0;
    const room = Math.floor((this.rxCap - this.unconsumed) / this.n1);
    return Math.max(0, Math.min(window, room) - this.rxOutstanding);
  }

  /** True when a frame carrying only credits should leave now (see the class comment). */
  creditFrameDue(): boolean {
    if (this.grantDue() === 0) return false;
    return !this.sendingSinceGrant || this.rxOutstanding * 4 <= this.creditWindow;
  }

  /** True when a data frame may leave now (given aggregate FCoff from the peer). */
  canSendData(aggregateOff: boolean): boolean {
    if (!this.live || !this.opened || this.txQueue.length === 0) return false;
    return this.cbfc ? this.txCredits > 0 : !this.peerFc && !aggregateOff;
  }

  /** Data octets the next frame may carry now (at most N1); with `grantDue()` credits, 0 and 0 means no frame. */
  frameInfo(aggregateOff: boolean): number {
    return this.canSendData(aggregateOff) ? Math.min(this.n1, this.txQueue.length) : 0;
  }

  /** Writes the next frame's `info` data octets into `sink` and accounts for the frame (a credit spent, `credits` granted). */
  takeFrame(info: number, credits: number, sink: ByteSink): void {
    this.txQueue.takeInto(sink, info);
    if (info > 0 && this.cbfc) this.txCredits--;
    this.sendingSinceGrant = info > 0 || (credits === 0 && this.sendingSinceGrant);
    this.rxOutstanding += credits;
    this.stats.creditsGiven += credits;
    this.stats.framesTx++;
    this.stats.bytesTx += info;
  }

  /** True once after a cut-short write when the tx queue is at most half full again. */
  takeWritable(): boolean {
    if (!this.wantWritable || this.state !== DLC_STATE.CONNECTED || this.txQueue.length * 2 > this.txQueue.capacity) return false;
    this.wantWritable = false;
    return true;
  }

  /**
   * Accounts for a data frame from the peer; returns why it is dropped, or undefined to deliver.
   */
  acceptData(length: number): 'noCredit' | 'oversize' | 'overflow' | undefined {
    if (this.cbfc) {
      if (this.rxOutstanding === 0) return 'noCredit';
      this.rxOutstanding--;
    }
    if (length > this.n1) return 'oversize';
    if (!this.cbfc && this.unconsumed + length > this.rxCap + FC_SLACK) return 'overflow';
    this.unconsumed += length;
    return undefined;
  }

  /** A data frame of `length` octets from the peer was lost on the way: counted, and the credit the peer spent on it spent here too. */
  lostFrame(length: number): void {
    this.stats.drops.lost++;
    this.stats.bytesLost += length;
    if (this.cbfc && this.rxOutstanding > 0) this.rxOutstanding--;
  }

  consume(n: number): void {
    this.unconsumed = Math.max(0, this.unconsumed - n);
  }

  /** Without CBFC: the FC bit to announce in MSC now, or undefined when unchanged. */
  localFcChange(): boolean | undefined {
    if (this.cbfc || !this.live) return undefined;
    if (!this.localFc && this.unconsumed * 2 > this.rxCap) return true;
    if (this.localFc && this.unconsumed * 4 <= this.rxCap) return false;
    return undefined;
  }
}
