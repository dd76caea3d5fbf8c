/**
 * The RFCOMM session (multiplexer) state machine: the control channel DLCI 0 on one L2CAP channel
 * (TS 07.10 §5.4.1 and §5.4.2 applied to DLCI 0, §5.7.1 T1; RFCOMM 1.2 §5.2: DLCI 0 is established
 * before any other DLC, and closed once the last one is). Keys name the step, values are the names
 * the API reports (`sessionInfo().state`).
 * The multiplexer moves its state only through the session machine's `transition`; an event this
 * table does not define in the session's state leaves it there and becomes a 'session-error' event.
 *
 * | state         | event        | next          | what happens                                                  |
 * |---------------|--------------|---------------|---------------------------------------------------------------|
 * | listening     | Open_Req     | connecting    | this side starts the multiplexer: SABM 0 under T1             |
 * | listening     | SABM         | open          | UA 0; the idle timer waits for the first DLC                  |
 * | listening     | SABM_Refused | closed        | DM 0 (`acceptSessions` off)                                   |
 * | connecting    | UA           | open          | the waiting DLCs send their PN                                |
 * | connecting    | DM           | closed        | the peer refused the session                                  |
 * | connecting    | T1           | closed        | no answer to SABM 0                                           |
 * | open          | Idle_Timeout | disconnecting | no DLC for `sessionIdleMs` (or never one): DISC 0 under T1    |
 * | open          | DM           | closed        |                                                               |
 * | disconnecting | UA           | closed        |                                                               |
 * | disconnecting | DM           | closed        |                                                               |
 * | disconnecting | T1           | closed        | no answer to DISC 0                                           |
 * | connecting, open, disconnecting | DISC | closed | UA 0; every DLC closes                                   |
 * | any           | L2CAP_Down   | closed        | the L2CAP channel went away: every DLC closes, nothing is sent |
 */
import { StateMachine, type TransitionTable } from '../core/index.js';

export const SESSION_STATE = {
  /** The L2CAP channel is up, DLCI 0 is not: waiting for the peer's SABM 0 or our first DLC. */
  LISTENING: 'listening',
  /** Our SABM 0 sent, waiting for UA or DM. */
  WAIT_UA: 'connecting',
  /** DLCI 0 established: DLCs may be opened. */
  OPEN: 'open',
  /** Our DISC 0 sent, waiting for UA or DM. */
  DISCONNECTING: 'disconnecting',
  CLOSED: 'closed',
} as const;
export type SessionState = (typeof SESSION_STATE)[keyof typeof SESSION_STATE];

export const SESSION_EVENT = {
  OPEN_REQ: 'Open_Req',
  SABM: 'SABM',
  SABM_REFUSED: 'SABM_Refused',
  UA: 'UA',
  DM: 'DM',
  DISC: 'DISC',
  T1: 'T1',
  IDLE_TIMEOUT: 'Idle_Timeout',
  L2CAP_DOWN: 'L2CAP_Down',
} as const;
export type SessionEvent = (typeof SESSION_EVENT)[keyof typeof SESSION_EVENT];

const S = SESSION_STATE;
const E = SESSION_EVENT;

export const SESSION_TRANSITIONS: TransitionTable<SessionState, SessionEvent> = {
  [S.LISTENING]: {
    [E.OPEN_REQ]: S.WAIT_UA,
    [E.SABM]: S.OPEN,
    [E.SABM_REFUSED]: S.CLOSED,
    [E.L2CAP_DOWN]: S.CLOSED,
  },
  [S.WAIT_UA]: {
    [E.UA]: S.OPEN,
    [E.DM]: S.CLOSED,
    [E.T1]: S.CLOSED,
    [E.DISC]: S.CLOSED,
    [E.L2CAP_DOWN]: S.CLOSED,
  },
  [S.OPEN]: {
    [E.IDLE_TIMEOUT]: S.DISCONNECTING,
    [E.DM]: S.CLOSED,
    [E.DISC]: S.CLOSED,
    [E.L2CAP_DOWN]: S.CLOSED,
  },
  [S.DISCONNECTING]: {
    [E.UA]: S.CLOSED,
    [E.DM]: S.CLOSED,
    [E.T1]: S.CLOSED,
    [E.DISC]: S.CLOSED,
    [E.L2CAP_DOWN]: S.CLOSED,
  },
  [S.CLOSED]: {
    [E.L2CAP_DOWN]: S.CLOSED,
  },
};

/** The machine of one RFCOMM layer: the table and the history of its sessions. */
export function newSessionMachine(): StateMachine<SessionState, SessionEvent> {
  return new StateMachine('RFCOMM session', SESSION_TRANSITIONS);
}
