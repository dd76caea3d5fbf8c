/**
 * One RFCOMM session: the multiplexer on one L2CAP channel (PSM 3), its control channel DLCI 0
 * and the DLCs on it (RFCOMM 1.2 §5, §6; TS 07.10 §5.2–5.4).
 *
 * Session states and their table: session-state.ts; DLC states: dlc-state.ts. Both are written only
 * through their machine (`moveSession`, `moveDlc`). The idle timer closes an open session whose last
 * DLC closed `sessionIdleMs` ago, or that the peer opened and did not use within dlcAckTimeoutMs.
 * A SABM 0 from the peer while ours is outstanding gets DM (we keep the initiator role).
 *
 * C/R (TS 07.10 Table 1, RFCOMM erratum 1510): commands and every UIH carry C/R = 1 from the
 * initiator and 0 from the responder; responses the opposite. The MCC type octet has its own C/R.
 * DLCI = server channel << 1 | D, D = 1 for channels on the initiator (A2 rule 3). DLCIs 1, 62 and
 * 63 never get state.
 *
 * Remote input (conformance.md B3): bad FCS, malformed frames, unknown control fields and SABM/
 * DISC/UA with P/F = 0 are discarded and counted; SABM/DISC/UIH for a DLCI with no DLC (or a
 * reserved, wrong-direction or unregistered one) get DM with F = P; PN for an unregistered channel
 * gets DM; an unknown MCC command gets NSC echoing its type octet; an MCC that does not decode is
 * discarded. A UIH arriving after our DISC gets DM F = P (the teardown race in the captures).
 *
 * Authorisation: a SABM that would open a server channel set by `requireAuthorization` (and that
 * `refusal` lets through) is held, and 'dlc-authorize' asks the upper layer; `authorize` then
 * answers it as the SABM would have been (UA, or DM if the session is no longer open) or with
 * DM F = 1. A repeated SABM for a held DLCI is dropped; a DISC for it cancels the hold (and is
 * answered DM, as for any DLCI with no DLC). At most one hold per DLCI, dropped with the session.
 *
 * Before the SABM: the peer's PN and RPN for a DLCI it may open towards us are kept per DLCI and
 * applied when its SABM arrives (TS 07.10 §5.4.6.3.1, §5.4.6.3.9). Both are forgotten after
 * dlcAckTimeoutMs (T1 of a DLC, 60 s: as long as we wait for the answer to our own SABM) without
 * that SABM, or at once on DM/DISC for the DLCI. A pending PN counts towards maxDlcsPerSession and
 * keeps the session from idling; RPN settings are kept only for a DLCI a SABM could open (a
 * registered server channel, within maxDlcsPerSession), so at most 30 of them.
 *
 * Output (DESIGN.md rules 8 and 10): nothing is sent unless asked. Control frames (responses, DM,
 * MCC, SABM, DISC) are encoded at once into a bounded queue; a DLC that may have a data or credit
 * frame waits in a ring. When either holds something the session asks its manager for a turn
 * (`requestSend`); on its turn (its L2CAP channel's link has room toward the controller) `produce`
 * writes exactly one frame through the allocator it is given: a control frame first, else the
 * next DLC's frame, written straight from the DLC's queue into the outgoing buffer. A busy DLC
 * never starves the others, credits are granted as late as possible, and the cost of a frame does
 * not depend on how many DLCs exist. 'session-closed' is reported once the last control frame
 * (the UA or DISC that ends the session) has been produced.
 */
import { type ByteSink, DecodeError, Ring, type StateMachine } from '../core/index.js';
import { ControlOutput } from './control-output.js';
import { DEFAULT_N1, Dlc, type DlcParams } from './dlc.js';
import { DLC_EVENT, DLC_STATE, type DlcEvent, type DlcState } from './dlc-state.js';
import { SESSION_EVENT, SESSION_STATE, type SessionEvent, type SessionState } from './session-state.js';
import type { SessionTimers } from './session-timers.js';
import { acceptPnResponse, answerPn, currentPn, maxN1For, pnOffer, type PnLimits, type PnMcc, type PnOffer } from './pn-negotiation.js';
import { applyRpn } from './rpn.js';
import type { DlcCloseCause, RfcommEvent, RfcommCloseReason } from './events.js';
import type { ResolvedRfcommOptions } from './options.js';
import { newSessionStats } from './stats.js';
import {
  type DecodeFrameOptions,
  MCC_TYPE,
  RPN_DEFAULT,
  RPN_MASK_ALL,
  V24,
  decodeMcc,
  decodeRfcommFrame,
  mccTypeOctet,
  mscBreakMs,
  mscBreakOctet,
  peekDlci,
  rfcommOverhead,
  FRAME_TYPE,
  PF_BIT,
  writeRfcommHeader,
  type Mcc,
  type RfcommFrame,
  type RpnParams,
} from './wire/index.js';

type RpnMcc = Extract<Mcc, { type: 'RPN' }>;

/** What a multiplexer needs from its manager. */
export interface MuxHost {
  readonly options: ResolvedRfcommOptions;
  emit(event: RfcommEvent): void;
  isServerChannel(channel: number): boolean;
  /** The peer's SABMs for `channel` wait for `authorize` ('dlc-authorize'). */
  needsAuthorization(channel: number): boolean;
  /** A request id for 'dlc-authorize', never reused. */
  newAuthorization(): number;
  newDlcId(): number;
  adopt(dlc: Dlc, session: Multiplexer): void;
  release(dlc: Dlc): void;
  /** The session has a frame to send: it wants a turn. */
  requestSend(session: Multiplexer): void;
  /** The DLC state machine of the layer (dlc-state.ts), shared by its sessions. */
  readonly dlcMachine: StateMachine<DlcState, DlcEvent>;
  /** The session state machine of the layer (session-state.ts). */
  readonly sessionMachine: StateMachine<SessionState, SessionEvent>;
}

