/**
 * The L2CAP channel state machine, basic mode (Core v5.4 Vol 3 Part A §6.1). State names are the
 * specification's; event names follow its §6.1 event list (L2CAP_… for signaling received from the
 * peer, …_Req / …_Rsp for the upper layer), with the condition that picks the edge in a suffix.
 * `L2capManager` moves a channel only through `CHANNEL_MACHINE.transition`; an event this table does
 * not define in the channel's state leaves it there and becomes an `error` event (events.ts).
 *
 * | state            | event                          | next             | what happens                                         |
 * |------------------|--------------------------------|------------------|------------------------------------------------------|
 * | CLOSED           | OpenChannel_Req                | WAIT_CONNECT_RSP | `connect()`: our ConnReq under RTX                   |
 * | CLOSED           | L2CAP_ConnectReq               | CONFIG           | ConnRsp success, our ConfigReq                       |
 * | CLOSED           | L2CAP_ConnectReq_Pending       | WAIT_CONNECT     | ConnRsp pending (the PSM holds incoming channels)    |
 * | WAIT_CONNECT     | OpenChannel_Rsp                | CONFIG           | `acceptPending`: ConnRsp success, our ConfigReq      |
 * | WAIT_CONNECT     | OpenChannel_RspNeg             | CLOSED           | `refusePending`: ConnRsp with the refusal            |
 * | WAIT_CONNECT_RSP | L2CAP_ConnectRsp               | CONFIG           | our ConfigReq                                        |
 * | WAIT_CONNECT_RSP | L2CAP_ConnectRsp_Closing       | WAIT_DISCONNECT  | closed here meanwhile: DisconnReq at once            |
 * | WAIT_CONNECT_RSP | L2CAP_ConnectRspNeg            | CLOSED           | refused, or accepted with an invalid CID             |
 * | WAIT_CONNECT_RSP | L2CAP_CommandReject            | CLOSED           | our ConnReq rejected                                 |
 * | WAIT_CONNECT_RSP | Timeout                        | CLOSED           | RTX/ERTX on our ConnReq                              |
 * | CONFIG           | Config_Complete                | OPEN             | both directions configured                           |
 * | CONFIG           | L2CAP_ConfigRspNeg             | WAIT_DISCONNECT  | our ConfigReq failed (refused, rejected, no id free) |
 * | CONFIG           | Timeout                        | WAIT_DISCONNECT  | RTX on our ConfigReq, or the configuration timer     |
 * | CONFIG           | CloseChannel_Req               | WAIT_DISCONNECT  | `disconnect()`                                       |
 * | OPEN             | ConfigureChannel_Req           | CONFIG           | `reconfigure()`: our ConfigReq                       |
 * | OPEN             | CloseChannel_Req               | WAIT_DISCONNECT  | `disconnect()`                                       |
 * | WAIT_DISCONNECT  | CloseChannel_Req               | WAIT_DISCONNECT  | a queued close reached: another DisconnReq           |
 * | WAIT_DISCONNECT  | L2CAP_DisconnectRsp            | CLOSED           |                                                      |
 * | WAIT_DISCONNECT  | L2CAP_CommandReject            | CLOSED           | our DisconnReq rejected                              |
 * | WAIT_DISCONNECT  | Timeout                        | CLOSED           | RTX on our DisconnReq                                |
 * | WAIT_DISCONNECT  | No_Identifier                  | CLOSED           | no signaling identifier free for the DisconnReq      |
 * | any but CLOSED and WAIT_CONNECT_RSP | L2CAP_DisconnectReq | CLOSED | DisconnRsp                                        |
 * | any but CLOSED   | Link_Down                      | CLOSED           | the ACL link went down                               |
 *
 * CONFIG has sub-states (§6.1.3); we send our ConfigReq as we enter CONFIG, so three of them occur,
 * told apart by the two direction flags of the channel (`configSubstate`): WAIT_CONFIG_REQ_RSP
 * (neither direction done), WAIT_CONFIG_REQ (our request answered, the peer's awaited),
 * WAIT_CONFIG_RSP (the peer's request answered, the answer to ours awaited). Config_Complete
 * leaves from whichever completes second. A reconfiguration (`reconfigure`) enters CONFIG from
 * OPEN with our direction to redo; the peer reconfiguring its own direction keeps the channel OPEN.
 */
import { StateMachine, type TransitionTable } from '../core/index.js';

export const CHANNEL_STATE = {
  CLOSED: 'CLOSED',
  WAIT_CONNECT: 'WAIT_CONNECT',
  WAIT_CONNECT_RSP: 'WAIT_CONNECT_RSP',
  CONFIG: 'CONFIG',
  OPEN: 'OPEN',
  WAIT_DISCONNECT: 'WAIT_DISCONNECT',
} as const;
export type ChannelState = (typeof CHANNEL_STATE)[keyof typeof CHANNEL_STATE];

