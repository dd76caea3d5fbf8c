/**
 * btsnoop files (the Symbian/FTE "BTSnoop File Format", used by Android, BlueZ and Wireshark).
 *
 * File header, 16 bytes, big-endian:
 *   identification pattern "btsnoop\0" (8) | version u32 = 1 | datalink type u32
 * Datalink types: 1001 un-encapsulated HCI (no H4 indicator), 1002 HCI UART (H4, indicator
 * first), 1003 BCSP, 1004 H5 (not supported: a DecodeError), 2001 BlueZ monitor (see
 * monitor-opcodes.ts).
 * Each record, big-endian:
 *   original length u32 | included length u32 | packet flags u32 | cumulative drops u32 |
 *   timestamp i64 (microseconds since midnight 1 January year 0, i.e. Unix epoch + BTSNOOP_EPOCH_DELTA) |
 *   packet data (included length bytes)
 * Packet flags for 1001/1002: bit 0 direction (0 sent = host → controller, 1 received),
 * bit 1 (0 data, 1 command/event). For 2001 the flags are `adapter index << 16 | opcode`.
 *
 * Codec contract: pure (bytes in, items out; see framer.ts). A bad header throws DecodeError. An
 * included length above the original length or above MAX_PACKET_BYTES is damage: the format has no
 * sync marker, so reading goes on at the next offset whose 24 bytes read as a record header
 * (lengths in range, flags valid, time within a day of the last good record) followed by another
 * such header or by the end of the file.
 */
import { ArgumentError, concat, DecodeError, putU32be, u32be } from '../core/index.js';
import { damage, MAX_PACKET_BYTES, nearInTime, need, STEP, type Framer, type StepCode, type StepOut } from './framer.js';
import { H4_INDICATOR } from '../hci/decoding.js';
import {
  h4Item,
  impliedDirection,
  kindOfH4,
  copyOf,
  withIndicator,
  type CaptureDirection,
  type CaptureItem,
  type CaptureKind,
} from './capture-record.js';
import { monitorOpcodeName, monitorPacket } from './monitor-opcodes.js';

export const BTSNOOP_MAGIC = new Uint8Array([0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00]);
export const BTSNOOP_VERSION = 1;
export const BTSNOOP_HEADER_LENGTH = 16;
export const BTSNOOP_RECORD_HEADER_LENGTH = 24;
/** Microseconds from midnight 1 January year 0 to the Unix epoch. */
export const BTSNOOP_EPOCH_DELTA = 0x00dcddb30f2f8000n;

export const BTSNOOP_DATALINK = {
  HCI_UNENCAPSULATED: 1001,
  HCI_UART_H4: 1002,
  HCI_BCSP: 1003,
  HCI_SERIAL_H5: 1004,
  LINUX_MONITOR: 2001,
} as const;

/** The datalinks this module writes. */
export type BtsnoopWriteDatalink = typeof BTSNOOP_DATALINK.HCI_UNENCAPSULATED | typeof BTSNOOP_DATALINK.HCI_UART_H4;

export const BTSNOOP_FLAG = {
  RECEIVED: 0x1,
  COMMAND_OR_EVENT: 0x2,
} as const;

const LAYER = 'trace';

export function isBtsnoop(bytes: Uint8Array): boolean {
  if (bytes.length < BTSNOOP_MAGIC.length) return false;
  return BTSNOOP_MAGIC.every((b, i) => bytes[i] === b);
}

export interface BtsnoopHeader {
  readonly version: number;
  readonly datalink: number;
}

export function decodeBtsnoopHeader(bytes: Uint8Array): BtsnoopHeader {
  if (!isBtsnoop(bytes)) throw new DecodeError(LAYER, 'btsnoop header', 0, 'identification pattern is not "btsnoop\\0"');
  if (bytes.length < BTSNOOP_HEADER_LENGTH) {
    throw new DecodeError(LAYER, 'btsnoop header', bytes.length, `header needs ${BTSNOOP_HEADER_LENGTH} bytes, file has ${bytes.length}`);
  }
  const version = u32be(bytes, 8);
  if (version !== BTSNOOP_VERSION) throw new DecodeError(LAYER, 'btsnoop header', 8, `version ${version} is not 1`);
  const datalink = u32be(bytes, 12);
  if (datalink !== BTSNOOP_DATALINK.HCI_UNENCAPSULATED && datalink !== BTSNOOP_DATALINK.HCI_UART_H4 && datalink !== BTSNOOP_DATALINK.LINUX_MONITOR) {
    throw new DecodeError(LAYER, 'btsnoop header', 12, `datalink type ${datalink} is not supported (1001, 1002 or 2001)`);
  }
  return { version, datalink };
}

/** Microseconds from year 0 to the Unix epoch, as its high and low 32 bits (exact Number arithmetic). */
const EPOCH_DELTA_HIGH = 0x00dcddb3;
const EPOCH_DELTA_LOW = 0x0f2f8000;

