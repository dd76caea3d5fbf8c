/**
 * The L2CAP layer for BR/EDR in basic mode (Core v5.4 Vol 3 Part A): links, the signaling channel,
 * connection-oriented channels and their data, behind the sans-I/O contract of docs/layers.md.
 *
 * Rules (see channel-state.ts for the channel state table, configuration.ts for option decisions):
 * - Input from below is `receivePdu(handle, basicFrame, now)`. It never throws: a malformed frame,
 *   an unknown handle or CID, a B-frame on a channel that is not OPEN (nor reconfiguring) or
 *   larger than the local MTU is dropped and counted (L27).
 * - Signaling (CID 0x0001): a C-frame larger than MTUsig → Command Reject 0x0001 carrying MTUsig,
 *   with the identifier of the first request in it; a frame of responses only, or whose first
 *   request has identifier 0, is discarded (§4.1, L26). Otherwise every complete command is handled in
 *   order; a malformed one or an unknown code → Command Reject 0x0000 (L6, L7); a truncated tail
 *   with a readable identifier → Command Reject 0x0000 (L11). Identifier 0 is ignored; a response
 *   matching no pending request is ignored. A request naming a CID we do not have → Command
 *   Reject 0x0002 with (local, remote) CIDs as received (L8, L9).
 * - ConnReq: unknown PSM 0x0002 (L4), SCID < 0x0040 0x0006, SCID in use 0x0007 (L5), channel
 *   cap 0x0004; else accepted and followed by our ConfigReq, or, on a PSM set by `holdIncoming`,
 *   answered pending with its status and reported as 'incoming-pending': the composer decides in
 *   its own time with `acceptPending` / `refusePending` (no call up into it from `receivePdu`).
 * - Reconfiguration (channel.ts, §7.1): the peer's ConfigReq on an OPEN channel is answered and,
 *   when acceptable, applied to the direction it configures (our sending) → 'channel-reconfigured';
 *   the channel stays OPEN and we send no ConfigReq of our own, since our parameters did not
 *   change (two stacks that each answered a ConfigReq with one of their own would never stop).
 *   `reconfigure(cid, { mtu }, now)` changes our direction: CONFIG until both are done again.
 *   Meanwhile basic-mode data flows both ways and nothing is reset.
 * - Our requests run under RTX (ERTX after a pending answer). An unanswered ConfigReq is re-sent
 *   with the delay doubled, `configRetransmissions` times, then the channel is disconnected (L25);
 *   other requests fail at the first expiry. CONFIG is also bounded by `configTimeoutMs`.
 * - Echo and Information Requests are answered (L15–L17): extended features = fixed channels
 *   only (bit 7), fixed channels = signaling only (bit 1), connectionless MTU "not supported".
 * - Output (output.ts): nothing is pushed toward the controller. A link with something to send is
 *   reported once by `pollSendRequest`; when the HCI gives the link its turn, `nextTurn` produces one
 *   PDU (signaling first, then the channels in turn) or hands a channel's owner its turn.
 *   `pollTransmit` does the same for callers that have no HCI below (tests, tools): any link, a
 *   contiguous PDU. `send` queues an SDU on a channel (refused past `sendBufferBytes`, then
 *   'channel-writable'); `disconnect` of a channel with SDUs queued sends them first (at most
 *   `closeLingerMs`, then what is left is dropped and the close reason says how much).
 * - Events wait in a bounded queue (`eventQueueCapacity`).
 */
import { ArgumentError, type BdAddr, BoundedQueue, type ByteSink, ByteWriter, InvalidStateError, Ring, type StateRecord, TimerSet, view } from '../core/index.js';
import type { Channel } from './channel.js';
import { CHANNEL_EVENT, CHANNEL_STATE, type ChannelEvent, type ChannelState, newChannelMachine } from './channel-state.js';
import { adjustAfterUnacceptable, evaluateConfigRequest, ourConfigOptions } from './configuration.js';
import { CONNECT_RESULT_NO_RESPONSE, CONNECT_RESULT_TIMEOUT, type L2capEvent, type L2capTimer, type L2capOptions, type ResolvedL2capOptions, resolveOptions } from './events.js';
import { PsmRegistry, checkMtu, isValidPsm } from './psm.js';
import { type PendingRequest, SignalingLink, isResponse } from './signaling.js';
import { type DropReason, type LinkStats, type TrafficStats, newLinkStats, newTrafficStats, snapshot } from './stats.js';
import { LinkOutput } from './output.js';
import { BASIC_HEADER_LENGTH, basicFrameCid, encodeBasicFrame, writeBasicHeader } from './wire/basic-frame.js';
import { configOptionsLength } from './wire/config-option.js';
import {
  CID,
  CONFIGURATION_FLAG_CONTINUATION,
  CONFIGURATION_RESULT,
  CONNECTION_RESULT,
  connectionResultText,
  CONNECTION_STATUS,
  DEFAULT_MTU,
  DEFAULT_SIGNALING_MTU,
  EXTENDED_FEATURE,
  INFO_RESULT,
  INFO_TYPE,
  SIGNAL_CODE,
} from './wire/constants.js';
import {
  type ConfigurationRequest,
  type ConfigurationResponse,
  type ConnectionRequest,
  type ConnectionResponse,
  type DisconnectionRequest,
  type L2capSignal,
  decodeSignalingFrame,
  encodeSignal,
  firstRequestIdentifier,
  rejectInvalidCid,
  rejectNotUnderstood,
  rejectSignalingMtuExceeded,
} from './wire/signal.js';

interface Link {
  readonly handle: number;
  readonly address: BdAddr;
  readonly signaling: SignalingLink;
  readonly channels: Set<number>;
  readonly stats: LinkStats;
  readonly output: LinkOutput;
}

/** One PDU produced on a link's turn, or the turn handed to a channel's owner. */
export type Turn<S> = { readonly pdu: S } | { readonly cid: number };

export interface ChannelInfo {
  readonly cid: number;
  readonly remoteCid: number;
  readonly handle: number;
  readonly psm: number;
  readonly state: Channel['state'];
  readonly initiator: boolean;
  readonly localMtu: number;
  readonly remoteMtu: number;
  readonly flushTimeout: number | undefined;
  readonly stats: TrafficStats;
}

type TimerKey = `rtx:${number}:${number}` | `cfg:${number}` | `linger:${number}`;

/** Our extended features: fixed channels supported (bit 7); no ERTM, streaming or FCS (basic mode only). */
const OUR_EXTENDED_FEATURES = EXTENDED_FEATURE.FIXED_CHANNELS;
/** Our fixed channels: bit 1 = L2CAP signaling channel. */
const OUR_FIXED_CHANNELS = 1 << CID.SIGNALING;
/** A response must fit the smallest MTUsig a BR/EDR peer may have. */
const MIN_SIGNALING_MTU = 48;

