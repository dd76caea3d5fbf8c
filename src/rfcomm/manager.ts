/**
 * RfcommManager: every RFCOMM session of the stack (one per L2CAP channel on PSM 3, named by the
 * channel's local CID) and the server channels this side offers (docs/layers.md "RFCOMM").
 *
 * Sans-I/O: inputs are `sessionUp`, `receive`, `sessionDown` and the application's `connect`,
 * `write`, `consume`, `close`; outputs are drained with `pollEvent`, `pollTimeout` and
 * `handleTimeout`. Frames leave on turns (DESIGN.md rule 8): a session with something to send is
 * reported once by `pollSendRequest`; on its turn (its L2CAP channel's link has room) the composer
 * calls `produce(sessionId, allocate)`, which writes one frame into what `allocate` returns.
 * `pollTransmit` serves callers with nothing below (tests, tools): the sessions take turns, each
 * frame in an array of its own. DLCs take turns within a session. dlcIds are never reused.
 * `write` keeps the bytes it is given by reference until they are sent (byte-queue.ts).
 * The timers of every session live in one `TimerSet` (session-timers.ts).
 *
 * `l2capMtu` in `sessionUp` is the smaller of the channel's two MTUs: frames we send must fit the
 * peer's, frames we accept must fit ours. On 'session-closed' the composer drains `pollTransmit`
 * (the last UA or DISC) and then disconnects the L2CAP channel. `sessionDown` closes every DLC of
 * the session with reason 'session-closed' and reports no 'session-closed' event.
 */
import { ArgumentError, BoundedQueue, type ByteSink, ByteWriter, InvalidStateError, Ring, type StateRecord, TimerSet } from '../core/index.js';
import { Dlc } from './dlc.js';
import { DLC_STATE, type DlcEvent, type DlcState, newDlcMachine } from './dlc-state.js';
import { type SessionEvent, type SessionState, newSessionMachine } from './session-state.js';
import type { RfcommEvent } from './events.js';
import { Multiplexer, type MuxHost } from './multiplexer.js';
import { SessionTimers, splitTimerKey } from './session-timers.js';
import { resolveRfcommOptions, type ResolvedRfcommOptions, type RfcommOptions } from './options.js';
import type { DlcStats, SessionStats } from './stats.js';
import { MSC_BREAK_MAX_MS, V24_DEFAULT, type Mcc, type RpnParams } from './wire/index.js';

/** Server channels RFCOMM offers (RFCOMM 1.2 §5.4: 1..30). */
export const MIN_SERVER_CHANNEL = 1;
export const MAX_SERVER_CHANNEL = 30;

export interface DlcInfo {
  readonly dlcId: number;
  readonly sessionId: number;
  readonly serverChannel: number;
  readonly dlci: number;
  readonly incoming: boolean;
  readonly state: string;
  readonly open: boolean;
  readonly n1: number;
  readonly creditBasedFlowControl: boolean;
  readonly txCredits: number;
  readonly rxCredits: number;
  readonly txQueued: number;
  readonly rxUnconsumed: number;
}

export interface SessionInfo {
  readonly sessionId: number;
  readonly state: string;
  readonly initiator: boolean;
  readonly l2capMtu: number;
  readonly dlcs: number;
}

export class RfcommManager {
  readonly options: ResolvedRfcommOptions;
  private readonly sessions = new Map<number, Multiplexer>();
  private readonly dlcs = new Map<number, { dlc: Dlc; session: Multiplexer }>();
  private readonly serverChannels = new Set<number>();
  /** Server channels whose incoming DLCs wait for `authorize`. */
  private readonly authorizedChannels = new Set<number>();
  private nextAuthorization = 1;
  private readonly events: BoundedQueue<RfcommEvent>;
  private readonly timers = new TimerSet<string>();
  /** Sessions that have had something to send since they were last reported, oldest first. */
  private readonly sendRequests = new Ring<Multiplexer>();
  private dropped = 0;

  /**
   * `newDlcId` numbers the DLCs (default: 1, 2, 3 …). A composer that gives channels ids of its
   * own passes its counter, so that a DLC has one id at every layer and nothing translates them.
   */
  constructor(
    options: RfcommOptions = {},
    private readonly newDlcId: () => number = counter(),
  ) {
    this.options = resolveRfcommOptions(options);
    this.events = new BoundedQueue(this.options.maxPendingEvents);
    this.host = this.makeHost();
  }

  // ── server channels ────────────────────────────────────────────────────────

  registerServerChannel(channel: number): void {
    checkChannel(channel);
    if (this.serverChannels.has(channel)) throw new InvalidStateError(`RFCOMM server channel ${channel} is already registered`);
    this.serverChannels.add(channel);
  }

