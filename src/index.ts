/**
 * Public surface: the PyBluez-style socket and module functions first, then the layers for
 * research tools (codecs, state machines, the composed sans-I/O stack, transports, traces).
 */
export * from './socket/index.js';
export { Stack, type StackOptions, PSM_SDP, PSM_RFCOMM } from './stack/index.js';
export { Driver, type PacketSink } from './node/index.js';
export type { StackEvent, RfcommCloseReason, L2capCloseReason, CloseDetail } from './stack/index.js';
export type { SecurityFailure } from './security/index.js';
export * as core from './core/index.js';
export * as hci from './hci/index.js';
export * as l2cap from './l2cap/index.js';
export * as rfcomm from './rfcomm/index.js';
export * as sdp from './sdp/index.js';
export * as trace from './trace/index.js';
export * as transport from './transport/index.js';
export * as conformance from './conformance/index.js';
