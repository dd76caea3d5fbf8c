/**
 * The HCI command table (Core v5.4 Vol 4 Part E §7.1 Link Control, §7.2 Link Policy, §7.3 Controller
 * & Baseband, §7.4 Informational Parameters, §7.5 Status Parameters, §7.8 LE Controller). One entry per command: its opcode
 * (OGF << 10 | OCF), its command parameters and its return parameters (the bytes after
 * Num_HCI_Command_Packets and Command_Opcode in Command Complete, §7.7.14). Commands answered by
 * Command Status and a later event (Inquiry, Create Connection …) have `returns: []` here: their
 * Command Complete, should a controller send one, keeps its bytes raw.
 *
 * Field names are the spec's parameter names in camelCase; `describe` prints them as `name=value`.
 */
import { array, BDADDR, bytes, type Field, field, I8, STATUS, text, U16, U16X, U24X, U32, U8, U8X } from './fields.js';

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
  'Change Connection Packet Type': command(0x040f, [handle, field('packetType', U16X)], []),
  'Read Remote Supported Features': command(0x041b, [handle], []),
  'Read Remote Extended Features': command(0x041c, [handle, field('pageNumber', U8)], []),
  'Read Remote Version Information': command(0x041d, [handle], []),
  'Read Clock Offset': command(0x041f, [handle], []),
  // §7.2 Link Policy (OGF 0x02)
  'Write Default Link Policy Settings': command(0x080f, [field('defaultLinkPolicySettings', U16X)], statusOnly),
  'Sniff Mode': command(
    0x0803,
    [handle, field('sniffMaxInterval', U16), field('sniffMinInterval', U16), field('sniffAttempt', U16), field('sniffTimeout', U16)],
    [],
  ),
  'Exit Sniff Mode': command(0x0804, [handle], []),
  'Write Link Policy Settings': command(0x080d, [handle, field('linkPolicySettings', U16X)], [status, handle]),
  'Sniff Subrating': command(0x0811, [handle, field('maxLatency', U16), field('minRemoteTimeout', U16), field('minLocalTimeout', U16)], [status, handle]),
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
  'Read Stored Link Key': command(0x0c0d, [bdaddr, field('readAllFlag', U8)], [status, field('maxNumKeys', U16), field('numKeysRead', U16)]),
  'Write Connection Accept Timeout': command(0x0c16, [field('connectionAcceptTimeout', U16X)], statusOnly),
  'Write Page Scan Activity': command(0x0c1c, [field('pageScanInterval', U16X), field('pageScanWindow', U16X)], statusOnly),
  'Write Inquiry Scan Activity': command(0x0c1e, [field('inquiryScanInterval', U16X), field('inquiryScanWindow', U16X)], statusOnly),
  'Read Class of Device': command(0x0c23, [], [status, field('classOfDevice', U24X)]),
  'Write Voice Setting': command(0x0c26, [field('voiceSetting', U16X)], statusOnly),
  'Write Synchronous Flow Control Enable': command(0x0c2f, [field('synchronousFlowControlEnable', U8)], statusOnly),
  'Write Link Supervision Timeout': command(0x0c37, [handle, field('linkSupervisionTimeout', U16X)], [status, handle]),
  'Write Current IAC LAP': command(0x0c3a, [field('iacLaps', array(field('iacLap', U24X)))], statusOnly),
  'Write Inquiry Scan Type': command(0x0c43, [field('scanType', U8)], statusOnly),
  'Write Page Scan Type': command(0x0c47, [field('pageScanType', U8)], statusOnly),
  'Write Default Erroneous Data Reporting': command(0x0c5b, [field('erroneousDataReporting', U8)], statusOnly),
  'Enhanced Flush': command(0x0c5f, [handle, field('packetType', U8)], []),
  'Write LE Host Support': command(0x0c6d, [field('leSupportedHost', U8), field('unused', U8)], statusOnly),
  'Write Secure Connections Host Support': command(0x0c7a, [field('secureConnectionsHostSupport', U8)], statusOnly),
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
  'Read Local Extended Features': command(
    0x1004,
    [field('pageNumber', U8)],
    [status, field('pageNumber', U8), field('maxPageNumber', U8), field('extendedLmpFeatures', bytes(8))],
  ),
  // §7.5 Status Parameters (OGF 0x05)
  /** §7.5.7: Key_Size is the negotiated encryption key length in octets (1..16) of an encrypted ACL link. */
  'Read Encryption Key Size': command(0x1408, [handle], [status, handle, field('keySize', U8)]),
  /** §7.5.4: RSSI is a signed octet, the difference from the golden receive power range in dB. */
  'Read RSSI': command(0x1405, [handle], [status, handle, field('rssi', I8)]),
  // §7.8 LE Controller (OGF 0x08)
  'LE Set Event Mask': command(0x2001, [field('leEventMask', bytes(8))], statusOnly),
  'LE Read Buffer Size': command(0x2002, [], [status, field('leAclDataPacketLength', U16), field('totalNumLeAclDataPackets', U8)]),
  'LE Read Local Supported Features': command(0x2003, [], [status, field('leFeatures', bytes(8))]),
  'LE Set Random Address': command(0x2005, [field('randomAddress', BDADDR)], statusOnly),
  'LE Set Advertising Parameters': command(
    0x2006,
    [
      field('advertisingIntervalMin', U16),
      field('advertisingIntervalMax', U16),
      field('advertisingType', U8),
      field('ownAddressType', U8),
      field('peerAddressType', U8),
      field('peerAddress', BDADDR),
      field('advertisingChannelMap', U8X),
      field('advertisingFilterPolicy', U8),
    ],
    statusOnly,
  ),
  'LE Set Advertising Data': command(0x2008, [field('advertisingDataLength', U8), field('advertisingData', bytes(31))], statusOnly),
  'LE Set Scan Parameters': command(
    0x200b,
    [field('leScanType', U8), field('leScanInterval', U16), field('leScanWindow', U16), field('ownAddressType', U8), field('scanningFilterPolicy', U8)],
    statusOnly,
  ),
  'LE Set Scan Enable': command(0x200c, [field('leScanEnable', U8), field('filterDuplicates', U8)], statusOnly),
  'LE Create Connection': command(
    0x200d,
    [
      field('leScanInterval', U16),
      field('leScanWindow', U16),
      field('initiatorFilterPolicy', U8),
      field('peerAddressType', U8),
      field('peerAddress', BDADDR),
      field('ownAddressType', U8),
      field('connectionIntervalMin', U16),
      field('connectionIntervalMax', U16),
      field('maxLatency', U16),
      field('supervisionTimeout', U16),
      field('minCeLength', U16),
      field('maxCeLength', U16),
    ],
    [],
  ),
  'LE Create Connection Cancel': command(0x200e, [], statusOnly),
  'LE Read Filter Accept List Size': command(0x200f, [], [status, field('filterAcceptListSize', U8)]),
  'LE Clear Filter Accept List': command(0x2010, [], statusOnly),
  'LE Add Device To Filter Accept List': command(0x2011, [field('addressType', U8), field('address', BDADDR)], statusOnly),
  'LE Remove Device From Filter Accept List': command(0x2012, [field('addressType', U8), field('address', BDADDR)], statusOnly),
  'LE Rand': command(0x2018, [], [status, field('randomNumber', bytes(8))]),
  'LE Read Supported States': command(0x201c, [], [status, field('leStates', bytes(8))]),
  'LE Read Suggested Default Data Length': command(0x2023, [], [status, field('suggestedMaxTxOctets', U16), field('suggestedMaxTxTime', U16)]),
  'LE Write Suggested Default Data Length': command(0x2024, [field('suggestedMaxTxOctets', U16), field('suggestedMaxTxTime', U16)], statusOnly),
  'LE Add Device To Resolving List': command(
    0x2027,
    [field('peerIdentityAddressType', U8), field('peerIdentityAddress', BDADDR), field('peerIrk', bytes(16)), field('localIrk', bytes(16))],
    statusOnly,
  ),
  'LE Read Resolving List Size': command(0x202a, [], [status, field('resolvingListSize', U8)]),
  'LE Set Address Resolution Enable': command(0x202d, [field('addressResolutionEnable', U8)], statusOnly),
  'LE Set Resolvable Private Address Timeout': command(0x202e, [field('rpaTimeout', U16)], statusOnly),
  'LE Read Maximum Data Length': command(
    0x202f,
    [],
    [status, field('supportedMaxTxOctets', U16), field('supportedMaxTxTime', U16), field('supportedMaxRxOctets', U16), field('supportedMaxRxTime', U16)],
  ),
  'LE Set Privacy Mode': command(0x204e, [field('peerIdentityAddressType', U8), field('peerIdentityAddress', BDADDR), field('privacyMode', U8)], statusOnly),
} as const;
