/**
 * Opcodes of the BlueZ monitor channel, used by btsnoop datalink 2001 (the record's flags field is
 * `adapter index << 16 | opcode`) and by pcap LINKTYPE_BLUETOOTH_LINUX_MONITOR (254, a 4-byte
 * big-endian header: u16 adapter index, u16 opcode). Values from BlueZ `btsnoop(7)`.
 * Only the packet opcodes carry HCI; the others (index added/removed, notes, logging, management
 * channel) are not HCI and readers skip them.
 */
import { H4_INDICATOR } from '../hci/decoding.js';
import type { CaptureDirection } from './capture-record.js';

export const MONITOR_OPCODE = {
  NEW_INDEX: 0,
  DEL_INDEX: 1,
  COMMAND_PKT: 2,
  EVENT_PKT: 3,
  ACL_TX_PKT: 4,
  ACL_RX_PKT: 5,
  SCO_TX_PKT: 6,
  SCO_RX_PKT: 7,
  OPEN_INDEX: 8,
  CLOSE_INDEX: 9,
  INDEX_INFO: 10,
  VENDOR_DIAG: 11,
  SYSTEM_NOTE: 12,
  USER_LOGGING: 13,
  CTRL_OPEN: 14,
  CTRL_CLOSE: 15,
  CTRL_COMMAND: 16,
  CTRL_EVENT: 17,
  ISO_TX_PKT: 18,
  ISO_RX_PKT: 19,
} as const;

const PACKET_OPCODES: Readonly<Record<number, readonly [number, CaptureDirection]>> = {
  [MONITOR_OPCODE.COMMAND_PKT]: [H4_INDICATOR.COMMAND, 'tx'],
  [MONITOR_OPCODE.EVENT_PKT]: [H4_INDICATOR.EVENT, 'rx'],
  [MONITOR_OPCODE.ACL_TX_PKT]: [H4_INDICATOR.ACL, 'tx'],
  [MONITOR_OPCODE.ACL_RX_PKT]: [H4_INDICATOR.ACL, 'rx'],
  [MONITOR_OPCODE.SCO_TX_PKT]: [H4_INDICATOR.SCO, 'tx'],
  [MONITOR_OPCODE.SCO_RX_PKT]: [H4_INDICATOR.SCO, 'rx'],
  [MONITOR_OPCODE.ISO_TX_PKT]: [H4_INDICATOR.ISO, 'tx'],
  [MONITOR_OPCODE.ISO_RX_PKT]: [H4_INDICATOR.ISO, 'rx'],
};

/** The H4 indicator and direction of a monitor packet opcode; undefined for non-HCI opcodes. */
export function monitorPacket(opcode: number): { indicator: number; direction: CaptureDirection } | undefined {
  const entry = PACKET_OPCODES[opcode];
  return entry ? { indicator: entry[0], direction: entry[1] } : undefined;
}

export function monitorOpcodeName(opcode: number): string {
  for (const [name, value] of Object.entries(MONITOR_OPCODE)) if (value === opcode) return name;
  return `opcode ${opcode}`;
}
