/**
 * AVCTP headers and the AV/C frame of AVRCP inside them, as a trace shows them (AVCTP 1.4 §6.1;
 * AV/C Digital Interface Command Set General Specification 4.2 §7.1–7.3; AVRCP 1.6 §6.3.1 for the
 * vendor-dependent PDU header, §6.5 for the browsing PDU header).
 *
 * AVCTP header, octet 0: Transaction label (bits 7–4), Packet_type (bits 3–2: 0 single, 1 start,
 * 2 continue, 3 end), C/R (bit 1: 0 command, 1 response), IPID (bit 0: 1 = invalid profile
 * identifier). A single packet then has the Profile Identifier (2 octets, big-endian, a 16-bit
 * UUID: 0x110E for A/V remote control); a start packet has Number_of_packets then the PID;
 * continue and end packets have no PID.
 *
 * AV/C frame (PID 0x110E on the control channel, PSM 0x0017), octet 0: ctype or response (bits
 * 3–0); octet 1: subunit_type (bits 7–3), subunit_ID (bits 2–0); octet 2: opcode; then operands.
 * For opcode VENDOR DEPENDENT the operands start with a 3-octet company ID and, for the Bluetooth
 * SIG company ID 0x001958, AVRCP's PDU ID (1), Packet Type (bits 1–0 of 1 octet) and Parameter
 * Length (2). For PASS THROUGH they start with state flag (bit 7) and operation_id (bits 6–0).
 * On the browsing channel (PSM 0x001B) the AVCTP payload is PDU ID (1) and Parameter Length (2).
 *
 * Contract: each decoder returns a value or throws `DecodeError`; nothing is kept between calls.
 */
import { ByteReader } from '../../core/index.js';
import { AVDTP_PACKET_TYPES } from './avdtp.js';

/** Profile identifier of A/V remote control (Assigned Numbers, service class 0x110E). */
export const AVRCP_PID = 0x110e;
/** The Bluetooth SIG company ID that AVRCP's vendor-dependent commands carry. */
export const BLUETOOTH_SIG_COMPANY_ID = 0x001958;

const CTYPES: Readonly<Record<number, string>> = {
  0x0: 'CONTROL',
  0x1: 'STATUS',
  0x2: 'SPECIFIC INQUIRY',
  0x3: 'NOTIFY',
  0x4: 'GENERAL INQUIRY',
  0x8: 'NOT IMPLEMENTED',
  0x9: 'ACCEPTED',
  0xa: 'REJECTED',
  0xb: 'IN TRANSITION',
  0xc: 'STABLE',
  0xd: 'CHANGED',
  0xf: 'INTERIM',
};
const SUBUNITS: Readonly<Record<number, string>> = { 0x09: 'PANEL', 0x1f: 'UNIT' };
const OPCODES: Readonly<Record<number, string>> = { 0x00: 'VENDOR DEPENDENT', 0x30: 'UNIT INFO', 0x31: 'SUBUNIT INFO', 0x7c: 'PASS THROUGH' };
/** AVRCP PDU IDs (AVRCP 1.6 §6.3–6.10, §6.5 browsing). */
const AVRCP_PDUS: Readonly<Record<number, string>> = {
  0x10: 'GetCapabilities',
  0x11: 'ListPlayerApplicationSettingAttributes',
  0x12: 'ListPlayerApplicationSettingValues',
  0x13: 'GetCurrentPlayerApplicationSettingValue',
  0x14: 'SetPlayerApplicationSettingValue',
  0x15: 'GetPlayerApplicationSettingAttributeText',
  0x16: 'GetPlayerApplicationSettingValueText',
  0x17: 'InformDisplayableCharacterSet',
  0x18: 'InformBatteryStatusOfCT',
  0x20: 'GetElementAttributes',
  0x30: 'GetPlayStatus',
  0x31: 'RegisterNotification',
  0x40: 'RequestContinuingResponse',
  0x41: 'AbortContinuingResponse',
  0x50: 'SetAbsoluteVolume',
  0x60: 'SetAddressedPlayer',
  0x70: 'SetBrowsedPlayer',
  0x71: 'GetFolderItems',
  0x72: 'ChangePath',
  0x73: 'GetItemAttributes',
  0x74: 'PlayItem',
  0x75: 'GetTotalNumberOfItems',
  0x80: 'Search',
  0x90: 'AddToNowPlaying',
  0xa0: 'General Reject',
};

export interface AvcFrame {
  readonly ctype: number;
  readonly subunitType: number;
  readonly subunitId: number;
  readonly opcode: number;
  /** VENDOR DEPENDENT: the company ID; with the Bluetooth SIG's, AVRCP's PDU header. */
  readonly companyId?: number;
  readonly pduId?: number;
  readonly avrcpPacketType?: number;
  readonly parameterLength?: number;
  /** PASS THROUGH: the button and whether it was pressed (false) or released (true). */
  readonly operationId?: number;
  readonly released?: boolean;
  readonly operands: Uint8Array;
}

