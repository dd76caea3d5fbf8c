/**
 * What the virtual controller says about itself: version (Read Local Version Information, Core v5.4
 * Vol 4 Part E §7.4.1), LMP features (Vol 2 Part C §3.3, pages 0–2), and the Supported_Commands bit
 * table (Vol 4 Part E §6.27: octet and bit of every command it implements).
 */
import { OP } from './constants.js';

/** HCI and LMP version 5.4 (Assigned Numbers: 0x0D); company 0xFFFF is reserved for tests. */
export const VERSION = { hciVersion: 0x0d, hciRevision: 0x0001, lmpVersion: 0x0d, manufacturer: 0xffff, lmpSubversion: 0x0001 } as const;

/**
 * Page 0: 3- and 5-slot packets, encryption, slot offset, timing accuracy, role switch, sniff
 * (octet 0); EDR ACL 2 and 3 Mb/s, enhanced inquiry scan, RSSI with inquiry results (octet 3);
 * AFH capable peripheral, 3-slot EDR (octet 4); 5-slot EDR, sniff subrating, pause encryption, AFH
 * capable central (octet 5); Extended Inquiry Response, Secure Simple Pairing (Controller),
 * non-flushable packet boundary flag (octet 6); extended features (octet 7).
 */
export const FEATURES_PAGE_0 = Uint8Array.of(0xbf, 0x00, 0x00, 0x4e, 0x88, 0x0f, 0x49, 0x80);

/** Page 1 (host features, bit 0 SSP host, bit 3 Secure Connections host) from the host's settings. */
export function featuresPage1(sspHost: boolean, scHost: boolean): Uint8Array {
  return Uint8Array.of((sspHost ? 0x01 : 0) | (scHost ? 0x08 : 0), 0, 0, 0, 0, 0, 0, 0);
}

/** Page 2: Secure Connections (Controller Support) and Ping, bits 8 and 9. */
export const FEATURES_PAGE_2 = Uint8Array.of(0x00, 0x03, 0, 0, 0, 0, 0, 0);
export const MAX_FEATURE_PAGE = 2;

/** Feature page 0, 1 (host bits from the host's settings) or 2. */
export function featurePage(settings: { readonly sspMode: boolean; readonly scHost: boolean }, page: number): Uint8Array {
  if (page === 0) return FEATURES_PAGE_0;
  if (page === 1) return featuresPage1(settings.sspMode, settings.scHost);
  return FEATURES_PAGE_2;
}

