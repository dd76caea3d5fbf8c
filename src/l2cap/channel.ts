/**
 * A connection-oriented channel in basic mode and its states (Core v5.4 Vol 3 Part A §6.1):
 *
 *   CLOSED ──connect()──▶ WAIT_CONNECT_RSP ──ConnRsp success──▶ CONFIG
 *   CLOSED ──ConnReq (pendingIncoming)──▶ WAIT_CONNECT ──acceptPending()──▶ CONFIG
 *   CLOSED ──ConnReq (accepted at once)──────────────────────────────────▶ CONFIG
 *   CONFIG ──our ConfigReq answered success (localConfigDone)
 *           + the peer's ConfigReq answered success (remoteConfigDone)──▶ OPEN
 *   OPEN ──ConfigReq──▶ OPEN (reconfiguration: answered, MTU updated, queues and counters kept)
 *   CONFIG | OPEN ──disconnect()──▶ WAIT_DISCONNECT ──DisconnRsp or RTX──▶ CLOSED
 *   any ──DisconnReq──▶ DisconnRsp, CLOSED;  any ──link down──▶ CLOSED
 *
 * The two configuration directions are independent flags; neither blocks answering the peer's
 * ConfigReq (L23). A channel record is removed from the manager when it reaches CLOSED.
 */
import type { ConfigOption } from './wire/config-option.js';
import type { TrafficStats } from './stats.js';

export const CHANNEL_STATE = {
  WAIT_CONNECT: 'WAIT_CONNECT',
  WAIT_CONNECT_RSP: 'WAIT_CONNECT_RSP',
  CONFIG: 'CONFIG',
  OPEN: 'OPEN',
  WAIT_DISCONNECT: 'WAIT_DISCONNECT',
  CLOSED: 'CLOSED',
} as const;
export type ChannelState = (typeof CHANNEL_STATE)[keyof typeof CHANNEL_STATE];

export interface Channel {
  readonly localCid: number;
  /** The peer's CID; 0 until the Connection Response names it. */
  remoteCid: number;
  readonly handle: number;
  readonly psm: number;
  readonly initiator: boolean;
  state: ChannelState;
  /** The largest SDU we accept (what our ConfigReq offers); larger B-frames are dropped. */
  localMtu: number;
  /** The largest SDU the peer accepts (its ConfigReq's MTU, 672 when absent). */
  remoteMtu: number;
  flushTimeout: number | undefined;
  localConfigDone: boolean;
  remoteConfigDone: boolean;
  /** Options of the peer's ConfigReq parts with the C flag set, awaiting the last part. */
  continuation: ConfigOption[];
  continuationBytes: number;
  /** Rounds of our ConfigReq refused with "unacceptable parameters". */
  configRounds: number;
  /** The identifier of the peer's ConnReq, for a response sent later (pending). */
  connectIdentifier: number;
  /** Set when the application closed the channel before the peer named its CID. */
  closeRequested: boolean;
  closeReason: string;
  /** Whether the application has heard of this channel (open or incoming-pending). */
  announced: boolean;
  readonly stats: TrafficStats;
}
