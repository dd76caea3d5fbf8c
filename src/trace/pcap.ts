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
 * Codec contract: pure. A bad header throws DecodeError; a record cut off by the end of the file
 * yields one `truncated` item and ends the iteration.
 */
import { DecodeError, u16be, u16le, u32be, u32le } from '../core/index.js';
import type { CaptureItem } from './capture-record.js';
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

export function* decodePcapRecords(bytes: Uint8Array): Generator<CaptureItem> {
  const header = decodePcapHeader(bytes);
  const u32 = header.littleEndian ? u32le : u32be;
  let offset = PCAP_HEADER_LENGTH;
  let frame = 0;
  while (offset < bytes.length) {
    frame++;
    if (bytes.length - offset < PCAP_RECORD_HEADER_LENGTH) {
      yield { type: 'truncated', offset, reason: `record ${frame} header needs ${PCAP_RECORD_HEADER_LENGTH} bytes, ${bytes.length - offset} left` };
      return;
    }
    const seconds = u32(bytes, offset);
    const fraction = u32(bytes, offset + 4);
    const capturedLength = u32(bytes, offset + 8);
    const originalLength = u32(bytes, offset + 12);
    const start = offset + PCAP_RECORD_HEADER_LENGTH;
    if (bytes.length - start < capturedLength) {
      yield { type: 'truncated', offset, reason: `record ${frame} needs ${capturedLength} data bytes, ${bytes.length - start} left` };
      return;
    }
    const timestampUs = seconds * 1_000_000 + (header.nanoseconds ? Math.floor(fraction / 1000) : fraction);
    offset = start + capturedLength;
    yield linktypeItem(header.linktype, frame, bytes.subarray(start, offset), timestampUs, capturedLength < originalLength);
  }
}