const RESERVED_DLCIS = new Set([0, 1, 62, 63]);
/** Why a DLC drops data from the peer (Dlc.acceptData), for the 'dlc-dropped' message. */
const DROP_WHY = {
  noCredit: 'while it held no credit (credit-based flow control)',
  oversize: 'in a frame longer than the negotiated N1',
  overflow: 'far past the receive window after it was told to stop (MSC FC)',
} as const;
/** The two ways of reading a UIH with P/F = 1 (credit octet or not), built once. */
const WITH_CREDITS: DecodeFrameOptions = { credits: true };
const WITHOUT_CREDITS: DecodeFrameOptions = { credits: false };
const EITHER: readonly DecodeFrameOptions[] = [WITH_CREDITS, WITHOUT_CREDITS];

export class Multiplexer {
  /** Written only by the session machine (session-state.ts). */
  state: SessionState = SESSION_STATE.LISTENING;
  initiator: boolean;
  /** The peer sent FCoff (aggregate flow control; ignored by CBFC DLCs). */
  aggregateOff = false;
  /** In the manager's FIFO of sessions that asked to send (the manager keeps it). */
  sendRequested = false;
  /** Inside `produce`: the caller asks `wantsToSend` after the turn, so `markReady` need not request one. */
  private producing = false;
  readonly stats = newSessionStats();
  /** DLCs that have a DLCI, by DLCI. */
  private readonly dlcs = new Map<number, Dlc>();
  /** DLCs this side opens, waiting for the multiplexer. */
  private waiting: Dlc[] = [];
  /** Parameters the peer negotiated by PN for DLCIs it has not opened yet. */
  private readonly pendingPn = new Map<number, DlcParams>();
  /** The peer's SABMs waiting for `authorize`: DLCI → request id. */
  private readonly held = new Map<number, number>();
  /** Port settings the peer set by RPN for DLCIs it has not opened yet. */
  private readonly pendingRpn = new Map<number, RpnParams>();
  private readonly offers = new Map<number, PnOffer>();
  private readonly out: ControlOutput;
  /** DLCs that may have a data or credit frame to send, in turn. */
  private readonly ready = new Ring<Dlc>();
  /** The session closed and 'session-closed' waits for its last control frame to be produced. */
  private closeReported = true;
  private hadDlc = false;
  /** The latest time seen (for deadlines armed while polling). */
  private now = 0;

  constructor(
    readonly id: number,
    initiator: boolean,
    readonly l2capMtu: number,
    private readonly host: MuxHost,
    private readonly timers: SessionTimers,
    now: number,
  ) {
    this.now = now;
    this.initiator = initiator;
    this.out = new ControlOutput(
      host.options.maxControlFrames,
      () => this.initiator,
      () => {
        this.stats.drops.controlOverflow++;
        this.host.emit({ type: 'session-error', sessionId: this.id, message: `the peer sends commands faster than they can be answered: ${host.options.maxControlFrames} frames wait already (maxControlFrames), one answer was dropped` });
      },
      () => this.host.requestSend(this),
    );
    if (initiator) this.startMultiplexer(now);
  }

  private get o(): ResolvedRfcommOptions {
    return this.host.options;
  }

  // ── queries ────────────────────────────────────────────────────────────────

  get dlcCount(): number {
    return this.dlcs.size + this.waiting.length;
  }

  get idle(): boolean {
    return this.state === 'closed' && this.out.length === 0;
  }

  /** Something waits to be sent: a control frame, or a DLC that may have a frame. */
  get wantsToSend(): boolean {
    return this.out.length > 0 || this.ready.length > 0;
  }

  hasChannel(channel: number): boolean {
    return this.waiting.some((d) => d.serverChannel === channel) || [...this.dlcs.values()].some((d) => !d.incoming && d.serverChannel === channel);
  }

  private get limits(): PnLimits {
    return { ...this.o, l2capMtu: this.l2capMtu };
  }

  // ── local commands ─────────────────────────────────────────────────────────

  connect(dlc: Dlc, now: number): void {
    this.now = now;
    this.hadDlc = true;
    this.timers.clear('idle');
    this.moveDlc(dlc, DLC_EVENT.OPEN_REQ);
    this.waiting.push(dlc);
    if (this.state === 'open') this.startWaiting(now);
    else if (this.state === 'listening') {
      this.initiator = true;
      this.startMultiplexer(now);
    }
  }

  write(dlc: Dlc, bytes: Uint8Array): number {
    const n = dlc.txQueue.push(bytes);
    if (n < bytes.length) dlc.wantWritable = true;
    if (n > 0) this.markReady(dlc);
    return n;
  }

  /** The reader took n bytes: true when that gives the peer credits or lifts our MSC FC (a frame to send). */
  consume(dlc: Dlc, n: number, now: number): boolean {
    this.now = now;
    dlc.consume(n);
    const fc = this.announceLocalFc(dlc);
    if (!dlc.creditFrameDue()) return fc;
    this.markReady(dlc);
    return true;
  }

  /**
   * Sends our V.24 signals (RTC, RTR, IC, DV bits; TS 07.10 §5.4.6.3.7) in an MSC command, with a
   * break of `breakMs` when given; the FC bit stays ours to manage. Later MSCs carry these signals.
   */
  setSignals(dlc: Dlc, signals: number, breakMs: number | undefined, now: number): void {
    this.now = now;
    dlc.signals = (signals & (V24.RTC | V24.RTR | V24.IC | V24.DV)) | V24.EA;
    const bits = dlc.localFc ? dlc.signals | V24.FC : dlc.signals;
    const mcc: Mcc = breakMs === undefined ? { type: 'MSC', cr: true, dlci: dlc.dlci, signals: bits } : { type: 'MSC', cr: true, dlci: dlc.dlci, signals: bits, breakSignal: mscBreakOctet(breakMs) };
    this.queueMcc(mcc, this.t2Key(mcc));
  }

