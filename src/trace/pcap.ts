/**
 * Classic libpcap files (tcpdump.org "pcap savefile format").
 *
 * Header, 24 bytes, in the writer's byte order (told by the magic):
 *   magic u32 (0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds) | version major u16 | minor u16 |
 *   thiszone i32 | sigfigs u32 | snaplen u32 | link type u32 (low 16 bits; upper bits hold FCS info)
 * Each record: seconds u32 | microseconds (or nanoseconds) u32 | captured length u32 |
 *   original length u32 | packet data (captured length bytes)
 * The link type must carry HCI (link-types.ts), else DecodeError at offset 20.
 *
 * Codec contract: pure (framer.ts). A bad header throws DecodeError. A captured length over
 * MAX_PACKET_BYTES is damage; with no sync marker in the format, reading goes on at the next
 * offset whose 16 bytes read as a record header (lengths in range, sub-second field in range, time
 * within a day of the last good record) followed by another or by the end of the file.
 */
import { DecodeError, u16be, u16le, u32be, u32le } from '../core/index.js';
import { damage, MAX_PACKET_BYTES, nearInTime, need, STEP, type Framer, type StepCode, type StepOut } from './framer.js';
import { isHciLinktype, linktypeItem } from './link-types.js';

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

const LAYER = 'trace';

interface PcapByteOrder {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
}

function byteOrder(bytes: Uint8Array): PcapByteOrder | undefined {
  if (bytes.length < 4) return undefined;
  for (const littleEndian of [false, true]) {
    const magic = littleEndian ? u32le(bytes, 0) : u32be(bytes, 0);
    if (magic === PCAP_MAGIC_MICROSECONDS) return { littleEndian, nanoseconds: false };
    if (magic === PCAP_MAGIC_NANOSECONDS) return { littleEndian, nanoseconds: true };
  }
  return undefined;
}

export function isPcap(bytes: Uint8Array): boolean {
  return byteOrder(bytes) !== undefined;
}

export interface PcapHeader {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;
  readonly linktype: number;
}

export function decodePcapHeader(bytes: Uint8Array): PcapHeader {
  const order = byteOrder(bytes);
  if (!order) throw new DecodeError(LAYER, 'pcap header', 0, 'magic is not 0xa1b2c3d4 or 0xa1b23c4d in either byte order');
  if (bytes.length < PCAP_HEADER_LENGTH) {
    throw new DecodeError(LAYER, 'pcap header', bytes.length, `header needs ${PCAP_HEADER_LENGTH} bytes, file has ${bytes.length}`);
  }
  const u16 = order.littleEndian ? u16le : u16be;
  const u32 = order.littleEndian ? u32le : u32be;
  const linktype = u32(bytes, 20) & 0xffff;
  if (!isHciLinktype(linktype)) {
    throw new DecodeError(LAYER, 'pcap header', 20, `link type ${linktype} does not carry Bluetooth HCI (187, 201 or 254)`);
  }
  return { ...order, versionMajor: u16(bytes, 4), versionMinor: u16(bytes, 6), snaplen: u32(bytes, 16), linktype };
}

/** Reads the 24-byte header, then the records (framer.ts); resynchronises on a header that chains. */
export class PcapFramer implements Framer {
  readonly alignment = 1;
  readonly chained = true;
  private header: PcapHeader | undefined;
  private frame = 0;
  private lastTimestampUs: number | undefined;

  step(bytes: Uint8Array, at: number, end: number, out: StepOut): StepCode {
    const header = this.header;
    if (!header) {
      if (end - at < PCAP_HEADER_LENGTH) return need(out, PCAP_HEADER_LENGTH, `header needs ${PCAP_HEADER_LENGTH} bytes, ${end - at} left`);
      this.header = decodePcapHeader(bytes.subarray(at, at + PCAP_HEADER_LENGTH));
      out.next = at + PCAP_HEADER_LENGTH;
      return STEP.SKIP;
    }
    const frame = this.frame + 1;
    if (end - at < PCAP_RECORD_HEADER_LENGTH) {
      return need(out, PCAP_RECORD_HEADER_LENGTH, `record ${frame} header needs ${PCAP_RECORD_HEADER_LENGTH} bytes, ${end - at} left`);
    }
    const u32 = header.littleEndian ? u32le : u32be;
    const capturedLength = u32(bytes, at + 8);
    const originalLength = u32(bytes, at + 12);
    if (capturedLength > MAX_PACKET_BYTES) {
      this.frame = frame;
      return damage(out, frame, at + 8, `record ${frame}: captured length ${capturedLength} is over ${MAX_PACKET_BYTES}, larger than any packet`);
    }
    const start = at + PCAP_RECORD_HEADER_LENGTH;
    if (end - start < capturedLength) {
      return need(out, PCAP_RECORD_HEADER_LENGTH + capturedLength, `record ${frame} needs ${capturedLength} data bytes, ${end - start} left`);
    }
    this.frame = frame;
    const timestampUs = this.timestampAt(bytes, at);
    this.lastTimestampUs = timestampUs;
    out.next = start + capturedLength;
    out.item = linktypeItem(header.linktype, frame, bytes.subarray(start, out.next), timestampUs, capturedLength < originalLength);
    return STEP.ITEM;
  }

  plausibleLength(bytes: Uint8Array, at: number, end: number): number {
    const header = this.header;
    if (!header) return -1;
    if (end - at < PCAP_RECORD_HEADER_LENGTH) return 0;
    const u32 = header.littleEndian ? u32le : u32be;
    const fraction = u32(bytes, at + 4);
    const capturedLength = u32(bytes, at + 8);
    const originalLength = u32(bytes, at + 12);
    if (capturedLength === 0 || capturedLength > originalLength || originalLength > MAX_PACKET_BYTES) return -1;
    if (fraction >= (header.nanoseconds ? 1_000_000_000 : 1_000_000)) return -1;
    if (!nearInTime(this.timestampAt(bytes, at), this.lastTimestampUs)) return -1;
    return PCAP_RECORD_HEADER_LENGTH + capturedLength;
  }

  private timestampAt(bytes: Uint8Array, at: number): number {
    const header = this.header as PcapHeader;
    const u32 = header.littleEndian ? u32le : u32be;
    const fraction = u32(bytes, at + 4);
    return u32(bytes, at) * 1_000_000 + (header.nanoseconds ? Math.floor(fraction / 1000) : fraction);
  }
}
