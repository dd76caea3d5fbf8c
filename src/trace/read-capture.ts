/**
 * Reads any supported capture file from its bytes: btsnoop (1001, 1002, 2001), classic pcap and
 * pcapng (link types 187, 201, 254, either byte order), Apple PacketLogger. The format is told by
 * the magic (btsnoop "btsnoop\0", pcapng 0x0A0D0D0A, pcap 0xa1b2c3d4/0xa1b23c4d); bytes with none
 * of these are tried as PacketLogger, which has no magic.
 *
 * What comes out: every HCI packet as a `CaptureRecord`, in file order. Records that are not HCI
 * (PacketLogger notes, power and LMP records, monitor index events, packets of non-Bluetooth
 * interfaces, empty packets) are skipped and counted in `stats.skipped` / `stats.skippedByWhat`.
 * H4 packets with an indicator outside 0x01–0x05 (the 0x07 frames in the bluffs captures) are
 * returned with kind `vendor`; callers that want HCI only skip them.
 *
 * Errors: an unknown format, a bad header or a malformed record throws DecodeError with the
 * offset. A last record cut off by the end of the file (a capture still being written, or copied
 * while it was) ends the reading gracefully and is reported in `stats.truncated`; with
 * `{ strict: true }` it throws DecodeError instead.
 */
import { DecodeError } from '../core/index.js';
import { decodeBtsnoopHeader, decodeBtsnoopRecords, isBtsnoop } from './btsnoop.js';
import { CAPTURE_KINDS, type CaptureItem, type CaptureKind, type CaptureRecord } from './capture-record.js';
import { decodePacketloggerRecords, packetloggerByteOrder } from './packetlogger.js';
import { decodePcapHeader, decodePcapRecords, isPcap } from './pcap.js';
import { decodePcapngRecords, isPcapng } from './pcapng.js';

export type CaptureFormat = 'btsnoop' | 'pcap' | 'pcapng' | 'packetlogger';

export interface ReadCaptureOptions {
  /** Throw DecodeError on a truncated last record instead of stopping there. Default false. */
  readonly strict?: boolean;
}

export interface CaptureStats {
  /** HCI records returned (vendor ones included). */
  records: number;
  byKind: Record<CaptureKind, number>;
  /** Records that are not HCI. */
  skipped: number;
  /** Skipped records by what they were (e.g. `PacketLogger NOTE`, `monitor NEW_INDEX`). */
  skippedByWhat: Record<string, number>;
  /** Records whose packet was cut by the capture's snap length. */
  cut: number;
  /** Set when the file ended inside a record (lenient mode only). */
  truncated?: { offset: number; reason: string };
}

/** Tells the format from the first bytes and checks the header; DecodeError when unknown. */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat {
  if (isBtsnoop(bytes)) {
    decodeBtsnoopHeader(bytes);
    return 'btsnoop';
  }
  if (isPcapng(bytes)) return 'pcapng';
  if (isPcap(bytes)) {
    decodePcapHeader(bytes);
    return 'pcap';
  }
  if (packetloggerByteOrder(bytes)) return 'packetlogger';
  throw new DecodeError('trace', 'capture file', 0, 'not a btsnoop, pcap, pcapng or PacketLogger file (no known magic, records do not chain)');
}

function itemsOf(format: CaptureFormat, bytes: Uint8Array): Generator<CaptureItem> {
  switch (format) {
    case 'btsnoop':
      return decodeBtsnoopRecords(bytes);
    case 'pcap':
      return decodePcapRecords(bytes);
    case 'pcapng':
      return decodePcapngRecords(bytes);
    case 'packetlogger':
      return decodePacketloggerRecords(bytes);
  }
}

export function emptyCaptureStats(): CaptureStats {
  const byKind = Object.fromEntries(CAPTURE_KINDS.map((k) => [k, 0])) as Record<CaptureKind, number>;
  return { records: 0, byKind, skipped: 0, skippedByWhat: {}, cut: 0 };
}

/** Iterates the HCI records of a capture; `stats` fills in as iteration goes (reset on each pass). */
export class CaptureReader implements Iterable<CaptureRecord> {
  readonly format: CaptureFormat;
  stats: CaptureStats = emptyCaptureStats();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: ReadCaptureOptions = {},
  ) {
    this.format = detectCaptureFormat(bytes);
  }

  *[Symbol.iterator](): Iterator<CaptureRecord> {
    const stats = emptyCaptureStats();
    this.stats = stats;
    for (const item of itemsOf(this.format, this.bytes)) {
      if (item.type === 'record') {
        stats.records++;
        stats.byKind[item.record.kind]++;
        if (item.record.cut) stats.cut++;
        yield item.record;
      } else if (item.type === 'skipped') {
        stats.skipped++;
        stats.skippedByWhat[item.what] = (stats.skippedByWhat[item.what] ?? 0) + 1;
      } else {
        if (this.options.strict) throw new DecodeError('trace', `${this.format} record`, item.offset, `truncated: ${item.reason}`);
        stats.truncated = { offset: item.offset, reason: item.reason };
      }
    }
  }
}

/** The HCI records of a capture file's bytes, any supported format. */
export function readCapture(bytes: Uint8Array, options?: ReadCaptureOptions): CaptureReader {
  return new CaptureReader(bytes, options);
}

/** Reads the whole capture at once: the records and the counts. */
export function readCaptureWithStats(
  bytes: Uint8Array,
  options?: ReadCaptureOptions,
): { format: CaptureFormat; records: CaptureRecord[]; stats: CaptureStats } {
  const reader = new CaptureReader(bytes, options);
  const records = [...reader];
  return { format: reader.format, records, stats: reader.stats };
}