/** Unix-epoch microseconds from the timestamp's two big-endian halves at `at`. */
function timestampAt(bytes: Uint8Array, at: number): number {
  return ((u32be(bytes, at) | 0) - EPOCH_DELTA_HIGH) * 0x1_0000_0000 + (u32be(bytes, at + 4) - EPOCH_DELTA_LOW);
}

/** Reads the records after the 16-byte header (framer.ts); resynchronises on a header that chains. */
export class BtsnoopFramer implements Framer {
  readonly alignment = 1;
  readonly chained = true;
  private frame = 0;
  private headerRead = false;
  private lastTimestampUs: number | undefined;
  private datalink = 0;

  step(bytes: Uint8Array, at: number, end: number, out: StepOut): StepCode {
    if (!this.headerRead) {
      if (end - at < BTSNOOP_HEADER_LENGTH) return need(out, BTSNOOP_HEADER_LENGTH, `header needs ${BTSNOOP_HEADER_LENGTH} bytes, ${end - at} left`);
      this.datalink = decodeBtsnoopHeader(bytes.subarray(at, at + BTSNOOP_HEADER_LENGTH)).datalink;
      this.headerRead = true;
      out.next = at + BTSNOOP_HEADER_LENGTH;
      return STEP.SKIP;
    }
    const frame = this.frame + 1;
    if (end - at < BTSNOOP_RECORD_HEADER_LENGTH) {
      return need(out, BTSNOOP_RECORD_HEADER_LENGTH, `record ${frame} header needs ${BTSNOOP_RECORD_HEADER_LENGTH} bytes, ${end - at} left`);
    }
    const originalLength = u32be(bytes, at);
    const includedLength = u32be(bytes, at + 4);
    if (includedLength > originalLength) {
      this.frame = frame;
      return damage(out, frame, at + 4, `record ${frame}: included length ${includedLength} exceeds original length ${originalLength}`);
    }
    if (includedLength > MAX_PACKET_BYTES) {
      this.frame = frame;
      return damage(out, frame, at + 4, `record ${frame}: included length ${includedLength} is over ${MAX_PACKET_BYTES}, larger than any packet`);
    }
    const start = at + BTSNOOP_RECORD_HEADER_LENGTH;
    if (end - start < includedLength) {
      return need(out, BTSNOOP_RECORD_HEADER_LENGTH + includedLength, `record ${frame} needs ${includedLength} data bytes, ${end - start} left`);
    }
    this.frame = frame;
    const timestampUs = timestampAt(bytes, at + 16);
    this.lastTimestampUs = timestampUs;
    out.next = start + includedLength;
    out.item = btsnoopItem(this.datalink, frame, u32be(bytes, at + 8), copyOf(bytes, start, out.next), timestampUs, includedLength < originalLength);
    return STEP.ITEM;
  }

  plausibleLength(bytes: Uint8Array, at: number, end: number): number {
    if (end - at < BTSNOOP_RECORD_HEADER_LENGTH) return 0;
    const originalLength = u32be(bytes, at);
    const includedLength = u32be(bytes, at + 4);
    const flags = u32be(bytes, at + 8);
    if (includedLength === 0 || includedLength > originalLength || originalLength > MAX_PACKET_BYTES) return -1;
    const flagsOk = this.datalink === BTSNOOP_DATALINK.LINUX_MONITOR ? (flags & 0xffff) <= 0x13 && flags >>> 16 <= 0xff : flags <= 3;
    if (!flagsOk || !nearInTime(timestampAt(bytes, at + 16), this.lastTimestampUs)) return -1;
    return BTSNOOP_RECORD_HEADER_LENGTH + includedLength;
  }
}

function btsnoopItem(datalink: number, frame: number, flags: number, data: Uint8Array, timestampUs: number, cut: boolean): CaptureItem {
  if (datalink === BTSNOOP_DATALINK.LINUX_MONITOR) {
    const opcode = flags & 0xffff;
    const packet = monitorPacket(opcode);
    if (!packet) return { type: 'skipped', frame, what: `monitor ${monitorOpcodeName(opcode)}` };
    return h4Item(frame, packet.direction, withIndicator(packet.indicator, data), timestampUs, cut);
  }
  const direction: CaptureDirection = flags & BTSNOOP_FLAG.RECEIVED ? 'rx' : 'tx';
  if (datalink === BTSNOOP_DATALINK.HCI_UART_H4) return h4Item(frame, direction, data, timestampUs, cut);
  const commandOrEvent = (flags & BTSNOOP_FLAG.COMMAND_OR_EVENT) !== 0;
  const indicator = commandOrEvent ? (direction === 'tx' ? H4_INDICATOR.COMMAND : H4_INDICATOR.EVENT) : H4_INDICATOR.ACL;
  return h4Item(frame, direction, withIndicator(indicator, data), timestampUs, cut);
}

// ------------------------------------------------------------------------------------ writing

export function encodeBtsnoopHeader(datalink: BtsnoopWriteDatalink = BTSNOOP_DATALINK.HCI_UART_H4): Uint8Array {
  const out = new Uint8Array(BTSNOOP_HEADER_LENGTH);
  out.set(BTSNOOP_MAGIC, 0);
  putU32be(out, 8, BTSNOOP_VERSION);
  putU32be(out, 12, datalink);
  return out;
}