export class L2capManager {
  private readonly opts: ResolvedL2capOptions;
  private readonly links = new Map<number, Link>();
  private readonly channels = new Map<number, Channel>();
  private readonly psms: PsmRegistry;
  /** PSMs whose incoming connections wait for a decision (`holdIncoming`): PSM → Connection Response status. */
  private readonly holds = new Map<number, number>();
  /** Links that have something to send since they were last reported (`pollSendRequest`). */
  private readonly sendRequests = new Ring<number>();
  private readonly events: BoundedQueue<L2capEvent>;
  private readonly timers = new TimerSet<TimerKey>();
  private readonly totals = newLinkStats();
  /** The channel state machine (channel-state.ts) and its history. */
  private readonly machine = newChannelMachine();
  private nextCid: number = CID.DYNAMIC_FIRST;
  /** The latest time seen, for work done on a turn (`pollTransmit` carries none). */
  private now = 0;

  constructor(options: L2capOptions = {}) {
    this.opts = resolveOptions(options);
    checkMtu(this.opts.defaultMtu, 'defaultMtu');
    if (this.opts.signalingMtu < MIN_SIGNALING_MTU) throw new ArgumentError(`signalingMtu must be at least ${MIN_SIGNALING_MTU}`);
    if (!Number.isInteger(this.opts.sendBufferBytes) || this.opts.sendBufferBytes < 1) {
      throw new ArgumentError(`l2capSendBufferBytes must be a positive whole number of octets, not ${this.opts.sendBufferBytes} (the L2CAP option sendBufferBytes)`);
    }
    if (!(this.opts.closeLingerMs >= 0)) throw new ArgumentError(`closeLingerMs must be ≥ 0, not ${this.opts.closeLingerMs}`);
    const last = this.opts.lastDynamicCid;
    if (!Number.isInteger(last) || last < CID.DYNAMIC_FIRST || last > CID.DYNAMIC_LAST) throw new ArgumentError(`lastDynamicCid must be a CID in 0x0040..0xffff, not ${last}`);
    this.psms = new PsmRegistry(this.opts.defaultMtu);
    this.events = new BoundedQueue(this.opts.eventQueueCapacity);
  }

  // ── links ────────────────────────────────────────────────────────────────────────────────

  linkUp(handle: number, address: BdAddr, _now: number): void {
    if (this.links.has(handle)) throw new InvalidStateError(`ACL handle 0x${handle.toString(16)} is already up in L2CAP: call linkDown first`);
    this.links.set(handle, { handle, address, signaling: new SignalingLink(this.opts.maxOutstandingRequests), channels: new Set(), stats: newLinkStats(), output: new LinkOutput() });
  }

  linkDown(handle: number, now: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    for (const p of link.signaling.pending.values()) {
      this.timers.clear(rtxKey(handle, p.identifier));
      this.failSimpleRequest(link, p, 'link-down');
    }
    link.signaling.pending.clear();
    for (const cid of [...link.channels]) this.closeChannel(this.channels.get(cid)!, CHANNEL_EVENT.LINK_DOWN, now, 'link-down');
    this.links.delete(handle);
  }

  // ── PSMs ─────────────────────────────────────────────────────────────────────────────────

  registerPsm(psm: number, opts: { mtu?: number } = {}): void {
    this.psms.register(psm, opts);
  }

  unregisterPsm(psm: number): void {
    this.psms.unregister(psm);
  }

  allocatePsm(): number {
    return this.psms.allocate();
  }

  /**
   * Holds incoming connections on `psm` for a decision: each acceptable ConnReq is answered
   * "pending" with `status` (0 no further information, 1 authentication pending, 2 authorization
   * pending) and reported as 'incoming-pending', to be answered with `acceptPending` or
   * `refusePending`. `undefined` accepts them at once again (the default).
   */
  holdIncoming(psm: number, status: number | undefined): void {
    if (status === undefined) {
      this.holds.delete(psm);
      return;
    }
    if (!isValidPsm(psm)) throw new ArgumentError(`0x${psm.toString(16)} is not a valid PSM (low octet odd, high octet even)`);
    if (!Number.isInteger(status) || status < 0 || status > 0xffff) throw new ArgumentError(`a Connection Response status is 0..0xffff, got ${status}`);
    this.holds.set(psm, status);
  }

  /** The MTU offered on `psm`, when it is registered. */
  psmMtu(psm: number): number | undefined {
    return this.psms.get(psm)?.mtu;
  }

  // ── output (output.ts) ───────────────────────────────────────────────────────────────────

  /** A link that has had something to send since it was last reported: ask the HCI for its turn. */
  pollSendRequest(): number | undefined {
    for (let handle = this.sendRequests.shift(); handle !== undefined; handle = this.sendRequests.shift()) {
      const link = this.links.get(handle);
      if (!link) continue;
      link.output.requested = false;
      return handle;
    }
    return undefined;
  }

  /** Whether link `handle` still has something to send (after a turn: ask for another). */
  wantsToSend(handle: number): boolean {
    return this.links.get(handle)?.output.wantsToSend ?? false;
  }

  /**
   * Link `handle`'s turn to send one PDU: a signaling C-frame, else the next channel's queued SDU,
   * written through `allocate(length)`; or `{ cid }` when that channel's owner writes its SDU itself
   * (`frameSdu`); undefined when nothing waits.
   */
  nextTurn<S extends ByteSink>(handle: number, allocate: (length: number) => S, now: number): Turn<S> | undefined {
    this.now = now;
    const out = this.links.get(handle)?.output;
    if (!out) return undefined;
    const signal = out.signals.shift();
    if (signal) {
      const pdu = allocate(signal.length);
      pdu.put(signal);
      this.countOut(this.links.get(handle), undefined, signal.length);
      return { pdu };
    }
    for (let ch = out.channels.shift(); ch; ch = out.channels.shift()) {
      ch.inRing = false;
      if (this.channels.get(ch.localCid) !== ch) continue;
      const sdu = ch.sendQueue.shift();
      if (sdu) {
        ch.queuedBytes -= sdu.length;
        const pdu = this.frameOn(ch, sdu.length, allocate);
        pdu.put(sdu);
        this.afterQueued(ch, now);
        return { pdu };
      }
      if (ch.ownerWaiting) {
        ch.ownerWaiting = false;
        if (carriesData(ch)) return { cid: ch.localCid };
      }
    }
    return undefined;
  }