  close(dlc: Dlc, now: number): void {
    this.now = now;
    switch (dlc.state) {
      case DLC_STATE.WAIT_MUX:
        // Forget it, or the multiplexer coming up would still send PN and SABM for it.
        this.waiting = this.waiting.filter((d) => d !== dlc);
        this.finish(dlc, DLC_EVENT.CLOSE_REQ, 'disconnected', 'closed locally before the DLC was established');
        break;
      case DLC_STATE.WAIT_PN_RSP:
        this.finish(dlc, DLC_EVENT.CLOSE_REQ, 'disconnected', 'closed locally before the DLC was established');
        break;
      case DLC_STATE.WAIT_UA:
        this.sendDisc(dlc, DLC_EVENT.CLOSE_REQ, now);
        break;
      case DLC_STATE.CONNECTED:
        this.moveDlc(dlc, DLC_EVENT.CLOSE_REQ);
        if (dlc.txQueue.length === 0) this.sendDisc(dlc, DLC_EVENT.QUEUE_EMPTY, now);
        else this.timers.set(`linger:${dlc.dlci}`, now + this.o.closeLingerMs);
        break;
      default:
        break;
    }
  }

  /** Answers the held SABM of authorisation `request` (see the rules above); false when none is held. */
  authorize(request: number, granted: boolean, now: number): boolean {
    this.now = now;
    let dlci: number | undefined;
    for (const [d, r] of this.held) if (r === request) dlci = d;
    if (dlci === undefined) return false;
    this.held.delete(dlci);
    if (!granted) {
      if (this.state === 'open') this.sendDm(dlci, true, `SABM on DLCI ${dlci} not authorised`);
      return true;
    }
    if (this.state !== 'open') this.sendDm(dlci, true, `SABM on DLCI ${dlci} while the session is ${this.state}`);
    else this.onRemoteSabm(dlci, now, true);
    return true;
  }

  /** Sends any multiplexer command (research helper); a command arms T2. */
  sendMcc(mcc: Mcc, now: number): void {
    this.now = now;
    this.queueMcc(mcc, mcc.cr ? this.t2Key(mcc) : undefined);
  }

  /** Queues raw bytes as one L2CAP SDU (research helper: malformed frames). */
  inject(sdu: Uint8Array): void {
    this.out.raw(Uint8Array.from(sdu));
  }

  /** L2CAP went away: every DLC closes, no frame is sent. */
  down(now: number): void {
    this.now = now;
    this.out.clear();
    this.ready.clear();
    this.timers.clearAll();
    this.closeAll('session-closed', 'the L2CAP channel carrying the RFCOMM session closed');
    this.moveSession(SESSION_EVENT.L2CAP_DOWN);
    this.closeReported = true;
  }

  // ── input ──────────────────────────────────────────────────────────────────

  receive(sdu: Uint8Array, now: number): void {
    this.now = now;
    this.stats.framesRx++;
    this.stats.bytesRx += sdu.length;
    const dlci = peekDlci(sdu);
    const frame = this.decode(sdu, dlci);
    if (!frame) return;
    if (frame.dlci === 0) this.onControlFrame(frame, now);
    else this.onDlcFrame(frame, now);
  }

  /**
   * A frame of this session was lost on the way, `head` being its first octets, all that arrived
   * (its L2CAP PDU was cut short: docs/l2cap.md). When they show a UIH on an open DLC, the DLC
   * reports the gap ('dlc-dropped' with the length its header gave), and its credits stay in step
   * with the peer's: the peer spent one on the frame if it carried data, and granted those of its
   * credit octet. Nothing else is read from it (its FCS never came).
   */
  frameLost(head: Uint8Array, now: number): void {
    this.now = now;
    const dlci = peekDlci(head);
    const dlc = dlci ? this.dlcs.get(dlci) : undefined;
    if (!dlc?.live || head.length < 3 || (head[1] & ~PF_BIT) !== FRAME_TYPE.UIH) return;
    const at = head[2] & 1 ? 3 : 4;
    if (head.length < at) return;
    const info = at === 3 ? head[2] >>> 1 : (head[2] >>> 1) | (head[3] << 7);
    if (dlc.cbfc && head[1] & PF_BIT && head.length > at) dlc.addTxCredits(head[at]);
    if (info > 0) {
      dlc.lostFrame(info);
      this.host.emit({ type: 'dlc-dropped', dlcId: dlc.id, bytes: info, message: `a frame of ${info} byte(s) was lost on the way (its ACL fragments did not fit together): a gap in what the channel received` });
    }
    this.poke(dlc);
  }

  private decode(sdu: Uint8Array, dlci: number | undefined): RfcommFrame | undefined {
    const dlc = dlci === undefined ? undefined : this.dlcs.get(dlci);
    let error: DecodeError | undefined;
    if (dlc) {
      try {
        return decodeRfcommFrame(sdu, dlc.cbfc ? WITH_CREDITS : WITHOUT_CREDITS);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        error = e;
      }
    } else {
      for (const opts of EITHER) {
        try {
          return decodeRfcommFrame(sdu, opts);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          error ??= e;
        }
      }
    }
    if (error?.reason === 'bad FCS') this.stats.drops.badFcs++;
    else this.stats.drops.malformed++;
    this.diagnose(`discarded frame: ${error?.reason}`);
    return undefined;
  }