  unregisterServerChannel(channel: number): void {
    this.serverChannels.delete(channel);
  }

  /**
   * Whether the peer's SABMs for server channel `channel` wait for a decision: each is reported as
   * 'dlc-authorize' and answered by `authorize` (UA and the DLC, or DM with F = 1).
   */
  requireAuthorization(channel: number, required: boolean): void {
    if (!required) {
      this.authorizedChannels.delete(channel);
      return;
    }
    checkChannel(channel);
    this.authorizedChannels.add(channel);
  }

  /**
   * Answers a 'dlc-authorize': `granted` opens the DLC as the SABM asked (UA), otherwise the peer
   * gets DM with F = 1. False when the request is no longer held (a DISC cancelled it, or its
   * session closed).
   */
  authorize(sessionId: number, request: number, granted: boolean, now: number): boolean {
    return this.sessions.get(sessionId)?.authorize(request, granted, now) ?? false;
  }

  allocateServerChannel(): number {
    for (let ch = MIN_SERVER_CHANNEL; ch <= MAX_SERVER_CHANNEL; ch++) {
      if (!this.serverChannels.has(ch)) {
        this.serverChannels.add(ch);
        return ch;
      }
    }
    throw new InvalidStateError('all 30 RFCOMM server channels are registered: unregister one first');
  }

  // ── sessions ───────────────────────────────────────────────────────────────

  sessionUp(sessionId: number, params: { initiator: boolean; l2capMtu: number }, now: number): void {
    if (this.sessions.has(sessionId) && this.sessions.get(sessionId)!.state !== 'closed') throw new InvalidStateError(`RFCOMM session ${sessionId} is already up`);
    if (!Number.isInteger(params.l2capMtu) || params.l2capMtu < 7) throw new ArgumentError(`l2capMtu must be an integer ≥ 7, got ${params.l2capMtu}`);
    this.sessions.set(sessionId, new Multiplexer(sessionId, params.initiator, params.l2capMtu, this.host, new SessionTimers(this.timers, sessionId), now));
  }