export const CHANNEL_EVENT = {
  OPEN_CHANNEL_REQ: 'OpenChannel_Req',
  OPEN_CHANNEL_RSP: 'OpenChannel_Rsp',
  OPEN_CHANNEL_RSP_NEG: 'OpenChannel_RspNeg',
  CONNECT_REQ: 'L2CAP_ConnectReq',
  CONNECT_REQ_PENDING: 'L2CAP_ConnectReq_Pending',
  CONNECT_RSP: 'L2CAP_ConnectRsp',
  CONNECT_RSP_CLOSING: 'L2CAP_ConnectRsp_Closing',
  CONNECT_RSP_NEG: 'L2CAP_ConnectRspNeg',
  COMMAND_REJECT: 'L2CAP_CommandReject',
  CONFIG_COMPLETE: 'Config_Complete',
  CONFIG_RSP_NEG: 'L2CAP_ConfigRspNeg',
  CONFIGURE_CHANNEL_REQ: 'ConfigureChannel_Req',
  CLOSE_CHANNEL_REQ: 'CloseChannel_Req',
  DISCONNECT_REQ: 'L2CAP_DisconnectReq',
  DISCONNECT_RSP: 'L2CAP_DisconnectRsp',
  NO_IDENTIFIER: 'No_Identifier',
  TIMEOUT: 'Timeout',
  LINK_DOWN: 'Link_Down',
} as const;
export type ChannelEvent = (typeof CHANNEL_EVENT)[keyof typeof CHANNEL_EVENT];

const S = CHANNEL_STATE;
const E = CHANNEL_EVENT;

export const CHANNEL_TRANSITIONS: TransitionTable<ChannelState, ChannelEvent> = {
  [S.CLOSED]: {
    [E.OPEN_CHANNEL_REQ]: S.WAIT_CONNECT_RSP,
    [E.CONNECT_REQ]: S.CONFIG,
    [E.CONNECT_REQ_PENDING]: S.WAIT_CONNECT,
  },
  [S.WAIT_CONNECT]: {
    [E.OPEN_CHANNEL_RSP]: S.CONFIG,
    [E.OPEN_CHANNEL_RSP_NEG]: S.CLOSED,
    [E.DISCONNECT_REQ]: S.CLOSED,
    [E.LINK_DOWN]: S.CLOSED,
  },
  [S.WAIT_CONNECT_RSP]: {
    [E.CONNECT_RSP]: S.CONFIG,
    [E.CONNECT_RSP_CLOSING]: S.WAIT_DISCONNECT,
    [E.CONNECT_RSP_NEG]: S.CLOSED,
    [E.COMMAND_REJECT]: S.CLOSED,
    [E.TIMEOUT]: S.CLOSED,
    [E.LINK_DOWN]: S.CLOSED,
  },
  [S.CONFIG]: {
    [E.CONFIG_COMPLETE]: S.OPEN,
    [E.CONFIG_RSP_NEG]: S.WAIT_DISCONNECT,
    [E.TIMEOUT]: S.WAIT_DISCONNECT,
    [E.CLOSE_CHANNEL_REQ]: S.WAIT_DISCONNECT,
    [E.DISCONNECT_REQ]: S.CLOSED,
    [E.LINK_DOWN]: S.CLOSED,
  },
  [S.OPEN]: {
    [E.CONFIGURE_CHANNEL_REQ]: S.CONFIG,
    [E.CLOSE_CHANNEL_REQ]: S.WAIT_DISCONNECT,
    [E.DISCONNECT_REQ]: S.CLOSED,
    [E.LINK_DOWN]: S.CLOSED,
  },
  [S.WAIT_DISCONNECT]: {
    [E.CLOSE_CHANNEL_REQ]: S.WAIT_DISCONNECT,
    [E.DISCONNECT_RSP]: S.CLOSED,
    [E.COMMAND_REJECT]: S.CLOSED,
    [E.TIMEOUT]: S.CLOSED,
    [E.NO_IDENTIFIER]: S.CLOSED,
    [E.DISCONNECT_REQ]: S.CLOSED,
    [E.LINK_DOWN]: S.CLOSED,
  },
};

/** The machine of one L2CAP layer: the table and the history of its channels. */
export function newChannelMachine(): StateMachine<ChannelState, ChannelEvent> {
  return new StateMachine('L2CAP channel', CHANNEL_TRANSITIONS);
}

export const CONFIG_SUBSTATE = {
  WAIT_CONFIG_REQ_RSP: 'WAIT_CONFIG_REQ_RSP',
  WAIT_CONFIG_REQ: 'WAIT_CONFIG_REQ',
  WAIT_CONFIG_RSP: 'WAIT_CONFIG_RSP',
} as const;
export type ConfigSubstate = (typeof CONFIG_SUBSTATE)[keyof typeof CONFIG_SUBSTATE];

/** The CONFIG sub-state (§6.1.3) of a channel in CONFIG with these direction flags; undefined once both are done. */
export function configSubstate(localConfigDone: boolean, remoteConfigDone: boolean): ConfigSubstate | undefined {
  if (localConfigDone && remoteConfigDone) return undefined;
  if (localConfigDone) return CONFIG_SUBSTATE.WAIT_CONFIG_REQ;
  if (remoteConfigDone) return CONFIG_SUBSTATE.WAIT_CONFIG_RSP;
  return CONFIG_SUBSTATE.WAIT_CONFIG_REQ_RSP;
}