  private onControlFrame(f: RfcommFrame, now: number): void {
    switch (f.type) {
      case 'SABM':
        if (!f.pf) return this.dropPfZero(f);
        if (this.state === 'open') return this.out.frame('UA', 0, true);
        if (this.state === 'listening' && this.o.acceptSessions) {
          this.out.frame('UA', 0, true);
          this.moveSession(SESSION_EVENT.SABM);
          // A session the peer opens but never uses closes too. The wait is T1 of a DLC, long
          // enough for the pairing some initiators run between our UA and their PN.
          this.timers.set('idle', now + this.o.dlcAckTimeoutMs);
          return;
        }
        this.sendDm(0, true, `session refused (state ${this.state})`);
        if (this.state === 'listening') this.closeSession(SESSION_EVENT.SABM_REFUSED, 'refused', 'RFCOMM sessions are not accepted', true);
        return;
      case 'UA':
        if (!f.pf) return this.dropPfZero(f);
        if (this.state === 'connecting') {
          this.timers.clear('T1');
          this.moveSession(SESSION_EVENT.UA);
          this.startWaiting(now);
          // Every DLC it was opened for was closed while it came up.
          this.armIdleIfUnused();
        } else if (this.state === 'disconnecting') {
          this.closeSession(SESSION_EVENT.UA, 'session-closed', 'the multiplexer closed', true);
        } else this.unexpected('UA on DLCI 0');
        return;
      case 'DM':
        if (this.state === 'connecting') this.closeSession(SESSION_EVENT.DM, 'refused', 'the peer refused the RFCOMM session (DM on DLCI 0)', true, { frame: 'DM' });
        else if (this.state === 'open' || this.state === 'disconnecting') this.closeSession(SESSION_EVENT.DM, 'session-closed', 'the peer closed the RFCOMM session (DM on DLCI 0)', true, { frame: 'DM' });
        else this.unexpected('DM on DLCI 0');
        return;
      case 'DISC':
        if (!f.pf) return this.dropPfZero(f);
        if (this.state === 'listening' || this.state === 'closed') return this.sendDm(0, true, 'DISC on DLCI 0 with no session');
        this.out.frame('UA', 0, true);
        this.closeSession(SESSION_EVENT.DISC, 'session-closed', 'the peer closed the RFCOMM session', true, { frame: 'DISC' });
        return;
      case 'UIH':
        if (this.state !== 'open' && this.state !== 'disconnecting') return this.unexpected('UIH on DLCI 0 before the session is open');
        return this.onMccFrame(f.info, now);
      default:
        return this.unexpected(`${f.type} on DLCI 0`);
    }
  }

  private onDlcFrame(f: RfcommFrame, now: number): void {
    const dlc = this.dlcs.get(f.dlci);
    if ((f.type === 'SABM' || f.type === 'DISC' || f.type === 'UA') && !f.pf) return this.dropPfZero(f);
    if (this.state !== 'open') {
      if (f.type === 'SABM' || f.type === 'DISC' || f.type === 'UIH') this.sendDm(f.dlci, f.pf, `${f.type} on DLCI ${f.dlci} while the session is ${this.state}`);
      else this.unexpected(`${f.type} on DLCI ${f.dlci} while the session is ${this.state}`);
      return;
    }
    switch (f.type) {
      case 'SABM':
        if (dlc) {
          if (dlc.live) this.out.frame('UA', f.dlci, true);
          else this.sendDm(f.dlci, true, `SABM on DLCI ${f.dlci} in state ${dlc.state}`);
          return;
        }
        if (this.held.has(f.dlci)) return this.diagnose(`SABM on DLCI ${f.dlci} repeated while its authorisation is pending: dropped`);
        return this.onRemoteSabm(f.dlci, now, false);
      case 'UA':
        if (dlc?.state === DLC_STATE.WAIT_UA) {
          this.timers.clear(`T1:${f.dlci}`);
          this.connected(dlc, DLC_EVENT.UA);
        } else if (dlc?.state === DLC_STATE.DISCONNECTING) this.finish(dlc, DLC_EVENT.UA, 'disconnected', 'closed');
        else this.unexpected(`UA on DLCI ${f.dlci}`);
        return;
      case 'DM':
        this.forgetPending(f.dlci);
        if (!dlc) return this.unexpected(`DM on DLCI ${f.dlci}`);
        if (dlc.state === DLC_STATE.WAIT_PN_RSP || dlc.state === DLC_STATE.WAIT_UA) this.finish(dlc, DLC_EVENT.DM, 'refused', `the peer refused server channel ${dlc.serverChannel} (DM)`, { frame: 'DM' });
        else this.finish(dlc, DLC_EVENT.DM, 'disconnected', 'the peer closed the DLC (DM)', { frame: 'DM' });
        return;
      case 'DISC':
        this.forgetPending(f.dlci);
        this.held.delete(f.dlci);
        if (!dlc) return this.sendDm(f.dlci, true, `DISC on DLCI ${f.dlci} that is not open`);
        this.out.frame('UA', f.dlci, true);
        this.finish(dlc, DLC_EVENT.DISC, dlc.state === DLC_STATE.WAIT_PN_RSP || dlc.state === DLC_STATE.WAIT_UA ? 'refused' : 'disconnected', 'the peer closed the DLC', { frame: 'DISC' });
        return;
      case 'UIH':
        if (!dlc || !dlc.live) return this.sendDm(f.dlci, f.pf, `UIH on DLCI ${f.dlci} that is not open`);
        return this.onData(dlc, f);
      default:
        return this.unexpected(`${f.type} on DLCI ${f.dlci}`);
    }
  }

  /** True when `dlci` names a server channel on this side (direction bit, A2 rule 3). */
  private isLocalDlci(dlci: number): boolean {
    return !RESERVED_DLCIS.has(dlci) && (dlci & 1) === (this.initiator ? 1 : 0);
  }