/** [octet, bit] of each implemented command in Supported_Commands. */
const COMMAND_BITS: readonly (readonly [number, number, number])[] = [
  [OP.INQUIRY, 0, 0],
  [OP.INQUIRY_CANCEL, 0, 1],
  [OP.CREATE_CONNECTION, 0, 4],
  [OP.DISCONNECT, 0, 5],
  [OP.CREATE_CONNECTION_CANCEL, 0, 7],
  [OP.ACCEPT_CONNECTION_REQUEST, 1, 0],
  [OP.REJECT_CONNECTION_REQUEST, 1, 1],
  [OP.LINK_KEY_REQUEST_REPLY, 1, 2],
  [OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, 1, 3],
  [OP.PIN_CODE_REQUEST_REPLY, 1, 4],
  [OP.PIN_CODE_REQUEST_NEGATIVE_REPLY, 1, 5],
  [OP.CHANGE_CONNECTION_PACKET_TYPE, 1, 6],
  [OP.AUTHENTICATION_REQUESTED, 1, 7],
  [OP.SET_CONNECTION_ENCRYPTION, 2, 0],
  [OP.REMOTE_NAME_REQUEST, 2, 3],
  [OP.REMOTE_NAME_REQUEST_CANCEL, 2, 4],
  [OP.READ_REMOTE_SUPPORTED_FEATURES, 2, 5],
  [OP.READ_REMOTE_EXTENDED_FEATURES, 2, 6],
  [OP.READ_REMOTE_VERSION_INFORMATION, 2, 7],
  [OP.ROLE_DISCOVERY, 4, 7],
  [OP.WRITE_LINK_POLICY_SETTINGS, 5, 2],
  [OP.READ_DEFAULT_LINK_POLICY_SETTINGS, 5, 3],
  [OP.WRITE_DEFAULT_LINK_POLICY_SETTINGS, 5, 4],
  [OP.SET_EVENT_MASK, 5, 6],
  [OP.RESET, 5, 7],
  [OP.SET_EVENT_FILTER, 6, 0],
  [OP.WRITE_PIN_TYPE, 6, 3],
  [OP.READ_STORED_LINK_KEY, 6, 5],
  [OP.DELETE_STORED_LINK_KEY, 6, 7],
  [OP.WRITE_LOCAL_NAME, 7, 0],
  [OP.READ_LOCAL_NAME, 7, 1],
  [OP.READ_CONNECTION_ACCEPT_TIMEOUT, 7, 2],
  [OP.WRITE_CONNECTION_ACCEPT_TIMEOUT, 7, 3],
  [OP.READ_PAGE_TIMEOUT, 7, 4],
  [OP.WRITE_PAGE_TIMEOUT, 7, 5],
  [OP.READ_SCAN_ENABLE, 7, 6],
  [OP.WRITE_SCAN_ENABLE, 7, 7],
  [OP.READ_PAGE_SCAN_ACTIVITY, 8, 0],
  [OP.WRITE_PAGE_SCAN_ACTIVITY, 8, 1],
  [OP.READ_INQUIRY_SCAN_ACTIVITY, 8, 2],
  [OP.WRITE_INQUIRY_SCAN_ACTIVITY, 8, 3],
  [OP.READ_AUTHENTICATION_ENABLE, 8, 4],
  [OP.WRITE_AUTHENTICATION_ENABLE, 8, 5],
  [OP.READ_CLASS_OF_DEVICE, 9, 0],
  [OP.WRITE_CLASS_OF_DEVICE, 9, 1],
  [OP.READ_VOICE_SETTING, 9, 2],
  [OP.WRITE_VOICE_SETTING, 9, 3],
  [OP.SET_CONTROLLER_TO_HOST_FLOW_CONTROL, 10, 5],
  [OP.HOST_BUFFER_SIZE, 10, 6],
  [OP.HOST_NUMBER_OF_COMPLETED_PACKETS, 10, 7],
  [OP.WRITE_LINK_SUPERVISION_TIMEOUT, 11, 1],
  [OP.READ_NUMBER_OF_SUPPORTED_IAC, 11, 2],
  [OP.READ_CURRENT_IAC_LAP, 11, 3],
  [OP.WRITE_CURRENT_IAC_LAP, 11, 4],
  [OP.READ_INQUIRY_SCAN_TYPE, 12, 4],
  [OP.WRITE_INQUIRY_SCAN_TYPE, 12, 5],
  [OP.READ_INQUIRY_MODE, 12, 6],
  [OP.WRITE_INQUIRY_MODE, 12, 7],
  [OP.READ_PAGE_SCAN_TYPE, 13, 0],
  [OP.WRITE_PAGE_SCAN_TYPE, 13, 1],
  [OP.READ_LOCAL_VERSION_INFORMATION, 14, 3],
  [OP.READ_LOCAL_SUPPORTED_FEATURES, 14, 5],
  [OP.READ_LOCAL_EXTENDED_FEATURES, 14, 6],
  [OP.READ_BUFFER_SIZE, 14, 7],
  [OP.READ_BD_ADDR, 15, 1],
  [OP.READ_RSSI, 15, 5],
  [OP.READ_EXTENDED_INQUIRY_RESPONSE, 17, 0],
  [OP.WRITE_EXTENDED_INQUIRY_RESPONSE, 17, 1],
  [OP.READ_SIMPLE_PAIRING_MODE, 17, 5],
  [OP.WRITE_SIMPLE_PAIRING_MODE, 17, 6],
  [OP.READ_INQUIRY_RESPONSE_TRANSMIT_POWER_LEVEL, 18, 0],
  [OP.WRITE_INQUIRY_TRANSMIT_POWER_LEVEL, 18, 1],
  [OP.WRITE_DEFAULT_ERRONEOUS_DATA_REPORTING, 18, 3],
  [OP.IO_CAPABILITY_REQUEST_REPLY, 18, 7],
  [OP.USER_CONFIRMATION_REQUEST_REPLY, 19, 0],
  [OP.USER_CONFIRMATION_REQUEST_NEGATIVE_REPLY, 19, 1],
  [OP.USER_PASSKEY_REQUEST_REPLY, 19, 2],
  [OP.USER_PASSKEY_REQUEST_NEGATIVE_REPLY, 19, 3],
  [OP.IO_CAPABILITY_REQUEST_NEGATIVE_REPLY, 20, 3],
  [OP.READ_ENCRYPTION_KEY_SIZE, 20, 4],
  [OP.SET_EVENT_MASK_PAGE_2, 22, 2],
  [OP.READ_LE_HOST_SUPPORT, 24, 5],
  [OP.WRITE_LE_HOST_SUPPORT, 24, 6],
  [OP.READ_SECURE_CONNECTIONS_HOST_SUPPORT, 32, 2],
  [OP.WRITE_SECURE_CONNECTIONS_HOST_SUPPORT, 32, 3],
];

/** The 64-octet Supported_Commands of Read Local Supported Commands. */
export function supportedCommands(): Uint8Array {
  const out = new Uint8Array(64);
  for (const [, octet, bit] of COMMAND_BITS) out[octet] |= 1 << bit;
  return out;
}

/** The opcodes listed in Supported_Commands (every one must have a handler). */
export function listedOpcodes(): number[] {
  return COMMAND_BITS.map(([op]) => op);
}
