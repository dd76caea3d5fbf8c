/**
 * What the L2CAP layer reports to its composer (docs/layers.md "L2CAP"), and its options.
 * Additions to the contract: `incoming-pending`, `channel-reconfigured`, `request-failed`.
 */
import type { BdAddr } from '../core/index.js';

/** `result` of a `connect-failed` event when the peer rejected the command (Command Reject) or the channel was ended here. */
export const CONNECT_RESULT_NO_RESPONSE = -1;
/** `result` of a `connect-failed` event when the peer never answered: RTX/ERTX on the Connection Request, or the configuration timer. */
export const CONNECT_RESULT_TIMEOUT = -2;

/** The timer that ended a channel that never opened: RTX on one of our requests (its ERTX included), or the configuration timer (Core v5.4 Vol 3 Part A §6.2). */
export type L2capTimer = 'RTX' | 'configuration';

export type L2capEvent =
  | { type: 'channel-open'; cid: number; handle: number; psm: number; localMtu: number; remoteMtu: number; initiator: boolean }
  | { type: 'channel-data'; cid: number; sdu: Uint8Array }
  | { type: 'channel-closed'; cid: number; reason: string }
  /** `timer`: set when `result` is CONNECT_RESULT_TIMEOUT, naming the timer that expired. */
  | { type: 'connect-failed'; cid: number; handle: number; psm: number; result: number; reason: string; timer?: L2capTimer }
  | { type: 'echo-response'; handle: number; data: Uint8Array }
  | { type: 'info-response'; handle: number; infoType: number; result: number; data: Uint8Array }
  /** An incoming connection answered pending on a PSM set by `holdIncoming`: answer with `acceptPending` or `refusePending`. */
  | { type: 'incoming-pending'; cid: number; handle: number; psm: number; address: BdAddr }
  /** The peer reconfigured an open channel. */
  | { type: 'channel-reconfigured'; cid: number; remoteMtu: number }
  /** An Echo or Information Request got no answer, was rejected, or its link went down. */
  | { type: 'request-failed'; handle: number; identifier: number; request: 'echo' | 'information'; reason: 'timeout' | 'rejected' | 'link-down' }
  /** A channel whose `send` was refused has room again (its queue drained to half of `sendBufferBytes`). */
  | { type: 'channel-writable'; cid: number }
  /** Something was lost on the link that the peer caused (an answer dropped past `txQueueCapacity`). */
  | { type: 'error'; handle: number; message: string };

export interface L2capOptions {
  /** Dynamic channels per link; a ConnReq beyond it gets result 0x0004. Default 32. */
  maxChannelsPerLink?: number;
  /** Our MTUsig: larger C-frames get Command Reject 0x0001. Default 672. */
  signalingMtu?: number;
  /** The local MTU used when a PSM or connect() names none. Default 672. */
  defaultMtu?: number;
  /** The largest local MTU we agree to when the peer asks for a bigger one. Default 65535. */
  maxMtu?: number;
  /** Signaling request timer (RTX) in ms. Default 10 000. */
  rtxMs?: number;
  /** Extended RTX after a pending response, in ms. Default 60 000. */
  ertxMs?: number;
  /** Times our ConfigReq is re-sent (delay doubling each time) before we disconnect. Default 2. */
  configRetransmissions?: number;
  /** Configuration must finish within this many ms of entering CONFIG, else we disconnect. Default 120 000. */
  configTimeoutMs?: number;
  /** Rounds of "unacceptable parameters" we renegotiate before giving up. Default 3. */
  maxConfigRounds?: number;
  /** Cap on the options accumulated across ConfigReq continuation parts, in bytes. Default 1024. */
  maxConfigBytes?: number;
  /** Requests awaiting a response per link. Default 16. */
  maxOutstandingRequests?: number;
  /** Signaling frames waiting for their link's turn; beyond it an answer is dropped and reported. Default 4096. */
  txQueueCapacity?: number;
  /** Octets of SDUs a channel holds for its link (`send`); beyond it `send` refuses until 'channel-writable'. Default 65536. */
  sendBufferBytes?: number;
  /** How long a channel closed with SDUs queued may take to send them before its Disconnection Request; default 10 000 ms. */
  closeLingerMs?: number;
  /** Events waiting in pollEvent(); beyond it events are dropped and counted. Default 4096. */
  eventQueueCapacity?: number;
  /**
   * The last local CID the manager allocates (0x0040..0xFFFF; default 0xFFFF). The CIDs above it
   * are left to someone else on the same controller: the conformance tester's own channels.
   */
  lastDynamicCid?: number;
}

export type ResolvedL2capOptions = Required<L2capOptions>;

export function resolveOptions(o: L2capOptions): ResolvedL2capOptions {
  return {
    maxChannelsPerLink: o.maxChannelsPerLink ?? 32,
    signalingMtu: o.signalingMtu ?? 672,
    defaultMtu: o.defaultMtu ?? 672,
    maxMtu: o.maxMtu ?? 0xffff,
    rtxMs: o.rtxMs ?? 10_000,
    ertxMs: o.ertxMs ?? 60_000,
    configRetransmissions: o.configRetransmissions ?? 2,
    configTimeoutMs: o.configTimeoutMs ?? 120_000,
    maxConfigRounds: o.maxConfigRounds ?? 3,
    maxConfigBytes: o.maxConfigBytes ?? 1024,
    maxOutstandingRequests: o.maxOutstandingRequests ?? 16,
    txQueueCapacity: o.txQueueCapacity ?? 4096,
    sendBufferBytes: o.sendBufferBytes ?? 65536,
    closeLingerMs: o.closeLingerMs ?? 10_000,
    eventQueueCapacity: o.eventQueueCapacity ?? 4096,
    lastDynamicCid: o.lastDynamicCid ?? 0xffff,
  };
}
