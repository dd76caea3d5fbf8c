/**
 * The public surface of the HCI layer. Other layers import only from here.
 *
 * Codecs: `decodeHciPacket` / `encodeHciPacket` / `describeHciPacket` work on whole H4 packets
 * (indicator first); `decodeCommand`, `decodeEvent`, `decodeAcl` … on the packet after the indicator.
 * Commands are built as plain objects named by the spec: `encodeCommand({ name: 'Reset' })`,
 * `encodeHciPacket({ type: 'command', command: { name: 'Write Scan Enable', scanEnable: 3 } })`.
 */
export * from './wire/acl.js';
export * from './wire/command.js';
export { COMMAND_SPECS } from './wire/command-specs.js';
export * from './wire/constants.js';
export * from './wire/eir.js';
export * from './wire/event.js';
export { EVENT_SPECS } from './wire/event-specs.js';
export type { AnyValues, Field, FieldType, FieldValue, FieldValues } from './wire/fields.js';
/** The field vocabulary of the HCI tables (field kinds, `field`, `decodeAll`…), for decoders of HCI structures outside this layer. */
export * as hciFields from './wire/fields.js';
export * from './wire/iso.js';
export * from './wire/packet.js';
export * from './wire/sco.js';
export * from './wire/status-codes.js';
export * from './wire/supported-commands.js';
export * from './h4-framer.js';
export * from './acl-reassembler.js';
export * from './acl-fragmenter.js';
export * from './acl-scheduler.js';
export * from './acl-tx-pdu.js';
export { defaultEventMask } from './event-mask.js';
export { HciHost } from './host.js';
export { CONNECTION_EVENT, CONNECTION_STATE, CONNECTION_TRANSITIONS, type ConnectionEvent, type ConnectionState } from './connection-state.js';
export type * from './host-types.js';
