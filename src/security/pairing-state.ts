/**
 * The pairing state machine of one peer, as the host sees the controller's pairing events (Core
 * v5.4 Vol 3 Part C §5.2.2 Secure Simple Pairing: IO capability exchange, authentication stage 1
 * (numeric comparison, passkey entry, Just Works; OOB is refused), authentication stage 2 and the
 * link key calculation ending in Link Key Notification; Vol 2 Part F §4.2 and Vol 4 Part E
 * §7.7.22 for legacy PIN pairing). The specification names the phases; the states are named after
 * them. `SecurityManager` writes a peer's pairing state only through this machine's `transition`;
 * an event the table does not define in the peer's state leaves it there, becomes a
 * 'pairing-error' event, and gets the defined answer where the event asks for one (a negative
 * reply): a controller asking for a confirmation, a passkey or a PIN outside a pairing that could
 * need one is refused, and a link key notified with no pairing under way is not taken.
 *
 * | state                | event                          | next                 | note                                           |
 * |----------------------|--------------------------------|----------------------|------------------------------------------------|
 * | IDLE                 | IO_Capability_Request          | IO_CAP_LOCAL_DONE    | we answer first (we initiated)                  |
 * | IDLE                 | IO_Capability_Response         | IO_CAP_REMOTE_DONE   | the peer's capabilities first (it initiated)    |
 * | IO_CAP_LOCAL_DONE    | IO_Capability_Response         | AUTH_STAGE_1         | both sides' capabilities known                 |
 * | IO_CAP_REMOTE_DONE   | IO_Capability_Request          | AUTH_STAGE_1         |                                                |
 * | AUTH_STAGE_1         | User_Confirmation_Request, User_Passkey_Request, User_Passkey_Notification, Remote_OOB_Data_Request | AUTH_STAGE_1 | the association model's prompt |
 * | AUTH_STAGE_1         | Simple_Pairing_Complete        | AUTH_STAGE_2         | success: the DHKey check passed                 |
 * | AUTH_STAGE_1, AUTH_STAGE_2 | Link_Key_Notification    | IDLE                 | paired (a controller may notify before Simple Pairing Complete) |
 * | IDLE, LEGACY_PIN     | PIN_Code_Request               | LEGACY_PIN           | legacy pairing (again after a wrong PIN)        |
 * | LEGACY_PIN           | Link_Key_Notification          | IDLE                 | paired                                          |
 * | any but IDLE         | IO_Capability_Request/Response | IO_CAP_LOCAL_DONE / IO_CAP_REMOTE_DONE | a new pairing: the last one ended unseen |
 * | any but IDLE         | Simple_Pairing_Failed, Authentication_Failed, Link_Down | IDLE | 'pairing-failed'                   |
 */
import { StateMachine, type TransitionTable } from '../core/index.js';

export const PAIRING_STATE = {
  IDLE: 'IDLE',
  IO_CAP_LOCAL_DONE: 'IO_CAP_LOCAL_DONE',
  IO_CAP_REMOTE_DONE: 'IO_CAP_REMOTE_DONE',
  AUTH_STAGE_1: 'AUTH_STAGE_1',
  AUTH_STAGE_2: 'AUTH_STAGE_2',
  LEGACY_PIN: 'LEGACY_PIN',
} as const;
export type PairingState = (typeof PAIRING_STATE)[keyof typeof PAIRING_STATE];

export const PAIRING_EVENT = {
  IO_CAPABILITY_REQUEST: 'IO_Capability_Request',
  IO_CAPABILITY_RESPONSE: 'IO_Capability_Response',
  USER_CONFIRMATION_REQUEST: 'User_Confirmation_Request',
  USER_PASSKEY_REQUEST: 'User_Passkey_Request',
  USER_PASSKEY_NOTIFICATION: 'User_Passkey_Notification',
  REMOTE_OOB_DATA_REQUEST: 'Remote_OOB_Data_Request',
  SIMPLE_PAIRING_COMPLETE: 'Simple_Pairing_Complete',
  SIMPLE_PAIRING_FAILED: 'Simple_Pairing_Failed',
  PIN_CODE_REQUEST: 'PIN_Code_Request',
  LINK_KEY_NOTIFICATION: 'Link_Key_Notification',
  AUTHENTICATION_FAILED: 'Authentication_Failed',
  LINK_DOWN: 'Link_Down',
} as const;
export type PairingEvent = (typeof PAIRING_EVENT)[keyof typeof PAIRING_EVENT];

const S = PAIRING_STATE;
const E = PAIRING_EVENT;

/** What ends a pairing under way, and what starts a new one over it, from every state but IDLE. */
const UNDER_WAY = {
  [E.IO_CAPABILITY_REQUEST]: S.IO_CAP_LOCAL_DONE,
  [E.IO_CAPABILITY_RESPONSE]: S.IO_CAP_REMOTE_DONE,
  [E.SIMPLE_PAIRING_FAILED]: S.IDLE,
  [E.AUTHENTICATION_FAILED]: S.IDLE,
  [E.LINK_DOWN]: S.IDLE,
} as const;

export const PAIRING_TRANSITIONS: TransitionTable<PairingState, PairingEvent> = {
  [S.IDLE]: {
    [E.IO_CAPABILITY_REQUEST]: S.IO_CAP_LOCAL_DONE,
    [E.IO_CAPABILITY_RESPONSE]: S.IO_CAP_REMOTE_DONE,
    [E.PIN_CODE_REQUEST]: S.LEGACY_PIN,
  },
  [S.IO_CAP_LOCAL_DONE]: {
    ...UNDER_WAY,
    [E.IO_CAPABILITY_RESPONSE]: S.AUTH_STAGE_1,
  },
  [S.IO_CAP_REMOTE_DONE]: {
    ...UNDER_WAY,
    [E.IO_CAPABILITY_REQUEST]: S.AUTH_STAGE_1,
  },
  [S.AUTH_STAGE_1]: {
    ...UNDER_WAY,
    [E.USER_CONFIRMATION_REQUEST]: S.AUTH_STAGE_1,
    [E.USER_PASSKEY_REQUEST]: S.AUTH_STAGE_1,
    [E.USER_PASSKEY_NOTIFICATION]: S.AUTH_STAGE_1,
    [E.REMOTE_OOB_DATA_REQUEST]: S.AUTH_STAGE_1,
    [E.SIMPLE_PAIRING_COMPLETE]: S.AUTH_STAGE_2,
    [E.LINK_KEY_NOTIFICATION]: S.IDLE,
  },
  [S.AUTH_STAGE_2]: {
    ...UNDER_WAY,
    [E.LINK_KEY_NOTIFICATION]: S.IDLE,
  },
  [S.LEGACY_PIN]: {
    ...UNDER_WAY,
    [E.PIN_CODE_REQUEST]: S.LEGACY_PIN,
    [E.LINK_KEY_NOTIFICATION]: S.IDLE,
  },
};

/** The machine of one SecurityManager: the table and the history of its peers' pairings. */
export function newPairingMachine(): StateMachine<PairingState, PairingEvent> {
  return new StateMachine('pairing', PAIRING_TRANSITIONS);
}
