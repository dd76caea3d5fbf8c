/**
 * What a decoder needs of the HCI layer (the trace reader, `btc decode`): the packet codecs, the
 * field engine and the ACL reassembler, without the host that runs the layer. A second public
 * entry beside index.ts (docs/layers.md "The folder graph"): loading a layer's index loads
 * everything that runs it, a third of a decode's CPU time on a 76,000-packet capture.
 */
export { H4_INDICATOR, decodeHciPacket, describeHciPacket, type HciPacket } from './wire/packet.js';
export type { HciCommand } from './wire/command.js';
export type { HciEvent } from './wire/event.js';
export * as hciFields from './wire/fields.js';
export { AclReassembler } from './acl-reassembler.js';
export { ACL_HEADER_LENGTH, describeAclHeader } from './wire/acl.js';
export { EVENT_CODE } from './wire/constants.js';