  /** Why the peer may not open `dlci` towards us, or undefined when it may. */
  private refusal(dlci: number): string | undefined {
    if (RESERVED_DLCIS.has(dlci)) return `DLCI ${dlci} is reserved`;
    if (!this.isLocalDlci(dlci)) return `DLCI ${dlci} has the wrong direction bit for a channel on this side`;
    if (!this.host.isServerChannel(dlci >>> 1)) return `server channel ${dlci >>> 1} is not registered`;
    const others = this.dlcCount + this.pendingPn.size - (this.pendingPn.has(dlci) ? 1 : 0);
    if (others >= this.o.maxDlcsPerSession) return `the session already has ${others} DLCs open or negotiated (maxDlcsPerSession)`;
    return undefined;
  }

  /** The peer's SABM for `dlci`, which has no DLC: refused, held for authorisation, or opened. */
  private onRemoteSabm(dlci: number, now: number, authorized: boolean): void {
    const why = this.refusal(dlci);
    if (why) {
      if (RESERVED_DLCIS.has(dlci) || !this.isLocalDlci(dlci)) this.stats.drops.invalidDlci++;
      this.forgetPending(dlci);
      return this.sendDm(dlci, true, `SABM refused: ${why}`);
    }
    if (!authorized && this.host.needsAuthorization(dlci >>> 1)) {
      const request = this.host.newAuthorization();
      this.held.set(dlci, request);
      this.host.emit({ type: 'dlc-authorize', sessionId: this.id, request, dlci, serverChannel: dlci >>> 1 });
      return;
    }
    const dlc = new Dlc(this.host.newDlcId(), dlci >>> 1, true, this.o.maxTxBytes, this.o.maxRxBytes);
    dlc.dlci = dlci;
    dlc.apply(this.pendingPn.get(dlci) ?? { n1: Math.min(DEFAULT_N1, maxN1For(this.limits, false)), cbfc: false, txCredits: 0, rxCredits: 0 });
    dlc.rpn = this.pendingRpn.get(dlci) ?? dlc.rpn;
    this.dlcs.set(dlci, dlc);
    this.forgetPending(dlci);
    this.hadDlc = true;
    this.timers.clear('idle');
    this.host.adopt(dlc, this);
    this.out.frame('UA', dlci, true);
    this.connected(dlc, DLC_EVENT.SABM);
  }

  private connected(dlc: Dlc, event: DlcEvent): void {
    this.moveDlc(dlc, event);
    this.queueMcc({ type: 'MSC', cr: true, dlci: dlc.dlci, signals: dlc.signals }, `T2:MSC:${dlc.dlci}`);
    this.poke(dlc);
  }

  private maybeOpen(dlc: Dlc, force: boolean): void {
    if (dlc.opened || dlc.state !== DLC_STATE.CONNECTED) return;
    if (!force && !dlc.mscAnswered && !dlc.peerMscSeen) return;
    dlc.opened = true;
    this.host.emit({ type: 'dlc-open', dlcId: dlc.id, sessionId: this.id, serverChannel: dlc.serverChannel, dlci: dlc.dlci, n1: dlc.n1, incoming: dlc.incoming });
    this.poke(dlc);
  }

  private emitSignals(dlc: Dlc, signals: number, breakMs: number | undefined): void {
    this.host.emit(breakMs === undefined ? { type: 'dlc-signals', dlcId: dlc.id, signals } : { type: 'dlc-signals', dlcId: dlc.id, signals, breakMs });
  }

  private onData(dlc: Dlc, f: RfcommFrame): void {
    dlc.stats.framesRx++;
    if (f.credits !== undefined) {
      dlc.addTxCredits(f.credits);
      this.poke(dlc);
    }
    if (f.info.length === 0) return;
    const drop = dlc.acceptData(f.info.length);
    if (drop) {
      dlc.stats.drops[drop]++;
      this.host.emit({ type: 'dlc-dropped', dlcId: dlc.id, bytes: f.info.length, message: `the peer sent ${f.info.length} byte(s) ${DROP_WHY[drop]}: they were dropped` });
      return;
    }
    dlc.stats.bytesRx += f.info.length;
    this.maybeOpen(dlc, true);
    this.host.emit({ type: 'dlc-data', dlcId: dlc.id, data: f.info });
    this.announceLocalFc(dlc);
    this.poke(dlc);
  }

  /** Sends MSC with our FC bit when it must change; true when it did. */
  private announceLocalFc(dlc: Dlc): boolean {
    const fc = dlc.localFcChange();
    if (fc === undefined) return false;
    dlc.localFc = fc;
    this.queueMcc({ type: 'MSC', cr: true, dlci: dlc.dlci, signals: fc ? dlc.signals | V24.FC : dlc.signals & ~V24.FC });
    return true;
  }

  // ── multiplexer control commands ───────────────────────────────────────────

  private onMccFrame(info: Uint8Array, now: number): void {
    let mcc: Mcc;
    try {
      mcc = decodeMcc(info);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.drops.badMcc++;
      this.diagnose(`discarded MCC: ${e.reason}`);
      return;
    }
    this.stats.mccRx++;
    if (this.o.reportMcc) this.host.emit({ type: 'mcc', sessionId: this.id, mcc });
    if (mcc.cr) this.onMccCommand(mcc);
    else this.onMccResponse(mcc, now);
  }

