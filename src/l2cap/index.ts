/** The public surface of the L2CAP layer (docs/layers.md "L2CAP"). */
export { L2capManager, type ChannelInfo } from './manager.js';
export { CONNECT_RESULT_NO_RESPONSE, CONNECT_RESULT_TIMEOUT, type L2capEvent, type L2capOptions, type L2capTimer } from './events.js';
export { CHANNEL_STATE, CHANNEL_EVENT, CHANNEL_TRANSITIONS, CONFIG_SUBSTATE, configSubstate, type ChannelState, type ChannelEvent, type ConfigSubstate } from './channel-state.js';
export { isValidPsm } from './psm.js';
export { DROP_REASONS, type DropReason, type LinkStats, type SignalingStats, type TrafficStats } from './stats.js';
export * from './wire/index.js';
