/**
 * The HCI command table (Core v5.4 Vol 4 Part E §7.1 Link Control, §7.2 Link Policy, §7.3 Controller
 * & Baseband, §7.4 Informational Parameters, §7.5 Status Parameters). One entry per command: its opcode
 * (OGF << 10 | OCF), its command parameters and its return parameters (the bytes after
 * Num_HCI_Command_Packets and Command_Opcode in Command Complete, §7.7.14). Commands answered by
 * Command Status and a later event (Inquiry, Create Connection …) have `returns: []` here: their
 * Command Complete, should a controller send one, keeps its bytes raw.
 *
 * Field names are the spec's parameter names in camelCase; `describe` prints them as `name=value`.
 */
import { BDADDR, bytes, type Field, field, STATUS, text, U16, U16X, U24X, U32, U8, U8X } from './fields.js';

const status = field('status', STATUS);
const bdaddr = field('bdaddr', BDADDR);
const handle = field('handle', U16X);
const statusOnly = [status] as const;
const statusAddr = [status, bdaddr] as const;

function command<const P extends readonly Field[], const R extends readonly Field[]>(opcode: number, params: P, returns: R) {
  return { opcode, params, returns } as const;
}

export const COMMAND_SPECS = {
  // §7.1 Link Control (OGF 0x01)
  Inquiry: command(0x0401, [field('lap', U24X), field('inquiryLength', U8), field('numResponses', U8)], []),
  'Inquiry Cancel': command(0x0402, [], statusOnly),
  'Create Connection': command(
    0x0405,
    [bdaddr, field('packetType', U16X), field('pageScanRepetitionMode', U8), field('reserved', U8X), field('clockOffset', U16X), field('allowRoleSwitch', U8)],
    [],
  ),
  Disconnect: command(0x0406, [handle, field('reason', STATUS)], []),
  'Create Connection Cancel': command(0x0408, [bdaddr], statusAddr),
  'Accept Connection Request': command(0x0409, [bdaddr, field('role', U8)], []),
  'Reject Connection Request': command(0x040a, [bdaddr, field('reason', STATUS)], []),
  'Link Key Request Reply': command(0x040b, [bdaddr, field('linkKey', bytes(16))], statusAddr),
  'Link Key Request Negative Reply': command(0x040c, [bdaddr], statusAddr),
  'PIN Code Request Reply': command(0x040d, [bdaddr, field('pinCodeLength', U8), field('pinCode', bytes(16))], statusAddr),
  'PIN Code Request Negative Reply': command(0x040e, [bdaddr], statusAddr),
  'Authentication Requested': command(0x0411, [handle], []),
  'Set Connection Encryption': command(0x0413, [handle, field('encryptionEnable', U8)], []),
  'Remote Name Request': command(0x0419, [bdaddr, field('pageScanRepetitionMode', U8), field('reserved', U8X), field('clockOffset', U16X)], []),
  'IO Capability Request Reply': command(
    0x042b,
    [bdaddr, field('ioCapability', U8), field('oobDataPresent', U8), field('authenticationRequirements', U8X)],
    statusAddr,
  ),
  'User Confirmation Request Reply': command(0x042c, [bdaddr], statusAddr),
  'User Confirmation Request Negative Reply': command(0x042d, [bdaddr], statusAddr),
  'User Passkey Request Reply': command(0x042e, [bdaddr, field('numericValue', U32)], statusAddr),
  'User Passkey Request Negative Reply': command(0x042f, [bdaddr], statusAddr),
  'IO Capability Request Negative Reply': command(0x0434, [bdaddr, field('reason', STATUS)], statusAddr),
  // §7.2 Link Policy (OGF 0x02)
  'Write Default Link Policy Settings': command(0x080f, [field('defaultLinkPolicySettings', U16X)], statusOnly),
  // §7.3 Controller & Baseband (OGF 0x03)
  'Set Event Mask': command(0x0c01, [field('eventMask', bytes(8))], statusOnly),
  Reset: command(0x0c03, [], statusOnly),
  'Write Local Name': command(0x0c13, [field('localName', text(248))], statusOnly),
  'Read Local Name': command(0x0c14, [], [status, field('localName', text(248))]),
  'Write Page Timeout': command(0x0c18, [field('pageTimeout', U16X)], statusOnly),
  'Write Scan Enable': command(0x0c1a, [field('scanEnable', U8X)], statusOnly),
  'Write Authentication Enable': command(0x0c20, [field('authenticationEnable', U8)], statusOnly),
  'Write Class of Device': command(0x0c24, [field('classOfDevice', U24X)], statusOnly),
  'Host Buffer Size': command(
    0x0c33,
    [field('hostAclDataPacketLength', U16), field('hostSynchronousDataPacketLength', U8), field('hostTotalNumAclDataPackets', U16), field('hostTotalNumSynchronousDataPackets', U16)],
    statusOnly,
  ),
  'Write Inquiry Mode': command(0x0c45, [field('inquiryMode', U8)], statusOnly),
  'Write Extended Inquiry Response': command(0x0c52, [field('fecRequired', U8), field('extendedInquiryResponse', bytes(240))], statusOnly),
  'Write Simple Pairing Mode': command(0x0c56, [field('simplePairingMode', U8)], statusOnly),
  // §7.4 Informational Parameters (OGF 0x04)
  'Read Local Version Information': command(
    0x1001,
    [],
    [status, field('hciVersion', U8), field('hciSubversion', U16X), field('lmpVersion', U8), field('companyIdentifier', U16X), field('lmpSubversion', U16X)],
  ),
  'Read Local Supported Commands': command(0x1002, [], [status, field('supportedCommands', bytes(64))]),
  'Read Local Supported Features': command(0x1003, [], [status, field('lmpFeatures', bytes(8))]),
  'Read Buffer Size': command(
    0x1005,
    [],
    [status, field('aclDataPacketLength', U16), field('synchronousDataPacketLength', U8), field('totalNumAclDataPackets', U16), field('totalNumSynchronousDataPackets', U16)],
  ),
  'Read BD_ADDR': command(0x1009, [], statusAddr),
  // §7.5 Status Parameters (OGF 0x05)
  /** §7.5.7: Key_Size is the negotiated encryption key length in octets (1..16) of an encrypted ACL link. */
  'Read Encryption Key Size': command(0x1408, [handle], [status, handle, field('keySize', U8)]),
} as const;