  private onMccCommand(mcc: Mcc): void {
    switch (mcc.type) {
      case 'PN':
        return this.onPnCommand(mcc);
      case 'MSC': {
        const dlc = this.dlcs.get(mcc.dlci);
        if (!dlc || !(dlc.live || dlc.state === DLC_STATE.DISCONNECTING)) return this.unexpected(`MSC for DLCI ${mcc.dlci} that is not open`);
        this.queueMcc({ ...mcc, cr: false });
        dlc.peerFc = (mcc.signals & V24.FC) !== 0;
        dlc.peerMscSeen = true;
        this.maybeOpen(dlc, false);
        this.poke(dlc);
        if (dlc.opened) this.emitSignals(dlc, mcc.signals, mscBreakMs(mcc.breakSignal));
        return;
      }
      case 'RPN':
        return this.onRpnCommand(mcc);
      case 'RLS':
      case 'Test':
        return this.queueMcc({ ...mcc, cr: false });
      case 'FCon':
      case 'FCoff':
        this.aggregateOff = mcc.type === 'FCoff';
        if (!this.aggregateOff) for (const dlc of this.dlcs.values()) this.poke(dlc);
        return this.queueMcc({ type: mcc.type, cr: false });
      case 'NSC':
        return this.unexpected('NSC sent as a command');
      case 'unknown':
        this.stats.nscSent++;
        this.diagnose(`unsupported MCC type 0x${mcc.code.toString(16)}: NSC`);
        return this.queueMcc({ type: 'NSC', cr: false, commandType: mccTypeOctet(mcc) });
    }
  }

  private onPnCommand(pn: PnMcc): void {
    const existing = this.dlcs.get(pn.dlci);
    if (existing) {
      const offer = this.offers.get(pn.dlci);
      return this.queueMcc(offer ? currentPn(pn, offer.n1, offer.cbfc) : currentPn(pn, existing.n1, existing.cbfc));
    }
    if (RESERVED_DLCIS.has(pn.dlci)) {
      this.stats.drops.invalidDlci++;
      return this.diagnose(`PN for reserved DLCI ${pn.dlci} ignored`);
    }
    const why = this.refusal(pn.dlci);
    if (why) {
      if (!this.isLocalDlci(pn.dlci)) this.stats.drops.invalidDlci++;
      return this.sendDm(pn.dlci, false, `PN refused: ${why}`);
    }
    const { params, response } = answerPn(this.limits, pn);
    this.pendingPn.set(pn.dlci, params);
    this.timers.set(`pending:${pn.dlci}`, this.now + this.o.dlcAckTimeoutMs);
    this.timers.clear('idle');
    this.hadDlc = true;
    this.queueMcc(response);
  }

  /** RPN (TS 07.10 §5.4.6.3.9): a query gets the current settings, a set request is applied by its mask. */
  private onRpnCommand(mcc: RpnMcc): void {
    const dlc = this.dlcs.get(mcc.dlci);
    const current = dlc?.rpn ?? this.pendingRpn.get(mcc.dlci) ?? RPN_DEFAULT;
    if (!mcc.params) return this.queueMcc({ type: 'RPN', cr: false, dlci: mcc.dlci, params: { ...current, mask: RPN_MASK_ALL } });
    const { settings, response } = applyRpn(current, mcc.params);
    if (dlc) dlc.rpn = settings;
    else if (this.refusal(mcc.dlci) === undefined) {
      this.pendingRpn.set(mcc.dlci, settings);
      this.timers.set(`pending:${mcc.dlci}`, this.now + this.o.dlcAckTimeoutMs);
    }
    this.queueMcc({ type: 'RPN', cr: false, dlci: mcc.dlci, params: response });
  }

  private onMccResponse(mcc: Mcc, now: number): void {
    switch (mcc.type) {
      case 'PN': {
        const dlc = this.dlcs.get(mcc.dlci);
        const offer = this.offers.get(mcc.dlci);
        if (!dlc || dlc.state !== DLC_STATE.WAIT_PN_RSP || !offer) return this.unexpected(`PN response for DLCI ${mcc.dlci}`);
        this.timers.clear(`T2:PN:${mcc.dlci}`);
        this.offers.delete(mcc.dlci);
        dlc.apply(acceptPnResponse(offer, mcc));
        this.moveDlc(dlc, DLC_EVENT.PN_RSP);
        this.out.frame('SABM', dlc.dlci, true);
        this.timers.set(`T1:${dlc.dlci}`, now + this.o.dlcAckTimeoutMs);
        return;
      }
      case 'MSC': {
        const dlc = this.dlcs.get(mcc.dlci);
        if (!dlc) return this.unexpected(`MSC response for DLCI ${mcc.dlci}`);
        this.timers.clear(`T2:MSC:${mcc.dlci}`);
        dlc.mscAnswered = true;
        return this.maybeOpen(dlc, false);
      }
      case 'NSC': {
        for (const key of this.t2KeysFor(mcc.commandType)) this.timers.clear(key);
        // A peer without MSC never answers ours: do not let the gating wait for it.
        if (mcc.commandType >>> 2 === MCC_TYPE.MSC) for (const dlc of this.dlcs.values()) this.maybeOpen(dlc, true);
        return;
      }
      case 'unknown':
        return this.unexpected(`response to unknown MCC type 0x${mcc.code.toString(16)}`);
      default:
        this.timers.clear(this.t2Key(mcc));
        return;
    }
  }

  private t2Key(mcc: Mcc): string {
    return 'dlci' in mcc ? `T2:${mcc.type}:${mcc.dlci}` : `T2:${mcc.type === 'FCoff' ? 'FCon' : mcc.type}`;
  }

  /** The T2 keys an NSC naming `typeOctet` answers (every DLC's for per-DLC commands). */
  private t2KeysFor(typeOctet: number): string[] {
    const name = (Object.keys(MCC_TYPE) as (keyof typeof MCC_TYPE)[]).find((n) => MCC_TYPE[n] === typeOctet >>> 2);
    if (!name) return [];
    const base = name === 'FCoff' ? 'FCon' : name;
    return [`T2:${base}`, ...[...this.dlcs.keys()].map((dlci) => `T2:${base}:${dlci}`)];
  }

