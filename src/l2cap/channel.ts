/**
 * A connection-oriented channel in basic mode (Core v5.4 Vol 3 Part A §6.1): what the manager keeps
 * per channel. Its states and transition table are in channel-state.ts; only that machine writes
 * `state`.
 *
 * Reconfiguration (Core v5.4 Vol 3 Part A §6.1.5 OPEN state, §7.1) goes through CONFIG again in
 * both directions, with the same timers, but is not a new channel: queues, counters, the
 * continuation buffer and the agreed MTUs are kept (conformance.md rule 19, CVE-2026-31498), and in
 * basic mode data keeps flowing both ways meanwhile, under the MTUs in force.
 * The two configuration directions are independent flags; neither blocks answering the peer's
 * ConfigReq (L23). A channel record is removed from the manager when it reaches CLOSED.
 */
import type { Ring } from '../core/index.js';
import type { ConfigOption } from './wire/config-option.js';
import type { TrafficStats } from './stats.js';
import type { ChannelState } from './channel-state.js';
import type { L2capTimer } from './events.js';

export interface Channel {
  readonly localCid: number;
  /** The peer's CID; 0 until the Connection Response names it. */
  remoteCid: number;
  readonly handle: number;
  readonly psm: number;
  readonly initiator: boolean;
  state: ChannelState;
  /** The largest SDU we accept (the MTU the peer last accepted from us); larger B-frames are dropped. */
  localMtu: number;
  /** The MTU our ConfigReq offers; it becomes `localMtu` when the peer answers success. */
  offeredMtu: number;
  /** The largest SDU the peer accepts (its ConfigReq's MTU, 672 when absent). */
  remoteMtu: number;
  flushTimeout: number | undefined;
  localConfigDone: boolean;
  remoteConfigDone: boolean;
  /** Options of the peer's ConfigReq parts with the C flag set, awaiting the last part. */
  continuation: ConfigOption[];
  continuationBytes: number;
  /** CONFIG entered from OPEN: a reconfiguration, during which data still flows. */
  reconfiguring: boolean;
  /** Rounds of our ConfigReq refused with "unacceptable parameters". */
  configRounds: number;
  /** The identifier of the peer's ConnReq, for a response sent later (pending). */
  connectIdentifier: number;
  /** Set when the application closed the channel before the peer named its CID. */
  closeRequested: boolean;
  closeReason: string;
  /** The `connect-failed` result when a channel we initiated closes before it opened (events.ts). */
  closeResult: number;
  /** The timer behind `closeResult` when it is CONNECT_RESULT_TIMEOUT. */
  closeTimer: L2capTimer | undefined;
  /** Whether the application has heard of this channel (open or incoming-pending). */
  announced: boolean;
  readonly stats: TrafficStats;
  /** SDUs given to `send`, waiting for their link's turn (kept by reference, see output.ts). */
  readonly sendQueue: Ring<Uint8Array>;
  queuedBytes: number;
  /** In its link's ring of channels with something to send. */
  inRing: boolean;
  /** The channel's owner feeds it itself (`requestSend`) and wants a turn. */
  ownerWaiting: boolean;
  /** A `send` was refused for want of room: 'channel-writable' follows once the queue is half empty. */
  blocked: boolean;
  /** Closed by the application with SDUs still queued: the Disconnection Request follows the last of them. */
  closeWhenSent: boolean;
}
