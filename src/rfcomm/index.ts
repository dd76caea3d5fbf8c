/** The RFCOMM layer's public surface (docs/layers.md "RFCOMM"). */
export * from './wire/index.js';
export { RfcommManager, MIN_SERVER_CHANNEL, MAX_SERVER_CHANNEL, type DlcInfo, type SessionInfo } from './manager.js';
export type { DlcCloseCause, RfcommEvent, RfcommCloseReason } from './events.js';
export { RFCOMM_DEFAULTS, type RfcommOptions, type ResolvedRfcommOptions } from './options.js';
export type { DlcStats, SessionStats } from './stats.js';
export { DEFAULT_N1, TX_CREDIT_CAP, RX_CREDIT_WINDOW_CAP } from './dlc.js';
export { DLC_EVENT, DLC_STATE, DLC_TRANSITIONS, type DlcEvent, type DlcState } from './dlc-state.js';
export { SESSION_EVENT, SESSION_STATE, SESSION_TRANSITIONS, type SessionEvent, type SessionState } from './session-state.js';
