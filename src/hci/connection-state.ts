/**
 * The HCI ACL connection state machine, as the host sees a connection handle (Core v5.4 Vol 4
 * Part E §7.7.3 Connection Complete, §7.1.6 Disconnect, §7.7.5 Disconnection Complete; Vol 1
 * Part F for the reasons). A handle exists from the Connection Complete that names it until the
 * Disconnection Complete that ends it; the specification names the procedures, not the host's
 * states, so the states are named after them. `HciHost` writes a link's state only through its
 * machine's `transition`; an event the table does not define in the link's state leaves it there
 * and becomes an 'error' event.
 *
 * | state         | event                   | next          | what happens                                               |
 * |---------------|-------------------------|---------------|------------------------------------------------------------|
 * | CLOSED        | Connection_Complete     | CONNECTED     | success: the handle gets a scheduler and a reassembler     |
 * | CONNECTED     | Disconnect              | DISCONNECTING | we sent Disconnect (`disconnect()`, or a damaged ACL stream) |
 * | DISCONNECTING | Disconnect              | DISCONNECTING | another Disconnect for it                                  |
 * | CONNECTED, DISCONNECTING | Disconnection_Complete | CLOSED | 'disconnected' with the reason                           |
 * | CONNECTED, DISCONNECTING | Disconnect_Failed | CONNECTED  | Disconnection Complete with a status ≠ 0: still up        |
 * | CONNECTED, DISCONNECTING | Handle_Reused     | CLOSED     | a Connection Complete for a handle still up: the old link is lost |
 *
 * Paging (Create Connection for an address, before any handle) is not a state of a handle:
 * `HciHost` keeps the addresses being paged apart, and the stack's AclLinks who waits for them.
 */
import { StateMachine, type TransitionTable } from '../core/index.js';

export const CONNECTION_STATE = {
  CLOSED: 'CLOSED',
  CONNECTED: 'CONNECTED',
  DISCONNECTING: 'DISCONNECTING',
} as const;
export type ConnectionState = (typeof CONNECTION_STATE)[keyof typeof CONNECTION_STATE];

export const CONNECTION_EVENT = {
  CONNECTION_COMPLETE: 'Connection_Complete',
  DISCONNECT: 'Disconnect',
  DISCONNECTION_COMPLETE: 'Disconnection_Complete',
  DISCONNECT_FAILED: 'Disconnect_Failed',
  HANDLE_REUSED: 'Handle_Reused',
} as const;
export type ConnectionEvent = (typeof CONNECTION_EVENT)[keyof typeof CONNECTION_EVENT];

const S = CONNECTION_STATE;
const E = CONNECTION_EVENT;

export const CONNECTION_TRANSITIONS: TransitionTable<ConnectionState, ConnectionEvent> = {
  [S.CLOSED]: {
    [E.CONNECTION_COMPLETE]: S.CONNECTED,
  },
  [S.CONNECTED]: {
    [E.DISCONNECT]: S.DISCONNECTING,
    [E.DISCONNECTION_COMPLETE]: S.CLOSED,
    [E.DISCONNECT_FAILED]: S.CONNECTED,
    [E.HANDLE_REUSED]: S.CLOSED,
  },
  [S.DISCONNECTING]: {
    [E.DISCONNECT]: S.DISCONNECTING,
    [E.DISCONNECTION_COMPLETE]: S.CLOSED,
    [E.DISCONNECT_FAILED]: S.CONNECTED,
    [E.HANDLE_REUSED]: S.CLOSED,
  },
};

/** The machine of one HCI host: the table and the history of its connection handles. */
export function newConnectionMachine(): StateMachine<ConnectionState, ConnectionEvent> {
  return new StateMachine('HCI connection', CONNECTION_TRANSITIONS);
}
