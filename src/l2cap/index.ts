/** The public surface of the L2CAP layer (docs/layers.md "L2CAP"). */
export { L2capManager, type ChannelInfo } from './manager.js';
export { CONNECT_RESULT_NO_RESPONSE, CONNECT_RESULT_TIMEOUT, type IncomingConnection, type L2capEvent, type L2capOptions } from './events.js';
export { CHANNEL_STATE, type ChannelState } from './channel.js';
export { isValidPsm } from './psm.js';
export { DROP_REASONS, type DropReason, type LinkStats, type SignalingStats, type TrafficStats } from './stats.js';
export * from './wire/index.js';