export interface AvctpPacket {
  readonly transaction: number;
  readonly packetType: (typeof AVDTP_PACKET_TYPES)[number];
  readonly cr: 'command' | 'response';
  readonly ipid: boolean;
  /** Present in single and start packets. */
  readonly pid?: number;
  readonly packets?: number;
  readonly payload: Uint8Array;
  /** The AV/C frame of a single or start packet for PID 0x110E on the control channel. */
  readonly avc?: AvcFrame;
  /** The browsing PDU header of a single or start packet for PID 0x110E on the browsing channel. */
  readonly browsing?: { readonly pduId: number; readonly parameterLength: number };
}

export function decodeAvctp(bytes: Uint8Array, channel: 'control' | 'browsing'): AvctpPacket {
  const r = new ByteReader(bytes, 'avctp', 'header');
  const h = r.u8('header');
  const head = {
    transaction: h >> 4,
    packetType: AVDTP_PACKET_TYPES[(h >> 2) & 3],
    cr: (h & 2) !== 0 ? ('response' as const) : ('command' as const),
    ipid: (h & 1) !== 0,
  };
  if (head.packetType === 'continue' || head.packetType === 'end') return { ...head, payload: r.rest() };
  const packets = head.packetType === 'start' ? r.u8('number of packets') : undefined;
  const pid = r.u16be('PID');
  const payload = r.rest();
  const packet: AvctpPacket = { ...head, pid, ...(packets === undefined ? {} : { packets }), payload };
  if (pid !== AVRCP_PID || head.ipid || payload.length === 0) return packet;
  if (channel === 'browsing') {
    const b = new ByteReader(payload, 'avrcp', 'browsing PDU header');
    return { ...packet, browsing: { pduId: b.u8('PDU ID'), parameterLength: b.u16be('parameter length') } };
  }
  return { ...packet, avc: decodeAvc(payload) };
}

function decodeAvc(bytes: Uint8Array): AvcFrame {
  const r = new ByteReader(bytes, 'avrcp', 'AV/C frame');
  const ctype = r.u8('ctype') & 0x0f;
  const subunit = r.u8('subunit');
  const opcode = r.u8('opcode');
  const frame = { ctype, subunitType: subunit >> 3, subunitId: subunit & 7, opcode };
  if (opcode === 0x00) {
    const companyId = (r.u8('company ID') << 16) | r.u16be('company ID');
    if (companyId !== BLUETOOTH_SIG_COMPANY_ID) return { ...frame, companyId, operands: r.rest() };
    const pduId = r.u8('PDU ID');
    const avrcpPacketType = r.u8('packet type') & 3;
    const parameterLength = r.u16be('parameter length');
    return { ...frame, companyId, pduId, avrcpPacketType, parameterLength, operands: r.rest() };
  }
  if (opcode === 0x7c) {
    const op = r.u8('operation');
    return { ...frame, operationId: op & 0x7f, released: (op & 0x80) !== 0, operands: r.rest() };
  }
  return { ...frame, operands: r.rest() };
}

function named(table: Readonly<Record<number, string>>, n: number, width = 2): string {
  return table[n] ?? `0x${n.toString(16).padStart(width, '0')}`;
}

/** e.g. `command label=1 pid=0x110e STATUS PANEL/0 VENDOR DEPENDENT GetCapabilities len=1`. */
export function describeAvctp(p: Omit<AvctpPacket, 'payload'>): string {
  const parts = [`${p.packetType === 'single' ? '' : `${p.packetType} `}${p.cr} label=${p.transaction}`];
  if (p.pid !== undefined) parts.push(`pid=0x${p.pid.toString(16).padStart(4, '0')}${p.ipid ? ' (invalid)' : ''}`);
  if (p.avc) {
    const a = p.avc;
    parts.push(`${named(CTYPES, a.ctype, 1)} ${named(SUBUNITS, a.subunitType)}/${a.subunitId} ${named(OPCODES, a.opcode)}`);
    if (a.pduId !== undefined) parts.push(`${named(AVRCP_PDUS, a.pduId)} len=${a.parameterLength}`);
    else if (a.companyId !== undefined) parts.push(`company=0x${a.companyId.toString(16).padStart(6, '0')}`);
    if (a.operationId !== undefined) parts.push(`op=0x${a.operationId.toString(16).padStart(2, '0')} ${a.released ? 'released' : 'pressed'}`);
  } else if (p.browsing) {
    parts.push(`browsing ${named(AVRCP_PDUS, p.browsing.pduId)} len=${p.browsing.parameterLength}`);
  }
  return parts.join(' ');
}