  /**
   * For the owner of channel `cid` on the turn `nextTurn` just gave it: a PDU for an SDU of
   * `sduLength` octets with the B-frame header written, for the owner to write the SDU into.
   */
  frameSdu<S extends ByteSink>(cid: number, sduLength: number, allocate: (length: number) => S): S {
    const ch = this.channels.get(cid);
    if (!ch || !carriesData(ch)) throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} carries no data: write an SDU only on the turn nextTurn gave it`);
    if (sduLength > ch.remoteMtu) throw new ArgumentError(`SDU of ${sduLength} bytes exceeds the peer's MTU ${ch.remoteMtu} on channel 0x${cid.toString(16)}`);
    return this.frameOn(ch, sduLength, allocate);
  }

  /** The owner of channel `cid` has an SDU to write: the channel gets a turn on its link. */
  requestSend(cid: number): void {
    const ch = this.channels.get(cid);
    if (!ch || !carriesData(ch)) return;
    ch.ownerWaiting = true;
    this.ready(ch);
  }

  /** Octets of SDUs queued with `send` on channel `cid` and not yet sent. */
  queuedBytes(cid: number): number {
    return this.channels.get(cid)?.queuedBytes ?? 0;
  }

  /**
   * The next PDU of any link, whole in one array, as if the HCI gave every link a turn at once: for
   * callers with no HCI below (tests, tools). Channels fed by their owner (`requestSend`) are not
   * served here.
   */
  pollTransmit(): { handle: number; pdu: Uint8Array } | undefined {
    for (let handle = this.pollSendRequest(); handle !== undefined; handle = this.pollSendRequest()) {
      const turn = this.nextTurn(handle, ByteWriter.alloc, this.now);
      const link = this.links.get(handle);
      if (link?.output.wantsToSend) this.askToSend(link);
      if (turn && 'pdu' in turn) return { handle, pdu: turn.pdu.result() };
    }
    return undefined;
  }

  private frameOn<S extends ByteSink>(ch: Channel, sduLength: number, allocate: (length: number) => S): S {
    const pdu = allocate(4 + sduLength);
    writeBasicHeader(pdu, sduLength, ch.remoteCid);
    this.countOut(this.links.get(ch.handle), ch.stats, 4 + sduLength);
    return pdu;
  }

  /** After an SDU of `ch` was sent: its next turn, room for a blocked sender, or the close it waited for. */
  private afterQueued(ch: Channel, now: number): void {
    if (ch.sendQueue.length > 0 || ch.ownerWaiting) this.ready(ch);
    if (ch.blocked && ch.queuedBytes * 2 <= this.opts.sendBufferBytes) {
      ch.blocked = false;
      this.emit(this.links.get(ch.handle), { type: 'channel-writable', cid: ch.localCid });
    }
    if (ch.closeWhenSent && ch.sendQueue.length === 0) {
      ch.closeWhenSent = false;
      this.timers.clear(`linger:${ch.localCid}`);
      this.startDisconnect(ch, CHANNEL_EVENT.CLOSE_CHANNEL_REQ, ch.closeReason, now);
    }
  }

  /** Puts the channel in its link's ring (once) and the link in the FIFO of links that asked to send. */
  private ready(ch: Channel): void {
    const link = this.links.get(ch.handle);
    if (!link) return;
    if (!ch.inRing) {
      ch.inRing = true;
      link.output.channels.push(ch);
    }
    this.askToSend(link);
  }

  private askToSend(link: Link): void {
    if (link.output.requested) return;
    link.output.requested = true;
    this.sendRequests.push(link.handle);
  }

  // ── drains ───────────────────────────────────────────────────────────────────────────────

  pollEvent(): L2capEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): number | undefined {
    return this.timers.next();
  }

  handleTimeout(now: number): void {
    this.now = now;
    for (const key of this.timers.expire(now)) {
      const [kind, a, b] = key.split(':');
      if (kind === 'cfg') this.onConfigTimeout(Number(a), now);
      else if (kind === 'linger') this.onLingerTimeout(Number(a), now);
      else this.onRtx(Number(a), Number(b), now);
    }
  }

  // ── commands from above ──────────────────────────────────────────────────────────────────

  connect(handle: number, psm: number, opts: { mtu?: number } = {}, now: number): number {
    const link = this.requireLink(handle);
    if (!isValidPsm(psm)) throw new ArgumentError(`0x${psm.toString(16)} is not a valid PSM (low octet odd, high octet even)`);
    const mtu = checkMtu(opts.mtu ?? this.opts.defaultMtu, 'the channel MTU');
    if (link.channels.size >= this.opts.maxChannelsPerLink) {
      throw new InvalidStateError(`link 0x${handle.toString(16)} already has ${link.channels.size} channels (maxChannelsPerLink): close one first`);
    }
    const cid = this.allocateCid();
    if (cid === undefined) throw new InvalidStateError('no free local CID: close channels first');
    const ch = this.newChannel(link, cid, psm, true, mtu);
    const sent = this.sendRequest(link, cid, now, (identifier) => ({ type: 'connection-request', identifier, psm, scid: cid }));
    if (!sent) {
      this.forgetChannel(ch);
      throw new InvalidStateError(`too many signaling requests outstanding on link 0x${handle.toString(16)}: retry after responses arrive`);
    }
    this.transition(ch, CHANNEL_EVENT.OPEN_CHANNEL_REQ, now);
    return cid;
  }

  /**
   * Queues one SDU on an open channel, sent on its link's turn; false (nothing queued) while the
   * channel already holds `sendBufferBytes` or more: 'channel-writable' follows once it drained to half.
   * The SDU is kept by reference until sent: do not change it.
   */
  send(cid: number, sdu: Uint8Array): boolean {
    const ch = this.channels.get(cid);
    if (!ch || !carriesData(ch)) throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} is not open: wait for 'channel-open'`);
    if (ch.closeWhenSent) throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} is closing: no more SDUs`);
    if (sdu.length > ch.remoteMtu) throw new ArgumentError(`SDU of ${sdu.length} bytes exceeds the peer's MTU ${ch.remoteMtu} on channel 0x${cid.toString(16)}: split it`);
    if (ch.queuedBytes >= this.opts.sendBufferBytes) {
      ch.blocked = true;
      return false;
    }
    ch.sendQueue.push(sdu);
    ch.queuedBytes += sdu.length;
    this.ready(ch);
    return true;
  }

  disconnect(cid: number, now: number): void {
    const ch = this.channels.get(cid);
    if (!ch) throw new InvalidStateError(`no L2CAP channel 0x${cid.toString(16)}`);
    this.now = now;
    if ((ch.state === CHANNEL_STATE.OPEN || ch.state === CHANNEL_STATE.CONFIG) && ch.sendQueue.length > 0) {
      // What the application sent goes first; the Disconnection Request follows the last SDU.
      if (!ch.closeWhenSent) {
        ch.closeWhenSent = true;
        ch.closeReason = 'local';
        this.timers.set(`linger:${ch.localCid}`, now + this.opts.closeLingerMs);
      }
      return;
    }
    switch (ch.state) {
      case CHANNEL_STATE.WAIT_CONNECT:
        this.refusePending(cid, CONNECTION_RESULT.NO_RESOURCES, now);
        return;
      case CHANNEL_STATE.WAIT_CONNECT_RSP:
        ch.closeRequested = true;
        ch.closeReason = 'local';
        return;
      case CHANNEL_STATE.CONFIG:
      case CHANNEL_STATE.OPEN:
        this.startDisconnect(ch, CHANNEL_EVENT.CLOSE_CHANNEL_REQ, 'local', now);
        return;
      default:
        return;
    }
  }

  /**
   * Reconfigures an OPEN channel (§7.1): sends our ConfigReq offering `mtu` (default: the current
   * local MTU); the peer answers and sends its own, and 'channel-reconfigured' reports the end.
   * Data keeps flowing meanwhile; frames up to the old local MTU are accepted until the peer
   * accepts the new one.
   */
  reconfigure(cid: number, opts: { mtu?: number }, now: number): void {
    const ch = this.channels.get(cid);
    if (!ch || ch.state !== CHANNEL_STATE.OPEN) {
      throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} is not open: reconfigure after 'channel-open' or 'channel-reconfigured'`);
    }
    const mtu = checkMtu(opts.mtu ?? ch.localMtu, 'the channel MTU');
    const link = this.links.get(ch.handle)!;
    ch.offeredMtu = mtu;
    if (!this.requestConfiguration(link, ch, now)) {
      ch.offeredMtu = ch.localMtu;
      throw new InvalidStateError(`too many signaling requests outstanding on link 0x${ch.handle.toString(16)}: retry after responses arrive`);
    }
    this.beginReconfiguration(ch, now);
    ch.remoteConfigDone = false;
  }

  /** Accepts an incoming connection held by `holdIncoming` ('incoming-pending'). */
  acceptPending(cid: number, now: number): void {
    const ch = this.channels.get(cid);
    if (!ch || ch.state !== CHANNEL_STATE.WAIT_CONNECT) throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} is not waiting for a decision`);
    this.acceptIncoming(this.links.get(ch.handle)!, ch, CHANNEL_EVENT.OPEN_CHANNEL_RSP, now);
  }

  /** Refuses an incoming connection held by `holdIncoming` with a Connection Response result (e.g. 0x0003 security block). */
  refusePending(cid: number, result: number, now: number): void {
    const ch = this.channels.get(cid);
    if (!ch || ch.state !== CHANNEL_STATE.WAIT_CONNECT) throw new InvalidStateError(`L2CAP channel 0x${cid.toString(16)} is not waiting for a decision`);
    if (result <= CONNECTION_RESULT.PENDING || result > 0xffff) throw new ArgumentError(`a refusal needs a failure result (≥ 2), got ${result}`);
    const link = this.links.get(ch.handle)!;
    this.sendSignal(link, { type: 'connection-response', identifier: ch.connectIdentifier, dcid: 0, scid: ch.remoteCid, result, status: 0 });
    link.stats.connectionsRefused++;
    this.totals.connectionsRefused++;
    this.closeChannel(ch, CHANNEL_EVENT.OPEN_CHANNEL_RSP_NEG, now, `refused here with result ${connectionResultText(result)}`);
  }

  /** Sends an Echo Request; the answer comes as 'echo-response'. Returns the identifier. */
  echo(handle: number, data: Uint8Array, now: number): number {
    const link = this.requireLink(handle);
    if (data.length + 4 > DEFAULT_SIGNALING_MTU) throw new ArgumentError(`echo data of ${data.length} bytes exceeds what a ${DEFAULT_SIGNALING_MTU}-byte signaling MTU carries (${DEFAULT_SIGNALING_MTU - 4})`);
    return this.sendLocalRequest(link, now, (identifier) => ({ type: 'echo-request', identifier, data: Uint8Array.from(data) }));
  }

  /** Sends an Information Request; the answer comes as 'info-response'. Returns the identifier. */
  information(handle: number, infoType: number, now: number): number {
    const link = this.requireLink(handle);
    if (!Number.isInteger(infoType) || infoType < 0 || infoType > 0xffff) throw new ArgumentError(`an InfoType is 0..0xffff, got ${infoType}`);
    return this.sendLocalRequest(link, now, (identifier) => ({ type: 'information-request', identifier, infoType }));
  }

  /** The channels on link `handle` (open or being set up), as `channelInfo` gives each. */
  channelsOn(handle: number): ChannelInfo[] {
    const out: ChannelInfo[] = [];
    for (const cid of this.links.get(handle)?.channels ?? []) {
      const info = this.channelInfo(cid);
      if (info) out.push(info);
    }
    return out;
  }

  channelInfo(cid: number): ChannelInfo | undefined {
    const ch = this.channels.get(cid);
    if (!ch) return undefined;
    return {
      cid: ch.localCid,
      remoteCid: ch.remoteCid,
      handle: ch.handle,
      psm: ch.psm,
      state: ch.state,
      initiator: ch.initiator,
      localMtu: ch.localMtu,
      remoteMtu: ch.remoteMtu,
      flushTimeout: ch.flushTimeout,
      stats: snapshot(ch.stats),
    };
  }

  /** The latest channel state changes and undefined edges, oldest first (channel-state.ts). */
  stateHistory(): StateRecord<ChannelState, ChannelEvent>[] {
    return this.machine.history();
  }

  /** Counters of one link (undefined when it is not up), or, without a handle, of every link since start. */
  stats(handle?: number): LinkStats | undefined {
    if (handle === undefined) return snapshot(this.totals);
    const link = this.links.get(handle);
    return link ? snapshot(link.stats) : undefined;
  }

  // ── input from below ─────────────────────────────────────────────────────────────────────

  receivePdu(handle: number, pdu: Uint8Array, now: number): void {
    this.now = now;
    const link = this.links.get(handle);
    if (!link) {
      this.totals.drops['unknown-handle']++;
      return;
    }
    link.stats.framesIn++;
    link.stats.bytesIn += pdu.length;
    this.totals.framesIn++;
    this.totals.bytesIn += pdu.length;
    const cid = basicFrameCid(pdu);
    if (cid === undefined) {
      this.drop(link, undefined, 'malformed-frame');
      return;
    }
    if (cid === CID.SIGNALING) {
      this.onSignalingFrame(link, view(pdu, BASIC_HEADER_LENGTH, pdu.length), now);
      return;
    }
    if (cid < CID.DYNAMIC_FIRST) {
      this.drop(link, undefined, 'fixed-cid');
      return;
    }
    const ch = this.channels.get(cid);
    if (!ch || ch.handle !== handle) {
      this.drop(link, undefined, 'unknown-cid');
      return;
    }
    ch.stats.framesIn++;
    ch.stats.bytesIn += pdu.length;
    if (!carriesData(ch)) {
      this.drop(link, ch, 'not-open');
      return;
    }
    if (pdu.length - BASIC_HEADER_LENGTH > ch.localMtu) {
      this.drop(link, ch, 'over-mtu');
      return;
    }
    this.emit(link, { type: 'channel-data', cid: ch.localCid, sdu: view(pdu, BASIC_HEADER_LENGTH, pdu.length) });
  }

  // ── signaling input ──────────────────────────────────────────────────────────────────────

  private onSignalingFrame(link: Link, payload: Uint8Array, now: number): void {
    const sig = link.stats.signaling;
    if (payload.length > this.opts.signalingMtu) {
      sig.oversizedFrames++;
      this.totals.signaling.oversizedFrames++;
      const identifier = firstRequestIdentifier(payload);
      if (identifier) this.sendReject(link, rejectSignalingMtuExceeded(identifier, this.opts.signalingMtu));
      return;
    }
    const frame = decodeSignalingFrame(payload);
    for (const item of frame.commands) {
      this.bumpSignaling(link, 'commandsIn');
      if (item.kind === 'malformed') {
        this.bumpSignaling(link, 'malformedCommands');
        if (item.identifier !== 0 && item.code !== SIGNAL_CODE.COMMAND_REJECT) this.sendReject(link, rejectNotUnderstood(item.identifier));
        continue;
      }
      this.onSignal(link, item.signal, now);
    }
    if (frame.tail) {
      this.bumpSignaling(link, 'truncatedCommands');
      if (frame.tail.length >= 2 && frame.tail[1] !== 0) this.sendReject(link, rejectNotUnderstood(frame.tail[1]));
    }
  }

  private onSignal(link: Link, s: L2capSignal, now: number): void {
    if (s.identifier === 0) {
      this.bumpSignaling(link, 'ignoredCommands');
      return;
    }
    if (isResponse(s)) {
      const p = link.signaling.match(s);
      if (!p) {
        this.bumpSignaling(link, 'ignoredCommands');
        return;
      }
      this.onResponse(link, p, s, now);
      return;
    }
    switch (s.type) {
      case 'connection-request':
        this.onConnectionRequest(link, s, now);
        return;
      case 'configuration-request':
        this.onConfigurationRequest(link, s, now);
        return;
      case 'disconnection-request':
        this.onDisconnectionRequest(link, s, now);
        return;
      case 'echo-request':
        this.sendSignal(link, { type: 'echo-response', identifier: s.identifier, data: s.data });
        return;
      case 'information-request':
        this.sendSignal(link, { type: 'information-response', identifier: s.identifier, infoType: s.infoType, ...this.informationFor(s.infoType) });
        return;
      default:
        this.bumpSignaling(link, 'unknownCommands');
        this.sendReject(link, rejectNotUnderstood(s.identifier));
    }
  }

  private informationFor(infoType: number): { result: number; data: Uint8Array } {
    if (infoType === INFO_TYPE.EXTENDED_FEATURES) {
      const m = OUR_EXTENDED_FEATURES;
      return { result: INFO_RESULT.SUCCESS, data: Uint8Array.of(m & 0xff, (m >>> 8) & 0xff, (m >>> 16) & 0xff, m >>> 24) };
    }
    if (infoType === INFO_TYPE.FIXED_CHANNELS) {
      const data = new Uint8Array(8);
      data[0] = OUR_FIXED_CHANNELS;
      return { result: INFO_RESULT.SUCCESS, data };
    }
    return { result: INFO_RESULT.NOT_SUPPORTED, data: new Uint8Array(0) };
  }

  private onConnectionRequest(link: Link, s: ConnectionRequest, now: number): void {
    const refuse = (result: number): void => {
      link.stats.connectionsRefused++;
      this.totals.connectionsRefused++;
      this.sendSignal(link, { type: 'connection-response', identifier: s.identifier, dcid: 0, scid: s.scid, result, status: 0 });
    };
    const reg = this.psms.get(s.psm);
    if (!reg) return refuse(CONNECTION_RESULT.PSM_NOT_SUPPORTED);
    if (s.scid < CID.DYNAMIC_FIRST) return refuse(CONNECTION_RESULT.INVALID_SOURCE_CID);
    for (const cid of link.channels) if (this.channels.get(cid)!.remoteCid === s.scid) return refuse(CONNECTION_RESULT.SOURCE_CID_ALREADY_ALLOCATED);
    if (link.channels.size >= this.opts.maxChannelsPerLink) return refuse(CONNECTION_RESULT.NO_RESOURCES);
    const cid = this.allocateCid();
    if (cid === undefined) return refuse(CONNECTION_RESULT.NO_RESOURCES);
    const ch = this.newChannel(link, cid, s.psm, false, reg.mtu);
    ch.remoteCid = s.scid;
    ch.connectIdentifier = s.identifier;
    const status = this.holds.get(s.psm);
    if (status === undefined) {
      this.acceptIncoming(link, ch, CHANNEL_EVENT.CONNECT_REQ, now);
      return;
    }
    this.transition(ch, CHANNEL_EVENT.CONNECT_REQ_PENDING, now);
    ch.announced = true;
    this.sendSignal(link, { type: 'connection-response', identifier: s.identifier, dcid: cid, scid: s.scid, result: CONNECTION_RESULT.PENDING, status: status & 0xffff });
    this.emit(link, { type: 'incoming-pending', cid, handle: link.handle, psm: s.psm, address: link.address });
  }

  private acceptIncoming(link: Link, ch: Channel, event: ChannelEvent, now: number): void {
    this.sendSignal(link, {
      type: 'connection-response',
      identifier: ch.connectIdentifier,
      dcid: ch.localCid,
      scid: ch.remoteCid,
      result: CONNECTION_RESULT.SUCCESS,
      status: CONNECTION_STATUS.NO_FURTHER_INFORMATION,
    });
    this.enterConfig(link, ch, event, now);
  }

  private enterConfig(link: Link, ch: Channel, event: ChannelEvent, now: number): void {
    this.transition(ch, event, now);
    this.timers.set(`cfg:${ch.localCid}`, now + this.opts.configTimeoutMs);
    this.sendConfigRequest(link, ch, now);
  }

  private sendConfigRequest(link: Link, ch: Channel, now: number): void {
    if (!this.requestConfiguration(link, ch, now)) this.startDisconnect(ch, CHANNEL_EVENT.CONFIG_RSP_NEG, 'no signaling identifier', now);
  }

  /** Sends our ConfigReq offering `offeredMtu`; false when no identifier is free. */
  private requestConfiguration(link: Link, ch: Channel, now: number): boolean {
    return this.sendRequest(link, ch.localCid, now, (identifier) => ({
      type: 'configuration-request',
      identifier,
      dcid: ch.remoteCid,
      flags: 0,
      options: ourConfigOptions(ch.offeredMtu),
    }));
  }

  /** OPEN → CONFIG for a reconfiguration: our direction is to be redone, under the configuration timer. */
  private beginReconfiguration(ch: Channel, now: number): void {
    this.transition(ch, CHANNEL_EVENT.CONFIGURE_CHANNEL_REQ, now);
    ch.reconfiguring = true;
    ch.localConfigDone = false;
    ch.configRounds = 0;
    this.timers.set(`cfg:${ch.localCid}`, now + this.opts.configTimeoutMs);
  }

  private onConfigurationRequest(link: Link, s: ConfigurationRequest, now: number): void {
    const ch = this.channels.get(s.dcid);
    if (!ch || ch.handle !== link.handle || (ch.state !== CHANNEL_STATE.CONFIG && ch.state !== CHANNEL_STATE.OPEN)) {
      this.sendReject(link, rejectInvalidCid(s.identifier, s.dcid, ch && ch.handle === link.handle ? ch.remoteCid : 0));
      return;
    }
    const respond = (flags: number, result: number, options: ConfigurationResponse['options']): void =>
      this.sendSignal(link, { type: 'configuration-response', identifier: s.identifier, scid: ch.remoteCid, flags, result, options });
    ch.continuationBytes += configOptionsLength(s.options);
    if (ch.continuationBytes > this.opts.maxConfigBytes) {
      ch.continuation = [];
      ch.continuationBytes = 0;
      respond(0, CONFIGURATION_RESULT.REJECTED, []);
      return;
    }
    ch.continuation.push(...s.options);
    if (s.flags & CONFIGURATION_FLAG_CONTINUATION) {
      respond(CONFIGURATION_FLAG_CONTINUATION, CONFIGURATION_RESULT.SUCCESS, []);
      return;
    }
    const options = ch.continuation;
    ch.continuation = [];
    ch.continuationBytes = 0;
    const wasOpen = ch.state === CHANNEL_STATE.OPEN;
    const configuredBefore = ch.remoteConfigDone || ch.reconfiguring || wasOpen;
    const decision = evaluateConfigRequest(options, configuredBefore ? ch.remoteMtu : undefined, MIN_SIGNALING_MTU - 10);
    respond(0, decision.result, decision.options);
    if (decision.result !== CONFIGURATION_RESULT.SUCCESS) return;
    ch.remoteMtu = decision.remoteMtu!;
    if (decision.flushTimeout !== undefined) ch.flushTimeout = decision.flushTimeout;
    ch.remoteConfigDone = true;
    // The peer reconfigured its direction of an open channel: ours did not change, so no ConfigReq
    // of ours follows (§7.1), and the channel stays OPEN.
    if (wasOpen) this.emit(link, { type: 'channel-reconfigured', cid: ch.localCid, remoteMtu: ch.remoteMtu });
    else this.maybeOpen(link, ch, now);
  }

  private onDisconnectionRequest(link: Link, s: DisconnectionRequest, now: number): void {
    const ch = this.channels.get(s.dcid);
    if (!ch || ch.handle !== link.handle || ch.remoteCid !== s.scid || ch.state === CHANNEL_STATE.WAIT_CONNECT_RSP) {
      this.sendReject(link, rejectInvalidCid(s.identifier, s.dcid, s.scid));
      return;
    }
    this.sendSignal(link, { type: 'disconnection-response', identifier: s.identifier, dcid: s.dcid, scid: s.scid });
    this.closeChannel(ch, CHANNEL_EVENT.DISCONNECT_REQ, now, 'remote');
  }

  // ── responses to our requests ────────────────────────────────────────────────────────────

  private onResponse(link: Link, p: PendingRequest, s: L2capSignal, now: number): void {
    const ch = p.cid === undefined ? undefined : this.channels.get(p.cid);
    if (s.type === 'connection-response' && ch) {
      if (s.scid !== ch.localCid) return this.bumpSignaling(link, 'ignoredCommands');
      if (s.result === CONNECTION_RESULT.PENDING) {
        p.extended = true;
        this.timers.set(rtxKey(link.handle, p.identifier), now + this.opts.ertxMs);
        return;
      }
      this.settle(link, p);
      this.onConnectionResponse(link, ch, s, now);
      return;
    }
    if (s.type === 'configuration-response' && ch) {
      if (s.scid !== ch.localCid) return this.bumpSignaling(link, 'ignoredCommands');
      if (s.result === CONFIGURATION_RESULT.PENDING) {
        p.extended = true;
        this.timers.set(rtxKey(link.handle, p.identifier), now + this.opts.ertxMs);
        return;
      }
      this.settle(link, p);
      this.onConfigurationResponse(link, ch, s, now);
      return;
    }
    this.settle(link, p);
    switch (s.type) {
      case 'disconnection-response':
        if (ch) this.closeChannel(ch, CHANNEL_EVENT.DISCONNECT_RSP, now, ch.closeReason, ch.closeResult, ch.closeTimer);
        return;
      case 'echo-response':
        this.emit(link, { type: 'echo-response', handle: link.handle, data: s.data });
        return;
      case 'information-response':
        this.emit(link, { type: 'info-response', handle: link.handle, infoType: s.infoType, result: s.result, data: s.data });
        return;
      case 'command-reject':
        this.onRequestFailed(link, p, 'rejected', now);
        return;
      default:
        return;
    }
  }

  private onConnectionResponse(link: Link, ch: Channel, s: ConnectionResponse, now: number): void {
    if (s.result !== CONNECTION_RESULT.SUCCESS || s.dcid < CID.DYNAMIC_FIRST) {
      this.closeChannel(ch, CHANNEL_EVENT.CONNECT_RSP_NEG, now, s.result === CONNECTION_RESULT.SUCCESS ? `the peer accepted with an invalid destination CID 0x${s.dcid.toString(16).padStart(4, '0')}` : `refused with result ${connectionResultText(s.result)}`, s.result);
      return;
    }
    ch.remoteCid = s.dcid;
    if (ch.closeRequested) {
      this.startDisconnect(ch, CHANNEL_EVENT.CONNECT_RSP_CLOSING, ch.closeReason, now);
      return;
    }
    this.enterConfig(link, ch, CHANNEL_EVENT.CONNECT_RSP, now);
  }

  private onConfigurationResponse(link: Link, ch: Channel, s: ConfigurationResponse, now: number): void {
    if (ch.state !== CHANNEL_STATE.CONFIG && ch.state !== CHANNEL_STATE.OPEN) return;
    if (s.result === CONFIGURATION_RESULT.SUCCESS) {
      if (s.flags & CONFIGURATION_FLAG_CONTINUATION) {
        this.sendRequest(link, ch.localCid, now, (identifier) => ({ type: 'configuration-request', identifier, dcid: ch.remoteCid, flags: 0, options: [] }));
        return;
      }
      ch.localConfigDone = true;
      ch.localMtu = ch.offeredMtu;
      this.maybeOpen(link, ch, now);
      return;
    }
    if (s.result === CONFIGURATION_RESULT.UNACCEPTABLE_PARAMETERS && ch.configRounds < this.opts.maxConfigRounds) {
      const mtu = adjustAfterUnacceptable(s.options, ch.offeredMtu, this.opts.maxMtu);
      if (mtu !== undefined) {
        ch.configRounds++;
        ch.offeredMtu = mtu;
        this.sendConfigRequest(link, ch, now);
        return;
      }
    }
    this.startDisconnect(ch, CHANNEL_EVENT.CONFIG_RSP_NEG, 'configuration failed', now);
  }

  private maybeOpen(link: Link, ch: Channel, now: number): void {
    if (ch.state !== CHANNEL_STATE.CONFIG || !ch.localConfigDone || !ch.remoteConfigDone) return;
    this.transition(ch, CHANNEL_EVENT.CONFIG_COMPLETE, now);
    this.timers.clear(`cfg:${ch.localCid}`);
    if (ch.reconfiguring) {
      ch.reconfiguring = false;
      this.emit(link, { type: 'channel-reconfigured', cid: ch.localCid, remoteMtu: ch.remoteMtu });
      return;
    }
    ch.announced = true;
    link.stats.channelsOpened++;
    this.totals.channelsOpened++;
    this.emit(link, { type: 'channel-open', cid: ch.localCid, handle: ch.handle, psm: ch.psm, localMtu: ch.localMtu, remoteMtu: ch.remoteMtu, initiator: ch.initiator });
  }

  // ── timers ───────────────────────────────────────────────────────────────────────────────

  private onRtx(handle: number, identifier: number, now: number): void {
    const link = this.links.get(handle);
    const p = link?.signaling.pending.get(identifier);
    if (!link || !p) return;
    if (p.code === SIGNAL_CODE.CONFIGURATION_REQUEST && !p.extended && p.retransmissions < this.opts.configRetransmissions) {
      p.retransmissions++;
      p.delayMs *= 2;
      this.bumpSignaling(link, 'retransmissions');
      this.transmitSignaling(link, p.frame);
      this.timers.set(rtxKey(handle, identifier), now + p.delayMs);
      return;
    }
    this.bumpSignaling(link, 'timeouts');
    link.signaling.pending.delete(identifier);
    this.onRequestFailed(link, p, 'timeout', now);
  }

  /** The channel could not send what was queued before its close within `closeLingerMs`: the rest is dropped. */
  private onLingerTimeout(cid: number, now: number): void {
    const ch = this.channels.get(cid);
    if (!ch || !ch.closeWhenSent) return;
    const dropped = ch.queuedBytes;
    ch.closeWhenSent = false;
    this.clearQueue(ch);
    this.startDisconnect(ch, CHANNEL_EVENT.CLOSE_CHANNEL_REQ, `closed locally; ${dropped} byte(s) still queued were not sent within ${this.opts.closeLingerMs} ms`, now);
  }

  private onConfigTimeout(cid: number, now: number): void {
    const ch = this.channels.get(cid);
    if (ch && ch.state === CHANNEL_STATE.CONFIG) this.startDisconnect(ch, CHANNEL_EVENT.TIMEOUT, 'configuration timeout', now, CONNECT_RESULT_TIMEOUT, 'configuration');
  }

  /** A request of ours got a Command Reject or no answer. */
  private onRequestFailed(link: Link, p: PendingRequest, why: 'timeout' | 'rejected', now: number): void {
    const ch = p.cid === undefined ? undefined : this.channels.get(p.cid);
    const event = why === 'timeout' ? CHANNEL_EVENT.TIMEOUT : CHANNEL_EVENT.COMMAND_REJECT;
    switch (p.code) {
      case SIGNAL_CODE.CONNECTION_REQUEST:
        if (ch) this.closeChannel(ch, event, now, why === 'timeout' ? 'no response to the connection request' : 'connection request rejected', why === 'timeout' ? CONNECT_RESULT_TIMEOUT : CONNECT_RESULT_NO_RESPONSE, why === 'timeout' ? 'RTX' : undefined);
        return;
      case SIGNAL_CODE.CONFIGURATION_REQUEST:
        if (ch) this.startDisconnect(ch, why === 'timeout' ? CHANNEL_EVENT.TIMEOUT : CHANNEL_EVENT.CONFIG_RSP_NEG, why === 'timeout' ? 'configuration timeout' : 'configuration rejected', now, why === 'timeout' ? CONNECT_RESULT_TIMEOUT : CONNECT_RESULT_NO_RESPONSE, why === 'timeout' ? 'RTX' : undefined);
        return;
      case SIGNAL_CODE.DISCONNECTION_REQUEST:
        if (ch) this.closeChannel(ch, event, now, ch.closeReason, ch.closeResult, ch.closeTimer);
        return;
      default:
        this.failSimpleRequest(link, p, why);
    }
  }

  private failSimpleRequest(link: Link, p: PendingRequest, reason: 'timeout' | 'rejected' | 'link-down'): void {
    if (p.code === SIGNAL_CODE.ECHO_REQUEST || p.code === SIGNAL_CODE.INFORMATION_REQUEST) {
      const request = p.code === SIGNAL_CODE.ECHO_REQUEST ? 'echo' : 'information';
      this.emit(link, { type: 'request-failed', handle: link.handle, identifier: p.identifier, request, reason });
    }
  }

  // ── channel lifecycle ────────────────────────────────────────────────────────────────────

  private newChannel(link: Link, cid: number, psm: number, initiator: boolean, localMtu: number): Channel {
    const ch: Channel = {
      localCid: cid,
      remoteCid: 0,
      handle: link.handle,
      psm,
      initiator,
      state: CHANNEL_STATE.CLOSED,
      localMtu,
      offeredMtu: localMtu,
      remoteMtu: DEFAULT_MTU,
      flushTimeout: undefined,
      localConfigDone: false,
      remoteConfigDone: false,
      continuation: [],
      continuationBytes: 0,
      reconfiguring: false,
      configRounds: 0,
      connectIdentifier: 0,
      closeRequested: false,
      closeReason: '',
      closeResult: CONNECT_RESULT_NO_RESPONSE,
      closeTimer: undefined,
      announced: false,
      stats: newTrafficStats(),
      sendQueue: new Ring<Uint8Array>(),
      queuedBytes: 0,
      inRing: false,
      ownerWaiting: false,
      blocked: false,
      closeWhenSent: false,
    };
    this.channels.set(cid, ch);
    link.channels.add(cid);
    return ch;
  }

  private startDisconnect(ch: Channel, event: ChannelEvent, reason: string, now: number, result: number = CONNECT_RESULT_NO_RESPONSE, timer?: L2capTimer): void {
    const link = this.links.get(ch.handle)!;
    this.timers.clear(`cfg:${ch.localCid}`);
    for (const p of link.signaling.forChannel(ch.localCid)) this.settle(link, p);
    this.transition(ch, event, now);
    ch.closeReason = reason;
    ch.closeResult = result;
    ch.closeTimer = timer;
    const sent = this.sendRequest(link, ch.localCid, now, (identifier) => ({ type: 'disconnection-request', identifier, dcid: ch.remoteCid, scid: ch.localCid }));
    if (!sent) this.closeChannel(ch, CHANNEL_EVENT.NO_IDENTIFIER, now, reason, result, timer);
  }

  /** Removes the channel and tells the application: connect-failed when it never opened as initiator, else channel-closed. */
  private closeChannel(ch: Channel, event: ChannelEvent, now: number, reason: string, result: number = CONNECT_RESULT_NO_RESPONSE, timer?: L2capTimer): void {
    const link = this.links.get(ch.handle);
    if (link) for (const p of link.signaling.forChannel(ch.localCid)) this.settle(link, p);
    this.forgetChannel(ch);
    this.transition(ch, event, now);
    if (ch.initiator && !ch.announced) {
      this.emit(link, timer === undefined ? { type: 'connect-failed', cid: ch.localCid, handle: ch.handle, psm: ch.psm, result, reason } : { type: 'connect-failed', cid: ch.localCid, handle: ch.handle, psm: ch.psm, result, reason, timer });
    } else if (ch.announced) {
      this.emit(link, { type: 'channel-closed', cid: ch.localCid, reason });
    }
  }

  /** The only writer of a channel's state (channel-state.ts); an undefined edge becomes an 'error' event. */
  private transition(ch: Channel, event: ChannelEvent, now: number): void {
    const fault = this.machine.transition(ch, ch.localCid, event, now);
    if (fault) this.emit(this.links.get(ch.handle), { type: 'error', handle: ch.handle, message: fault.message });
  }

  private forgetChannel(ch: Channel): void {
    this.timers.clear(`cfg:${ch.localCid}`);
    this.timers.clear(`linger:${ch.localCid}`);
    this.clearQueue(ch);
    ch.ownerWaiting = false;
    this.channels.delete(ch.localCid);
    this.links.get(ch.handle)?.channels.delete(ch.localCid);
  }

  private clearQueue(ch: Channel): void {
    ch.sendQueue.clear();
    ch.queuedBytes = 0;
  }

  private allocateCid(): number | undefined {
    const last = this.opts.lastDynamicCid;
    const span = last - CID.DYNAMIC_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const cid = this.nextCid;
      this.nextCid = cid >= last ? CID.DYNAMIC_FIRST : cid + 1;
      if (!this.channels.has(cid)) return cid;
    }
    return undefined;
  }

  // ── output ───────────────────────────────────────────────────────────────────────────────

  /** Sends a request under RTX; returns false when no identifier is free. */
  private sendRequest(link: Link, cid: number | undefined, now: number, build: (identifier: number) => L2capSignal): boolean {
    const identifier = link.signaling.allocateIdentifier();
    if (identifier === undefined) return false;
    const signal = build(identifier);
    const frame = encodeBasicFrame({ cid: CID.SIGNALING, payload: encodeSignal(signal) });
    const code = frame[4];
    link.signaling.pending.set(identifier, { identifier, code, cid, frame, delayMs: this.opts.rtxMs, retransmissions: 0, extended: false });
    this.timers.set(rtxKey(link.handle, identifier), now + this.opts.rtxMs);
    this.transmitSignaling(link, frame);
    return true;
  }

  private sendLocalRequest(link: Link, now: number, build: (identifier: number) => L2capSignal): number {
    let id = 0;
    const sent = this.sendRequest(link, undefined, now, (identifier) => {
      id = identifier;
      return build(identifier);
    });
    if (!sent) throw new InvalidStateError(`too many signaling requests outstanding on link 0x${link.handle.toString(16)}: retry after responses arrive`);
    return id;
  }

  private settle(link: Link, p: PendingRequest): void {
    link.signaling.pending.delete(p.identifier);
    this.timers.clear(rtxKey(link.handle, p.identifier));
  }

  private sendSignal(link: Link, s: L2capSignal): void {
    this.transmitSignaling(link, encodeBasicFrame({ cid: CID.SIGNALING, payload: encodeSignal(s) }));
  }

  private sendReject(link: Link, s: L2capSignal & { type: 'command-reject' }): void {
    const r = link.stats.signaling.rejectsSent;
    const t = this.totals.signaling.rejectsSent;
    const key = s.reason === 0 ? 'notUnderstood' : s.reason === 1 ? 'mtuExceeded' : 'invalidCid';
    r[key]++;
    t[key]++;
    this.sendSignal(link, s);
  }

  private transmitSignaling(link: Link, pdu: Uint8Array): void {
    const out = link.output;
    if (out.signals.length >= this.opts.txQueueCapacity) {
      this.drop(link, undefined, 'queue-full');
      this.emit(link, { type: 'error', handle: link.handle, message: `link 0x${link.handle.toString(16)}: ${out.signals.length} signaling frames wait for the controller already (txQueueCapacity); one was dropped: the peer sends requests faster than they can be answered` });
      return;
    }
    out.signals.push(pdu);
    this.askToSend(link);
    this.bumpSignaling(link, 'commandsOut');
  }

  private emit(link: Link | undefined, e: L2capEvent): void {
    if (!this.events.push(e)) this.drop(link, undefined, 'queue-full');
  }

  // ── counting ─────────────────────────────────────────────────────────────────────────────

  private countOut(link: Link | undefined, ch: TrafficStats | undefined, bytes: number): void {
    countFrame(this.totals, bytes);
    if (link) countFrame(link.stats, bytes);
    if (ch) countFrame(ch, bytes);
  }

  private drop(link: Link | undefined, ch: Channel | undefined, reason: DropReason): void {
    if (link) link.stats.drops[reason]++;
    this.totals.drops[reason]++;
    if (ch) ch.stats.drops[reason]++;
  }

  private bumpSignaling(link: Link, key: Exclude<keyof LinkStats['signaling'], 'rejectsSent'>): void {
    link.stats.signaling[key]++;
    this.totals.signaling[key]++;
  }

  private requireLink(handle: number): Link {
    const link = this.links.get(handle);
    if (!link) throw new InvalidStateError(`ACL handle 0x${handle.toString(16)} is not up in L2CAP: call linkUp first`);
    return link;
  }
}

/** OPEN, or reconfiguring: basic-mode data flows (channel.ts). */
function carriesData(ch: Channel): boolean {
  return ch.state === CHANNEL_STATE.OPEN || (ch.state === CHANNEL_STATE.CONFIG && ch.reconfiguring);
}

function countFrame(s: TrafficStats, bytes: number): void {
  s.framesOut++;
  s.bytesOut += bytes;
}

function rtxKey(handle: number, identifier: number): TimerKey {
  return `rtx:${handle}:${identifier}`;
}
