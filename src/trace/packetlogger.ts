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
 *   0xFB power · 0xFC note (text) · 0xFD config · 0xFE new controller — not HCI: skipped items
 *   carrying their payload as text when it is printable UTF-8 (up to a NUL), else in hex.
 *
 * Codec contract: pure (framer.ts). A record length below 9 or above 9 + MAX_PACKET_BYTES is
 * damage, and reading goes on at the next record header that chains.
 */
import { hex, u32be, u32le } from '../core/index.js';
import { damage, MAX_PACKET_BYTES, nearInTime, need, STEP, type Framer, type StepCode, type StepOut } from './framer.js';
import { H4_INDICATOR } from '../hci/decoding.js';
import { h4Item, withIndicator, type CaptureDirection } from './capture-record.js';

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

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(PACKETLOGGER_TYPE));
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a non-HCI record (notes, kernel and power lines are text up to a NUL), or its bytes in hex. */
function recordText(payload: Uint8Array): string {
  const nul = payload.indexOf(0);
  const body = nul < 0 ? payload : payload.subarray(0, nul);
  const printable = body.every((b) => b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  if (printable && (nul < 0 || payload.subarray(nul).every((b) => b === 0))) {
    try {
      return utf8.decode(body).trimEnd();
    } catch {
      // Not UTF-8: shown as bytes.
    }
  }
  return hex(payload, ' ');
}

/** Reads the records (framer.ts) in the byte order found by packetloggerByteOrder; resynchronises on
 * a record header that chains (length in range, known type, microseconds below a million, time
 * within a day of the last good record). */
export class PacketloggerFramer implements Framer {
  readonly alignment = 1;
  readonly chained = true;
  private readonly u32: U32;
  private frame = 0;
  private lastTimestampUs: number | undefined;

  constructor(order: 'big' | 'little') {
    this.u32 = order === 'big' ? u32be : u32le;
  }

  step(bytes: Uint8Array, at: number, end: number, out: StepOut): StepCode {
    const frame = this.frame + 1;
    const left = end - at;
    if (left < 4 + RECORD_FIXED_LENGTH) return need(out, 4 + RECORD_FIXED_LENGTH, `record ${frame} header needs ${4 + RECORD_FIXED_LENGTH} bytes, ${left} left`);
    const length = this.u32(bytes, at);
    if (length < RECORD_FIXED_LENGTH || length > RECORD_FIXED_LENGTH + MAX_PACKET_BYTES) {
      this.frame = frame;
      return damage(out, frame, at, `record ${frame}: length ${length} is not between ${RECORD_FIXED_LENGTH} and ${RECORD_FIXED_LENGTH + MAX_PACKET_BYTES}`);
    }
    if (left - 4 < length) return need(out, 4 + length, `record ${frame} needs ${length} bytes after its length, ${left - 4} left`);
    this.frame = frame;
    const timestampUs = this.u32(bytes, at + 4) * 1_000_000 + this.u32(bytes, at + 8);
    this.lastTimestampUs = timestampUs;
    const type = bytes[at + 12];
    const payload = bytes.subarray(at + 4 + RECORD_FIXED_LENGTH, at + 4 + length);
    out.next = at + 4 + length;
    const hci = HCI_TYPES[type];
    out.item = hci
      ? h4Item(frame, hci[1], withIndicator(hci[0], payload), timestampUs, false)
      : { type: 'skipped', frame, what: `PacketLogger ${packetloggerTypeName(type)}`, text: recordText(payload), timestampUs };
    return STEP.ITEM;
  }

  plausibleLength(bytes: Uint8Array, at: number, end: number): number {
    if (end - at < 4 + RECORD_FIXED_LENGTH) return 0;
    const length = this.u32(bytes, at);
    if (length < RECORD_FIXED_LENGTH || length > RECORD_FIXED_LENGTH + MAX_PACKET_BYTES) return -1;
    if (this.u32(bytes, at + 8) >= 1_000_000 || !KNOWN_TYPES.has(bytes[at + 12])) return -1;
    if (!nearInTime(this.u32(bytes, at + 4) * 1_000_000 + this.u32(bytes, at + 8), this.lastTimestampUs)) return -1;
    return 4 + length;
  }
}
