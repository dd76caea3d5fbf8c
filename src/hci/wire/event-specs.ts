/**
 * The HCI event table (Core v5.4 Vol 4 Part E §7.7). One entry per event: its event code and its
 * parameters. Command Complete (§7.7.14) is not here: its return parameters depend on the command
 * and are decoded through the command table (see `event.ts`).
 *
 * Repeated parameters ("[i]" in the spec) are an `array`: Num_Responses / Num_Handles / Num_Keys
 * then the records, each record's fields together (see `fields.ts`). Extended Inquiry Result
 * (§7.7.38) always reports one response; its Num_Responses octet is kept as a plain field.
 */
import { array, BDADDR, bytes, type Field, field, I8, STATUS, text, U16, U16X, U24X, U32, U8, U8X } from './fields.js';

const status = field('status', STATUS);
const bdaddr = field('bdaddr', BDADDR);
const handle = field('handle', U16X);
const classOfDevice = field('classOfDevice', U24X);
const pageScanRepetitionMode = field('pageScanRepetitionMode', U8);
const clockOffset = field('clockOffset', U16X);

function event<const F extends readonly Field[]>(code: number, fields: F) {
  return { code, fields } as const;
}

export const EVENT_SPECS = {
  'Inquiry Complete': event(0x01, [status]),
  'Inquiry Result': event(0x02, [
    field('responses', array(bdaddr, pageScanRepetitionMode, field('reserved', bytes(2)), classOfDevice, clockOffset)),
  ]),
  'Connection Complete': event(0x03, [status, handle, bdaddr, field('linkType', U8), field('encryptionEnabled', U8)]),
  'Connection Request': event(0x04, [bdaddr, classOfDevice, field('linkType', U8)]),
  'Disconnection Complete': event(0x05, [status, handle, field('reason', STATUS)]),
  'Authentication Complete': event(0x06, [status, handle]),
  'Remote Name Request Complete': event(0x07, [status, bdaddr, field('remoteName', text(248))]),
  'Encryption Change': event(0x08, [status, handle, field('encryptionEnabled', U8)]),
  'Read Remote Supported Features Complete': event(0x0b, [status, handle, field('lmpFeatures', bytes(8))]),
  'Read Remote Version Information Complete': event(0x0c, [status, handle, field('version', U8), field('companyIdentifier', U16X), field('subversion', U16X)]),
  'Command Status': event(0x0f, [status, field('numHciCommandPackets', U8), field('opcode', U16X)]),
  'Hardware Error': event(0x10, [field('hardwareCode', U8X)]),
  'Role Change': event(0x12, [status, bdaddr, field('newRole', U8)]),
  'Number Of Completed Packets': event(0x13, [field('handles', array(handle, field('numCompletedPackets', U16)))]),
  'Mode Change': event(0x14, [status, handle, field('currentMode', U8), field('interval', U16X)]),
  'Return Link Keys': event(0x15, [field('keys', array(bdaddr, field('linkKey', bytes(16))))]),
  'PIN Code Request': event(0x16, [bdaddr]),
  'Link Key Request': event(0x17, [bdaddr]),
  'Link Key Notification': event(0x18, [bdaddr, field('linkKey', bytes(16)), field('keyType', U8)]),
  'Data Buffer Overflow': event(0x1a, [field('linkType', U8)]),
  'Max Slots Change': event(0x1b, [handle, field('lmpMaxSlots', U8)]),
  'Connection Packet Type Changed': event(0x1d, [status, handle, field('packetType', U16X)]),
  'Read Clock Offset Complete': event(0x1c, [status, handle, clockOffset]),
  'Page Scan Repetition Mode Change': event(0x20, [bdaddr, pageScanRepetitionMode]),
  'Read Remote Extended Features Complete': event(0x23, [
    status,
    handle,
    field('pageNumber', U8),
    field('maxPageNumber', U8),
    field('extendedLmpFeatures', bytes(8)),
  ]),
  'Inquiry Result with RSSI': event(0x22, [
    field('responses', array(bdaddr, pageScanRepetitionMode, field('reserved', U8X), classOfDevice, clockOffset, field('rssi', I8))),
  ]),
  'Extended Inquiry Result': event(0x2f, [
    field('numResponses', U8),
    bdaddr,
    pageScanRepetitionMode,
    field('reserved', U8X),
    classOfDevice,
    clockOffset,
    field('rssi', I8),
    field('extendedInquiryResponse', bytes(240)),
  ]),
  'IO Capability Request': event(0x31, [bdaddr]),
  'IO Capability Response': event(0x32, [bdaddr, field('ioCapability', U8), field('oobDataPresent', U8), field('authenticationRequirements', U8X)]),
  'User Confirmation Request': event(0x33, [bdaddr, field('numericValue', U32)]),
  'User Passkey Request': event(0x34, [bdaddr]),
  'Remote OOB Data Request': event(0x35, [bdaddr]),
  'Simple Pairing Complete': event(0x36, [status, bdaddr]),
  'Link Supervision Timeout Changed': event(0x38, [handle, field('linkSupervisionTimeout', U16X)]),
  'Enhanced Flush Complete': event(0x39, [handle]),
  'User Passkey Notification': event(0x3b, [bdaddr, field('passkey', U32)]),
} as const;
