/**
 * The RFCOMM DLC state machine (TS 07.10 §5.4.1 DLC establishment, §5.4.2 DLC release, §5.3.1–5.3.4
 * SABM/UA/DM/DISC; RFCOMM 1.2 §5.2 (the multiplexer comes first), §5.5.3 (PN before the SABM),
 * §6.5 (credits)). TS 07.10 names a DLC either connected or in disconnected mode, and the frames
 * between; the keys below name the step the DLC waits in after the frame the specification sends,
 * their values are the names the API reports (`dlcInfo().state`).
 * The multiplexer moves a DLC only through its machine's `transition`; an event this table does
 * not define in the DLC's state leaves it there and becomes a 'session-error' event.
 *
 * | state       | event          | next        | what happens                                                    |
 * |-------------|----------------|-------------|-----------------------------------------------------------------|
 * | closed      | Open_Req       | waiting-mux | `connect()`: the DLC waits for DLCI 0 (RFCOMM §5.2)             |
 * | closed      | SABM           | connected   | the peer opens a registered server channel: UA, our MSC         |
 * | waiting-mux | Mux_Open       | pn-sent     | DLCI 0 is up: our PN (§5.5.3) under T2                          |
 * | waiting-mux | DLCI_In_Use    | closed      | the peer already uses the DLCI: refused                         |
 * | pn-sent     | PN_Rsp         | sabm-sent   | parameters agreed: SABM under T1                                |
 * | pn-sent     | T2             | closed      | no answer to PN                                                 |
 * | sabm-sent   | UA             | connected   | our MSC                                                         |
 * | sabm-sent   | T1             | closed      | no answer to SABM                                               |
 * | sabm-sent   | Close_Req      | disc-sent   | `close()`: DISC under T1                                        |
 * | connected   | Close_Req      | closing     | `close()`: what was written is sent first                       |
 * | closing     | Queue_Empty    | disc-sent   | the last byte left: DISC under T1                               |
 * | closing     | Linger_Timeout | disc-sent   | `closeLingerMs` passed: the rest dropped, DISC under T1         |
 * | disc-sent   | UA             | closed      |                                                                 |
 * | disc-sent   | T1             | closed      | no answer to DISC                                               |
 * | waiting-mux, pn-sent | Close_Req | closed   | nothing was sent for it yet, or only PN: forgotten              |
 * | pn-sent, sabm-sent, connected, closing, disc-sent | DM, DISC | closed | refused (before connected) or closed by the peer; DISC is answered UA |
 * | any but closed | Session_Down | closed    | DLCI 0 or the L2CAP channel went away                           |
 */
import { StateMachine, type TransitionTable } from '../core/index.js';

export const DLC_STATE = {
  /** Disconnected mode (TS 07.10 §5.4.1): no DLC, or the end of one. */
  CLOSED: 'closed',
  /** Opened here, waiting for the multiplexer (DLCI 0) to come up (RFCOMM 1.2 §5.2). */
  WAIT_MUX: 'waiting-mux',
  /** Our PN sent, waiting for its response (RFCOMM 1.2 §5.5.3). */
  WAIT_PN_RSP: 'pn-sent',
  /** Our SABM sent, waiting for UA or DM (TS 07.10 §5.4.1). */
  WAIT_UA: 'sabm-sent',
  /** Established (TS 07.10 §5.4.1): data flows. */
  CONNECTED: 'connected',
  /** Closed here with data still queued: it is sent first (no DISC yet). */
  CLOSING: 'closing',
  /** Our DISC sent, waiting for UA or DM (TS 07.10 §5.4.2). */
  DISCONNECTING: 'disc-sent',
} as const;
export type DlcState = (typeof DLC_STATE)[keyof typeof DLC_STATE];

export const DLC_EVENT = {
  OPEN_REQ: 'Open_Req',
  MUX_OPEN: 'Mux_Open',
  DLCI_IN_USE: 'DLCI_In_Use',
  PN_RSP: 'PN_Rsp',
  SABM: 'SABM',
  UA: 'UA',
  DM: 'DM',
  DISC: 'DISC',
  CLOSE_REQ: 'Close_Req',
  QUEUE_EMPTY: 'Queue_Empty',
  LINGER_TIMEOUT: 'Linger_Timeout',
  T1: 'T1',
  T2: 'T2',
  SESSION_DOWN: 'Session_Down',
} as const;
export type DlcEvent = (typeof DLC_EVENT)[keyof typeof DLC_EVENT];

const S = DLC_STATE;
const E = DLC_EVENT;
/** DM or DISC from the peer, or the session going away: closed. */
const ENDED = { [E.DM]: S.CLOSED, [E.DISC]: S.CLOSED, [E.SESSION_DOWN]: S.CLOSED } as const;

export const DLC_TRANSITIONS: TransitionTable<DlcState, DlcEvent> = {
  [S.CLOSED]: {
    [E.OPEN_REQ]: S.WAIT_MUX,
    [E.SABM]: S.CONNECTED,
  },
  [S.WAIT_MUX]: {
    [E.MUX_OPEN]: S.WAIT_PN_RSP,
    [E.DLCI_IN_USE]: S.CLOSED,
    [E.CLOSE_REQ]: S.CLOSED,
    [E.SESSION_DOWN]: S.CLOSED,
  },
  [S.WAIT_PN_RSP]: {
    [E.PN_RSP]: S.WAIT_UA,
    [E.T2]: S.CLOSED,
    [E.CLOSE_REQ]: S.CLOSED,
    ...ENDED,
  },
  [S.WAIT_UA]: {
    [E.UA]: S.CONNECTED,
    [E.T1]: S.CLOSED,
    [E.CLOSE_REQ]: S.DISCONNECTING,
    ...ENDED,
  },
  [S.CONNECTED]: {
    [E.CLOSE_REQ]: S.CLOSING,
    ...ENDED,
  },
  [S.CLOSING]: {
    [E.QUEUE_EMPTY]: S.DISCONNECTING,
    [E.LINGER_TIMEOUT]: S.DISCONNECTING,
    ...ENDED,
  },
  [S.DISCONNECTING]: {
    [E.UA]: S.CLOSED,
    [E.T1]: S.CLOSED,
    ...ENDED,
  },
};

/** The machine of one RFCOMM layer: the table and the history of its DLCs. */
export function newDlcMachine(): StateMachine<DlcState, DlcEvent> {
  return new StateMachine('RFCOMM DLC', DLC_TRANSITIONS);
}
