/**
 * Names for what an SDP record holds, as `sdptool browse` prints them: 16-bit UUIDs of protocols,
 * service classes and profiles (Bluetooth Assigned Numbers, §3.1 "Protocol Identifiers" and §3.3
 * "Service Class and Profile Identifiers"), and the universal attribute IDs (Core v5.4 Vol 3 Part B
 * §5.1) with the offsets from the primary language base (§5.1.15-17). Every lookup is total: an
 * unknown value gets no name, never an exception.
 */
import { ATTRIBUTE_ID, LANGUAGE_OFFSET, PRIMARY_LANGUAGE_BASE } from './wire/constants.js';

/** Protocol UUIDs (Assigned Numbers §3.1). */
const PROTOCOLS: Readonly<Record<number, string>> = {
  0x0001: 'SDP',
  0x0002: 'UDP',
  0x0003: 'RFCOMM',
  0x0004: 'TCP',
  0x0005: 'TCS-BIN',
  0x0006: 'TCS-AT',
  0x0007: 'ATT',
  0x0008: 'OBEX',
  0x0009: 'IP',
  0x000a: 'FTP',
  0x000c: 'HTTP',
  0x000e: 'WSP',
  0x000f: 'BNEP',
  0x0010: 'UPNP',
  0x0011: 'HIDP',
  0x0012: 'HardcopyControlChannel',
  0x0014: 'HardcopyDataChannel',
  0x0016: 'HardcopyNotification',
  0x0017: 'AVCTP',
  0x0019: 'AVDTP',
  0x001b: 'CMTP',
  0x001e: 'MCAPControlChannel',
  0x001f: 'MCAPDataChannel',
  0x0100: 'L2CAP',
};

/** Service class and profile UUIDs (Assigned Numbers §3.3). */
const SERVICE_CLASSES: Readonly<Record<number, string>> = {
  0x1000: 'Service Discovery Server',
  0x1001: 'Browse Group Descriptor',
  0x1002: 'Public Browse Root',
  0x1101: 'Serial Port',
  0x1102: 'LAN Access Using PPP',
  0x1103: 'Dialup Networking',
  0x1104: 'IrMC Sync',
  0x1105: 'OBEX Object Push',
  0x1106: 'OBEX File Transfer',
  0x1107: 'IrMC Sync Command',
  0x1108: 'Headset',
  0x1109: 'Cordless Telephony',
  0x110a: 'Audio Source',
  0x110b: 'Audio Sink',
  0x110c: 'A/V Remote Control Target',
  0x110d: 'Advanced Audio Distribution',
  0x110e: 'A/V Remote Control',
  0x110f: 'A/V Remote Control Controller',
  0x1110: 'Intercom',
  0x1111: 'Fax',
  0x1112: 'Headset Audio Gateway',
  0x1113: 'WAP',
  0x1114: 'WAP Client',
  0x1115: 'PANU',
  0x1116: 'NAP',
  0x1117: 'GN',
  0x1118: 'Direct Printing',
  0x1119: 'Reference Printing',
  0x111a: 'Basic Imaging Profile',
  0x111b: 'Imaging Responder',
  0x111c: 'Imaging Automatic Archive',
  0x111d: 'Imaging Referenced Objects',
  0x111e: 'Handsfree',
  0x111f: 'Handsfree Audio Gateway',
  0x1120: 'Direct Printing Reference Objects',
  0x1121: 'Reflected UI',
  0x1122: 'Basic Printing',
  0x1123: 'Printing Status',
  0x1124: 'Human Interface Device',
  0x1125: 'Hardcopy Cable Replacement',
  0x1126: 'HCR Print',
  0x1127: 'HCR Scan',
  0x1128: 'Common ISDN Access',
  0x112d: 'SIM Access',
  0x112e: 'Phonebook Access - PCE',
  0x112f: 'Phonebook Access - PSE',
  0x1130: 'Phonebook Access',
  0x1131: 'Headset - HS',
  0x1132: 'Message Access Server',
  0x1133: 'Message Notification Server',
  0x1134: 'Message Access Profile',
  0x1135: 'GNSS',
  0x1136: 'GNSS Server',
  0x1200: 'PnP Information',
  0x1201: 'Generic Networking',
  0x1202: 'Generic File Transfer',
  0x1203: 'Generic Audio',
  0x1204: 'Generic Telephony',
  0x1205: 'UPNP Service',
  0x1206: 'UPNP IP Service',
  0x1300: 'ESDP UPNP IP PAN',
  0x1301: 'ESDP UPNP IP LAP',
  0x1302: 'ESDP UPNP L2CAP',
  0x1303: 'Video Source',
  0x1304: 'Video Sink',
  0x1305: 'Video Distribution',
  0x1400: 'HDP',
  0x1401: 'HDP Source',
  0x1402: 'HDP Sink',
};

/** Universal attribute IDs (§5.1), the names `sdptool` and the specification use. */
const ATTRIBUTES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(ATTRIBUTE_ID).map(([name, id]) => [id, name]));

/** Offsets from the primary language base 0x0100 (§5.1.15-17). */
const LANGUAGE_ATTRIBUTES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(LANGUAGE_OFFSET).map(([name, offset]) => [offset, name]));

/** The name of a 16-bit (or 32-bit) UUID value, if it is a protocol, service class or profile. */
export function uuid16Name(value: number): string | undefined {
  return PROTOCOLS[value] ?? SERVICE_CLASSES[value];
}

/**
 * A UUID as the CLI shows it: its 16-bit form and name when it has one (`0x1101 Serial Port`), as
 * `sdptool` does; text such as `1101` or a 128-bit UUID of the Bluetooth base (`00001101-0000-1000-
 * 8000-00805f9b34fb`) is recognised; any other UUID is shown as given.
 */
export function uuidLabel(text: string): string {
  const value = shortValue(text);
  if (value === undefined) return text;
  const name = uuid16Name(value);
  const hex = `0x${value.toString(16).padStart(4, '0')}`;
  return name ? `${hex} ${name}` : hex;
}

/** The assigned name of a UUID given as text (16-, 32-bit or 128-bit of the Bluetooth base), if any. */
export function uuidName(text: string): string | undefined {
  const value = shortValue(text);
  return value === undefined ? undefined : uuid16Name(value);
}

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

function shortValue(text: string): number | undefined {
  const t = text.toLowerCase().replace(/^0x/, '');
  if (/^[0-9a-f]{4}$/.test(t) || /^[0-9a-f]{8}$/.test(t)) return parseInt(t, 16);
  if (t.length === 36 && t.endsWith(BASE_SUFFIX)) return parseInt(t.slice(0, 8), 16);
  return undefined;
}

/** An attribute ID with its name (`ProtocolDescriptorList (0x0004)`), the language-based ones at
 * the primary base included; an ID with no universal meaning is shown as a number only. */
export function attributeLabel(id: number): string {
  const hex = `0x${id.toString(16).padStart(4, '0')}`;
  const name = ATTRIBUTES[id] ?? LANGUAGE_ATTRIBUTES[id - PRIMARY_LANGUAGE_BASE];
  return name ? `${name} (${hex})` : hex;
}

/** A profile version as the specification writes it: 0x0102 → "1.2" (major in the high octet). */
export function profileVersion(version: number): string {
  return `${(version >> 8) & 0xff}.${version & 0xff}`;
}
