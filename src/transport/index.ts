export type { Transport } from './transport.js';
export { openTransport, parseTransportSpec, TRANSPORT_FORMS, type TransportSpec } from './open.js';
export { H4StreamTransport, openUnixH4, openTcpH4, openSerialH4, type H4StreamOptions, type SerialOptions } from './h4-stream.js';
export { UserChannelTransport, openUserChannel, userChannelError, kernelHasBluetooth, USER_CHANNEL_MAX_ACL_DATA, type UserChannelOptions } from './user-channel.js';
export * from './hci-socket-binding.js';
export { HciSocketTransport } from './hci-socket-transport.js';
export * from './usb.js';
export * from './virtual/index.js';
export * from './errors.js';