  sessionDown(sessionId: number, now: number): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    s.down(now);
    this.sessions.delete(sessionId);
  }

  receive(sessionId: number, sdu: Uint8Array, now: number): void {
    this.sessions.get(sessionId)?.receive(sdu, now);
  }

  /** A frame of the session was lost on the way; `head` is what arrived of it (Multiplexer.frameLost). */
  frameLost(sessionId: number, head: Uint8Array, now: number): void {
    this.sessions.get(sessionId)?.frameLost(head, now);
  }

  // ── DLCs ───────────────────────────────────────────────────────────────────

  /** Opens a DLC to `serverChannel` on the session; `id` is the id it takes (default: `newDlcId()`), which must be free. */
  connect(sessionId: number, serverChannel: number, now: number, id = this.newDlcId()): number {
    checkChannel(serverChannel);
    if (this.dlcs.has(id)) throw new InvalidStateError(`RFCOMM DLC id ${id} is in use`);
    const s = this.sessions.get(sessionId);
    if (!s || s.state === 'closed' || s.state === 'disconnecting') throw new InvalidStateError(`RFCOMM session ${sessionId} is not up: open an L2CAP channel on PSM 3 first`);
    if (s.dlcCount >= this.options.maxDlcsPerSession) throw new InvalidStateError(`RFCOMM session ${sessionId} already has ${s.dlcCount} DLCs (maxDlcsPerSession)`);
    if (s.hasChannel(serverChannel)) throw new InvalidStateError(`server channel ${serverChannel} is already connected on session ${sessionId}`);
    const dlc = new Dlc(id, serverChannel, false, this.options.maxTxBytes, this.options.maxRxBytes);
    this.dlcs.set(dlc.id, { dlc, session: s });
    s.connect(dlc, now);
    return dlc.id;
  }

  write(dlcId: number, bytes: Uint8Array): number {
    const { dlc, session } = this.lookup(dlcId);
    if (dlc.state === DLC_STATE.CLOSING || dlc.state === DLC_STATE.DISCONNECTING || dlc.state === DLC_STATE.CLOSED) throw new InvalidStateError(`RFCOMM DLC ${dlcId} is closing: no more writes`);
    return session.write(dlc, bytes);
  }

  /** The reader took n received bytes; true when that puts a frame in line to send (credits, MSC FC). */
  consume(dlcId: number, n: number, now: number): boolean {
    if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`consume needs a byte count ≥ 0, got ${n}`);
    const entry = this.dlcs.get(dlcId);
    return entry ? entry.session.consume(entry.dlc, n, now) : false;
  }

  /** Sends our V.24 signals on an open DLC (MSC command), with a break of `breakMs` (200..3000 ms) when given. */
  setSignals(dlcId: number, signals: number, now: number, breakMs?: number): void {
    if (!Number.isInteger(signals) || signals < 0 || signals > 0xff) throw new ArgumentError(`V.24 signals are one octet, not ${signals}`);
    if (breakMs !== undefined && !(breakMs >= 0 && breakMs <= MSC_BREAK_MAX_MS)) throw new ArgumentError(`a break lasts 0 to ${MSC_BREAK_MAX_MS} ms (15 units of 200 ms), not ${breakMs}`);
    const entry = this.dlcs.get(dlcId);
    if (!entry || entry.dlc.state !== DLC_STATE.CONNECTED) throw new InvalidStateError(`RFCOMM DLC ${dlcId} is not open`);
    entry.session.setSignals(entry.dlc, signals, breakMs, now);
  }

  close(dlcId: number, now: number): void {
    const entry = this.dlcs.get(dlcId);
    if (entry) entry.session.close(entry.dlc, now);
  }

  // ── outputs ────────────────────────────────────────────────────────────────

  /** A session that has had something to send since it was last reported: give it a turn. */
  pollSendRequest(): number | undefined {
    for (let s = this.sendRequests.shift(); s; s = this.sendRequests.shift()) {
      s.sendRequested = false;
      if (this.sessions.get(s.id) === s) return s.id;
    }
    return undefined;
  }

  /** Whether the session still has something to send (after a turn: ask for another). */
  wantsToSend(sessionId: number): boolean {
    return this.sessions.get(sessionId)?.wantsToSend ?? false;
  }

  /** The session's turn: one frame written through `allocate(length)` (returned), or undefined when it has none. */
  produce<S extends ByteSink>(sessionId: number, allocate: (length: number) => S): S | undefined {
    return this.sessions.get(sessionId)?.produce(allocate);
  }

  /** The next frame of any session, in an array of its own (sessions take turns): for callers with nothing below. */
  pollTransmit(): { sessionId: number; sdu: Uint8Array } | undefined {
    for (let id = this.pollSendRequest(); id !== undefined; id = this.pollSendRequest()) {
      const s = this.sessions.get(id)!;
      const frame = s.produce(ByteWriter.alloc);
      if (s.wantsToSend) this.host.requestSend(s);
      if (frame) return { sessionId: id, sdu: frame.result() };
    }
    return undefined;
  }

  pollEvent(): RfcommEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): number | undefined {
    return this.timers.next();
  }

  handleTimeout(now: number): void {
    for (const composite of this.timers.expire(now)) {
      const { sessionId, key } = splitTimerKey(composite);
      this.sessions.get(sessionId)?.onTimer(key, now);
    }
  }

  // ── research helpers (every byte visible and injectable) ───────────────────

  /** Sends any multiplexer command or response on DLCI 0; a command arms T2. */
  sendMcc(sessionId: number, mcc: Mcc, now: number): void {
    this.openSession(sessionId).sendMcc(mcc, now);
  }

  /** Test command (TS 07.10 §5.4.6.3.4); the echo arrives as an 'mcc' event with reportMcc. */
  sendTest(sessionId: number, pattern: Uint8Array, now: number): void {
    this.sendMcc(sessionId, { type: 'Test', cr: true, pattern }, now);
  }

  /** RPN query (no params) or set request for a DLCI. */
  sendRpn(sessionId: number, dlci: number, params: RpnParams | undefined, now: number): void {
    this.sendMcc(sessionId, params ? { type: 'RPN', cr: true, dlci, params } : { type: 'RPN', cr: true, dlci }, now);
  }

  sendRls(sessionId: number, dlci: number, lineStatus: number, now: number): void {
    this.sendMcc(sessionId, { type: 'RLS', cr: true, dlci, lineStatus }, now);
  }

  sendMsc(sessionId: number, dlci: number, signals = V24_DEFAULT, breakSignal: number | undefined, now: number): void {
    this.sendMcc(sessionId, breakSignal === undefined ? { type: 'MSC', cr: true, dlci, signals } : { type: 'MSC', cr: true, dlci, signals, breakSignal }, now);
  }

  /** Aggregate flow control: FCoff asks the peer to stop sending on every DLC, FCon to resume. */
  sendFlowControl(sessionId: number, on: boolean, now: number): void {
    this.sendMcc(sessionId, { type: on ? 'FCon' : 'FCoff', cr: true }, now);
  }

  /** Queues raw bytes as one SDU on the session (malformed-frame injection). */
  inject(sessionId: number, sdu: Uint8Array): void {
    this.openSession(sessionId).inject(sdu);
  }

  // ── introspection ──────────────────────────────────────────────────────────

  /** Events dropped because nobody polled them (maxPendingEvents). */
  get eventsDropped(): number {
    return this.dropped;
  }

  dlcInfo(dlcId: number): DlcInfo | undefined {
    const e = this.dlcs.get(dlcId);
    if (!e) return undefined;
    const d = e.dlc;
    return {
      dlcId,
      sessionId: e.session.id,
      serverChannel: d.serverChannel,
      dlci: d.dlci,
      incoming: d.incoming,
      state: d.state,
      open: d.opened,
      n1: d.n1,
      creditBasedFlowControl: d.cbfc,
      txCredits: d.txCredits,
      rxCredits: d.rxOutstanding,
      txQueued: d.txQueue.length,
      rxUnconsumed: d.unconsumed,
    };
  }

  sessionInfo(sessionId: number): SessionInfo | undefined {
    const s = this.sessions.get(sessionId);
    return s && { sessionId, state: s.state, initiator: s.initiator, l2capMtu: s.l2capMtu, dlcs: s.dlcCount };
  }

  dlcStats(dlcId: number): DlcStats | undefined {
    const e = this.dlcs.get(dlcId) ?? this.closedStats.get(dlcId);
    if (!e) return undefined;
    const st = 'dlc' in e ? e.dlc.stats : e;
    return { ...st, drops: { ...st.drops } };
  }

  stats(sessionId: number): SessionStats | undefined {
    const s = this.sessions.get(sessionId);
    return s && { ...s.stats, drops: { ...s.stats.drops } };
  }

  /** The latest DLC state changes and undefined edges of every session, oldest first (dlc-state.ts). */
  dlcStateHistory(): StateRecord<DlcState, DlcEvent>[] {
    return this.dlcMachine.history();
  }

  /** The latest session state changes and undefined edges, oldest first (session-state.ts). */
  sessionStateHistory(): StateRecord<SessionState, SessionEvent>[] {
    return this.sessionMachine.history();
  }

  /** Statistics of the most recently closed DLCs (bounded), so a test can read them after close. */
  private readonly closedStats = new Map<number, DlcStats>();

  // ── plumbing ───────────────────────────────────────────────────────────────

  private readonly host: MuxHost;
  private readonly dlcMachine = newDlcMachine();
  private readonly sessionMachine = newSessionMachine();

  private makeHost(): MuxHost {
    return {
      options: this.options,
      emit: (event) => {
        if (!this.events.push(event)) this.dropped++;
      },
      isServerChannel: (ch) => this.serverChannels.has(ch),
      needsAuthorization: (ch) => this.authorizedChannels.has(ch),
      newAuthorization: () => this.nextAuthorization++,
      newDlcId: this.newDlcId,
      adopt: (dlc, session) => {
        this.dlcs.set(dlc.id, { dlc, session });
      },
      release: (dlc) => {
        this.dlcs.delete(dlc.id);
        this.closedStats.set(dlc.id, dlc.stats);
        if (this.closedStats.size > CLOSED_STATS_KEPT) this.closedStats.delete(this.closedStats.keys().next().value!);
      },
      requestSend: (session) => {
        if (session.sendRequested) return;
        session.sendRequested = true;
        this.sendRequests.push(session);
      },
      dlcMachine: this.dlcMachine,
      sessionMachine: this.sessionMachine,
    };
  }

  private lookup(dlcId: number): { dlc: Dlc; session: Multiplexer } {
    const e = this.dlcs.get(dlcId);
    if (!e) throw new InvalidStateError(`RFCOMM DLC ${dlcId} does not exist or is closed`);
    return e;
  }

  private openSession(sessionId: number): Multiplexer {
    const s = this.sessions.get(sessionId);
    if (!s || s.state !== 'open') throw new InvalidStateError(`RFCOMM session ${sessionId} is not open`);
    return s;
  }
}

const CLOSED_STATS_KEPT = 256;

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < MIN_SERVER_CHANNEL || channel > MAX_SERVER_CHANNEL) {
    throw new ArgumentError(`an RFCOMM server channel is ${MIN_SERVER_CHANNEL}..${MAX_SERVER_CHANNEL}, got ${channel}`);
  }
}

/** Ids 1, 2, 3 … */
function counter(): () => number {
  let next = 1;
  return () => next++;
}