  // ── timers ─────────────────────────────────────────────────────────────────

  /** One of this session's timers expired (its manager keeps them all, session-timers.ts). */
  onTimer(key: string, now: number): void {
    this.now = now;
    this.timers.expired(key);
    const [kind, a, b] = key.split(':');
    if (key === 'T1') {
      if (this.state === 'connecting') this.closeSession(SESSION_EVENT.T1, 'timeout', 'no answer to SABM on DLCI 0 (T1)', true, { timer: 'T1' });
      else if (this.state === 'disconnecting') this.closeSession(SESSION_EVENT.T1, 'session-closed', 'no answer to DISC on DLCI 0 (T1)', true, { timer: 'T1' });
    } else if (key === 'idle') {
      if (this.state === 'open' && this.dlcCount === 0 && this.pendingPn.size === 0) {
        this.moveSession(SESSION_EVENT.IDLE_TIMEOUT);
        this.out.frame('DISC', 0, true);
        this.timers.set('T1', now + this.o.sessionAckTimeoutMs);
      }
    } else if (kind === 'T1') {
      const dlc = this.dlcs.get(Number(a));
      if (dlc?.state === DLC_STATE.WAIT_UA) this.finish(dlc, DLC_EVENT.T1, 'timeout', 'no answer to SABM (T1)', { timer: 'T1' });
      else if (dlc?.state === DLC_STATE.DISCONNECTING) this.finish(dlc, DLC_EVENT.T1, 'timeout', 'no answer to DISC (T1)', { timer: 'T1' });
    } else if (kind === 'pending') {
      if (this.pendingPn.has(Number(a))) this.diagnose(`PN for DLCI ${a} forgotten: no SABM followed within dlcAckTimeoutMs`);
      this.forgetPending(Number(a));
    } else if (kind === 'linger') {
      const dlc = this.dlcs.get(Number(a));
      if (dlc?.state === DLC_STATE.CLOSING) {
        dlc.undelivered += dlc.txQueue.length;
        dlc.txQueue.clear();
        this.sendDisc(dlc, DLC_EVENT.LINGER_TIMEOUT, now);
      }
    } else if (kind === 'T2' && a === 'PN') {
      const dlc = this.dlcs.get(Number(b));
      if (dlc?.state === DLC_STATE.WAIT_PN_RSP) this.finish(dlc, DLC_EVENT.T2, 'timeout', 'no answer to PN (T2)', { timer: 'T2' });
    } else if (kind === 'T2' && a === 'MSC') {
      const dlc = this.dlcs.get(Number(b));
      if (dlc) this.maybeOpen(dlc, true);
    }
  }

  // ── output ─────────────────────────────────────────────────────────────────

  /**
   * This session's turn to send: writes exactly one frame (a control frame first, else the next
   * ready DLC's data or credit frame) through `allocate(length)` and returns what it allocated, or
   * undefined when nothing can be sent now.
   */
  produce<S extends ByteSink>(allocate: (length: number) => S): S | undefined {
    this.producing = true;
    try {
      return this.produceFrame(allocate);
    } finally {
      this.producing = false;
    }
  }

  private produceFrame<S extends ByteSink>(allocate: (length: number) => S): S | undefined {
    const control = this.out.shift();
    if (control) {
      const sink = allocate(control.length);
      sink.put(control);
      this.counted(control.length);
      if (this.out.length === 0 && !this.closeReported) this.reportClosed();
      return sink;
    }
    for (let dlc = this.ready.shift(); dlc; dlc = this.ready.shift()) {
      dlc.inRing = false;
      if (this.dlcs.get(dlc.dlci) !== dlc) continue;
      const info = dlc.frameInfo(this.aggregateOff);
      const grant = info > 0 || dlc.creditFrameDue() ? dlc.grantDue() : 0;
      if (info === 0 && grant === 0) continue;
      const credits = grant > 0 ? grant : undefined;
      const length = info + rfcommOverhead(info, credits !== undefined);
      const sink = allocate(length);
      const crc = writeRfcommHeader(sink, 'UIH', dlc.dlci, this.initiator, credits !== undefined, info, credits);
      dlc.takeFrame(info, grant, sink);
      sink.u8(0xff - crc);
      this.counted(length);
      if (dlc.takeWritable()) this.host.emit({ type: 'dlc-writable', dlcId: dlc.id });
      if (dlc.state === DLC_STATE.CLOSING && dlc.txQueue.length === 0) {
        this.timers.clear(`linger:${dlc.dlci}`);
        this.sendDisc(dlc, DLC_EVENT.QUEUE_EMPTY, this.now);
      }
      this.poke(dlc);
      return sink;
    }
    return undefined;
  }

  private counted(length: number): void {
    this.stats.framesTx++;
    this.stats.bytesTx += length;
  }

  /** Puts `dlc` in the ring of DLCs with a frame to send when it has one now. */
  private poke(dlc: Dlc): void {
    if (dlc.canSendData(this.aggregateOff) || dlc.creditFrameDue()) this.markReady(dlc);
  }

