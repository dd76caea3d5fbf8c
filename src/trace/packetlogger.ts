/**
 * Apple PacketLogger files (.pklg), written by macOS/iOS PacketLogger and by BTstack.
 *
 * No file header; a list of records:
 *   length u32 (bytes after this field: 9 + payload) | seconds u32 | microseconds u32 | type u8 |
 *   payload
 * Apple writes big-endian; some writers use little-endian, so the byte order is detected from the
 * first records (big-endian preferred when both read).
 * Record types (as Wireshark names them):
 *   0x00 HCI command (tx) · 0x01 HCI event (rx) · 0x02 ACL sent (tx) · 0x03 ACL received (rx) ·
 *   0x08 SCO sent · 0x09 SCO received — HCI, the payload without its H4 indicator;
 *   0x0A/0x0B LMP sent/received · 0xF7 syslog · 0xF8 kernel · 0xF9 kernel debug · 0xFA error ·
 *   0xFB power · 0xFC note (text) · 0xFD config · 0xFE new controller — not HCI: skipped.
 *
 * Codec contract: pure. Bytes that read as PacketLogger in neither byte order throw DecodeError;
 * a record cut off by the end of the file yields one `truncated` item and ends the iteration.
 */
import { DecodeError, u32be, u32le } from '../core/index.js';
import { H4_INDICATOR } from '../hci/index.js';
import { h4Item, withIndicator, type CaptureDirection, type CaptureItem } from './capture-record.js';

export const PACKETLOGGER_TYPE = {
  HCI_COMMAND: 0x00,
  HCI_EVENT: 0x01,
  SENT_ACL_DATA: 0x02,
  RECV_ACL_DATA: 0x03,
  SENT_SCO_DATA: 0x08,
  RECV_SCO_DATA: 0x09,
  LMP_SEND: 0x0a,
  LMP_RECV: 0x0b,
  SYSLOG: 0xf7,
  KERNEL: 0xf8,
  KERNEL_DEBUG: 0xf9,
  ERROR: 0xfa,
  POWER: 0xfb,
  NOTE: 0xfc,
  CONFIG: 0xfd,
  NEW_CONTROLLER: 0xfe,
} as const;

const HCI_TYPES: Readonly<Record<number, readonly [number, CaptureDirection]>> = {
  [PACKETLOGGER_TYPE.HCI_COMMAND]: [H4_INDICATOR.COMMAND, 'tx'],
  [PACKETLOGGER_TYPE.HCI_EVENT]: [H4_INDICATOR.EVENT, 'rx'],
  [PACKETLOGGER_TYPE.SENT_ACL_DATA]: [H4_INDICATOR.ACL, 'tx'],
  [PACKETLOGGER_TYPE.RECV_ACL_DATA]: [H4_INDICATOR.ACL, 'rx'],
  [PACKETLOGGER_TYPE.SENT_SCO_DATA]: [H4_INDICATOR.SCO, 'tx'],
  [PACKETLOGGER_TYPE.RECV_SCO_DATA]: [H4_INDICATOR.SCO, 'rx'],
};

/** Bytes after the length field before the payload: seconds, microseconds, type. */
const RECORD_FIXED_LENGTH = 9;
/** How many leading records must parse for the byte order to count as detected. */
const PROBE_RECORDS = 8;

const LAYER = 'trace';

type U32 = (b: Uint8Array, off: number) => number;

/** The first records chain; after at least one whole record the file may end inside the next. */
function plausible(bytes: Uint8Array, u32: U32): boolean {
  let offset = 0;
  for (let n = 0; n < PROBE_RECORDS && offset < bytes.length; n++) {
    if (bytes.length - offset < 4) return n > 0;
    const length = u32(bytes, offset);
    if (length < RECORD_FIXED_LENGTH) return false;
    if (length > bytes.length - offset - 4) return n > 0;
    offset += 4 + length;
  }
  return bytes.length > 0;
}

/** Big- or little-endian lengths, or undefined when the bytes are not PacketLogger records. */
export function packetloggerByteOrder(bytes: Uint8Array): 'big' | 'little' | undefined {
  if (plausible(bytes, u32be)) return 'big';
  if (plausible(bytes, u32le)) return 'little';
  return undefined;
}

export function packetloggerTypeName(type: number): string {
  for (const [name, value] of Object.entries(PACKETLOGGER_TYPE)) if (value === type) return name;
  return `type 0x${type.toString(16).padStart(2, '0')}`;
}

export function* decodePacketloggerRecords(bytes: Uint8Array): Generator<CaptureItem> {
  const order = packetloggerByteOrder(bytes);
  if (!order) throw new DecodeError(LAYER, 'PacketLogger record', 0, 'the first records do not chain in either byte order: not a PacketLogger file');
  const u32 = order === 'big' ? u32be : u32le;
  let offset = 0;
  let frame = 0;
  while (offset < bytes.length) {
    frame++;
    const left = bytes.length - offset;
    if (left < 4 + RECORD_FIXED_LENGTH) {
      yield { type: 'truncated', offset, reason: `record ${frame} header needs ${4 + RECORD_FIXED_LENGTH} bytes, ${left} left` };
      return;
    }
    const length = u32(bytes, offset);
    if (length < RECORD_FIXED_LENGTH) {
      throw new DecodeError(LAYER, 'PacketLogger record', offset, `record ${frame}: length ${length} is shorter than ${RECORD_FIXED_LENGTH}`);
    }
    if (left - 4 < length) {
      yield { type: 'truncated', offset, reason: `record ${frame} needs ${length} bytes after its length, ${left - 4} left` };
      return;
    }
    const timestampUs = u32(bytes, offset + 4) * 1_000_000 + u32(bytes, offset + 8);
    const type = bytes[offset + 12];
    const payload = bytes.subarray(offset + 4 + RECORD_FIXED_LENGTH, offset + 4 + length);
    offset += 4 + length;
    const hci = HCI_TYPES[type];
    yield hci
      ? h4Item(frame, hci[1], withIndicator(hci[0], payload), timestampUs, false)
      : { type: 'skipped', frame, what: `PacketLogger ${packetloggerTypeName(type)}` };
  }
}