export interface BtsnoopRecordInput {
  readonly direction: CaptureDirection;
  /** The packet with its H4 indicator first (also for datalink 1001: the writer strips it). */
  readonly h4: Uint8Array;
  /** Microseconds since the Unix epoch; 0 when absent. */
  readonly timestampUs?: number;
}

export function btsnoopRecordLength(record: BtsnoopRecordInput, datalink: BtsnoopWriteDatalink = BTSNOOP_DATALINK.HCI_UART_H4): number {
  const data = datalink === BTSNOOP_DATALINK.HCI_UART_H4 ? record.h4.length : record.h4.length - 1;
  return BTSNOOP_RECORD_HEADER_LENGTH + data;
}

/**
 * One record: original = included length, cumulative drops 0. Datalink 1001 cannot say which
 * data packet type it holds (a reader assumes ACL), so it accepts only commands, events and ACL.
 */
export function encodeBtsnoopRecord(record: BtsnoopRecordInput, datalink: BtsnoopWriteDatalink = BTSNOOP_DATALINK.HCI_UART_H4): Uint8Array {
  const { direction, h4 } = record;
  if (h4.length === 0) throw new ArgumentError('cannot record an empty packet: h4 must start with its packet indicator');
  const kind = kindOfH4(h4[0]);
  if (datalink === BTSNOOP_DATALINK.HCI_UNENCAPSULATED) checkUnencapsulated(kind, direction);
  const data = datalink === BTSNOOP_DATALINK.HCI_UART_H4 ? h4 : h4.subarray(1);
  const out = new Uint8Array(BTSNOOP_RECORD_HEADER_LENGTH + data.length);
  const view = new DataView(out.buffer);
  let flags = direction === 'rx' ? BTSNOOP_FLAG.RECEIVED : 0;
  if (kind === 'command' || kind === 'event') flags |= BTSNOOP_FLAG.COMMAND_OR_EVENT;
  putU32be(out, 0, data.length);
  putU32be(out, 4, data.length);
  putU32be(out, 8, flags);
  putU32be(out, 12, 0);
  view.setBigInt64(16, BigInt(Math.trunc(record.timestampUs ?? 0)) + BTSNOOP_EPOCH_DELTA);
  out.set(data, BTSNOOP_RECORD_HEADER_LENGTH);
  return out;
}

/** Datalink 1001 tells a command from an event only by direction, and data packets are taken as ACL. */
function checkUnencapsulated(kind: CaptureKind, direction: CaptureDirection): void {
  if (kind !== 'command' && kind !== 'event' && kind !== 'acl') {
    throw new ArgumentError(`btsnoop datalink 1001 cannot hold ${kind} packets: use datalink 1002 (H4)`);
  }
  const implied = impliedDirection(kind);
  if (implied && implied !== direction) {
    throw new ArgumentError(`btsnoop datalink 1001 cannot hold an HCI ${kind} going ${direction}: use datalink 1002 (H4)`);
  }
}

/** Pure btsnoop writer: hands out the header once, then one byte string per packet. */
export class BtsnoopWriter {
  readonly datalink: BtsnoopWriteDatalink;
  private headerWritten: boolean;

  /** `headerWritten: true` continues an existing file: no header is handed out. */
  constructor(options: { datalink?: BtsnoopWriteDatalink; headerWritten?: boolean } = {}) {
    this.datalink = options.datalink ?? BTSNOOP_DATALINK.HCI_UART_H4;
    this.headerWritten = options.headerWritten ?? false;
    if (this.datalink !== BTSNOOP_DATALINK.HCI_UART_H4 && this.datalink !== BTSNOOP_DATALINK.HCI_UNENCAPSULATED) {
      throw new ArgumentError(`btsnoop datalink ${String(this.datalink)} cannot be written: use 1002 (H4) or 1001`);
    }
  }

  /** The bytes for one packet, preceded by the file header the first time. */
  write(direction: CaptureDirection, h4: Uint8Array, timestampUs?: number): Uint8Array {
    const record = encodeBtsnoopRecord({ direction, h4, timestampUs }, this.datalink);
    if (this.headerWritten) return record;
    this.headerWritten = true;
    return concat(encodeBtsnoopHeader(this.datalink), record);
  }

  /** The header alone (marks it written), for a file that may stay empty. */
  header(): Uint8Array {
    this.headerWritten = true;
    return encodeBtsnoopHeader(this.datalink);
  }

  /** A whole file. */
  static encodeFile(records: Iterable<BtsnoopRecordInput>, datalink: BtsnoopWriteDatalink = BTSNOOP_DATALINK.HCI_UART_H4): Uint8Array {
    const parts: Uint8Array[] = [encodeBtsnoopHeader(datalink)];
    let length = parts[0].length;
    for (const r of records) {
      const part = encodeBtsnoopRecord(r, datalink);
      parts.push(part);
      length += part.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