  private markReady(dlc: Dlc): void {
    if (!dlc.inRing) {
      dlc.inRing = true;
      this.ready.push(dlc);
    }
    // During a turn the caller asks `wantsToSend` when it ends: no request needed (one per frame saved).
    if (!this.producing) this.host.requestSend(this);
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  private startMultiplexer(now: number): void {
    this.moveSession(SESSION_EVENT.OPEN_REQ);
    this.out.frame('SABM', 0, true);
    this.timers.set('T1', now + this.o.sessionAckTimeoutMs);
  }

  private startWaiting(now: number): void {
    for (const dlc of this.waiting.splice(0)) {
      dlc.dlci = (dlc.serverChannel << 1) | (this.initiator ? 0 : 1);
      if (this.dlcs.has(dlc.dlci)) {
        this.finishUnlisted(dlc, DLC_EVENT.DLCI_IN_USE, 'refused', `DLCI ${dlc.dlci} is already in use on this session`);
        continue;
      }
      this.dlcs.set(dlc.dlci, dlc);
      this.moveDlc(dlc, DLC_EVENT.MUX_OPEN);
      const { offer, command } = pnOffer(this.limits, dlc.dlci);
      this.offers.set(dlc.dlci, offer);
      this.queueMcc(command, `T2:PN:${dlc.dlci}`);
    }
  }

  private sendDisc(dlc: Dlc, event: DlcEvent, now: number): void {
    this.moveDlc(dlc, event);
    this.out.frame('DISC', dlc.dlci, true);
    this.timers.set(`T1:${dlc.dlci}`, now + this.o.dlcAckTimeoutMs);
  }

  private finish(dlc: Dlc, event: DlcEvent, reason: RfcommCloseReason, message: string, cause: DlcCloseCause = {}): void {
    this.dlcs.delete(dlc.dlci);
    this.offers.delete(dlc.dlci);
    for (const k of ['T1', 'T2:PN', 'T2:MSC', 'linger']) this.timers.clear(`${k}:${dlc.dlci}`);
    this.finishUnlisted(dlc, event, reason, message, cause);
    this.armIdleIfUnused();
  }

  /** Drops what the peer negotiated (PN, RPN) for a DLCI it has not opened. */
  private forgetPending(dlci: number): void {
    const hadPn = this.pendingPn.delete(dlci);
    this.pendingRpn.delete(dlci);
    this.timers.clear(`pending:${dlci}`);
    if (hadPn) this.armIdleIfUnused();
  }

  /** Starts the idle grace period once the open session has had DLCs and has none left. */
  private armIdleIfUnused(): void {
    if (this.state === 'open' && this.hadDlc && this.dlcCount === 0 && this.pendingPn.size === 0) {
      this.timers.set('idle', this.now + this.o.sessionIdleMs);
    }
  }

  private finishUnlisted(dlc: Dlc, event: DlcEvent, reason: RfcommCloseReason, message: string, cause: DlcCloseCause = {}): void {
    this.moveDlc(dlc, event);
    const unsent = dlc.undelivered + dlc.txQueue.length;
    dlc.txQueue.clear();
    this.host.release(dlc);
    const lost = unsent > 0 ? `; ${unsent} byte(s) written were never sent` : '';
    this.host.emit({ type: 'dlc-closed', dlcId: dlc.id, reason, message: message + lost, unsent, ...cause });
  }

  private closeAll(reason: RfcommCloseReason, message: string, cause: DlcCloseCause = {}): void {
    for (const dlc of this.waiting.splice(0)) this.finishUnlisted(dlc, DLC_EVENT.SESSION_DOWN, reason, message, cause);
    for (const dlc of [...this.dlcs.values()]) {
      this.dlcs.delete(dlc.dlci);
      this.finishUnlisted(dlc, DLC_EVENT.SESSION_DOWN, reason, message, cause);
    }
    this.pendingPn.clear();
    this.pendingRpn.clear();
    this.offers.clear();
    this.held.clear();
  }

  private closeSession(event: SessionEvent, reason: RfcommCloseReason, message: string, report: boolean, cause: DlcCloseCause = {}): void {
    this.moveSession(event);
    this.timers.clearAll();
    this.ready.clear();
    this.closeAll(reason, message, cause);
    if (!report) return;
    // The frame that ends the session (UA, DM or DISC) leaves before the L2CAP channel closes.
    this.closeReported = false;
    if (this.out.length === 0) this.reportClosed();
  }

  private reportClosed(): void {
    this.closeReported = true;
    this.host.emit({ type: 'session-closed', sessionId: this.id });
  }

  /** The only writer of the session's state (session-state.ts); an undefined edge becomes a 'session-error' event. */
  private moveSession(event: SessionEvent): void {
    const fault = this.host.sessionMachine.transition(this, this.id, event, this.now);
    if (fault) this.host.emit({ type: 'session-error', sessionId: this.id, message: fault.message });
  }

  /** The only writer of a DLC's state (dlc-state.ts); an undefined edge becomes a 'session-error' event. */
  private moveDlc(dlc: Dlc, event: DlcEvent): void {
    const fault = this.host.dlcMachine.transition(dlc, dlc.id, event, this.now);
    if (fault) this.host.emit({ type: 'session-error', sessionId: this.id, message: fault.message });
  }

  private sendDm(dlci: number, f: boolean, why: string): void {
    this.stats.dmSent++;
    this.diagnose(`DM on DLCI ${dlci}: ${why}`);
    this.out.frame('DM', dlci, f);
  }

  private queueMcc(mcc: Mcc, t2Key?: string): void {
    this.stats.mccTx++;
    this.out.mcc(mcc);
    if (t2Key) this.timers.set(t2Key, this.now + this.o.mccResponseTimeoutMs);
  }

  private dropPfZero(f: RfcommFrame): void {
    this.stats.drops.pfZero++;
    this.diagnose(`${f.type} on DLCI ${f.dlci} with P/F = 0 discarded`);
  }

  private unexpected(what: string): void {
    this.stats.drops.unexpected++;
    this.diagnose(`ignored: ${what}`);
  }

  private diagnose(message: string): void {
    if (this.o.reportDiagnostics) this.host.emit({ type: 'diagnostic', sessionId: this.id, message });
  }
}
