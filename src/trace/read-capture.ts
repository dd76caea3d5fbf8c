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
 * Errors: an unknown format or a bad file header throws DecodeError with the offset. A damaged
 * record (a length no packet can have, a pcapng block whose lengths disagree…) is counted in
 * `stats.damage` and reading goes on where the format allows (capture-parser.ts); a last record
 * cut off by the end of the file (a capture still being written, or copied while it was) ends the
 * reading and is reported in `stats.truncated`. With `{ strict: true }` both throw DecodeError.
 * For files on disk, read-capture-file.ts streams with bounded memory.
 */
import { DecodeError } from '../core/index.js';
import { CaptureParser, type CaptureEvent } from './capture-parser.js';
import { detectCaptureFormat, type CaptureFormat } from './capture-format.js';
import { CAPTURE_KINDS, type CaptureKind, type CaptureRecord } from './capture-record.js';

export { detectCaptureFormat, type CaptureFormat };

export interface ReadCaptureOptions {
  /** Throw DecodeError on the first damaged record or a truncated last record instead of reporting
   * it in the stats and going on. Default false. */
  readonly strict?: boolean;
}

/** A damaged record: its number, the offset of the bad field and of the record, why, and where
 * reading went on (absent when nothing could be read after it). */
export interface CaptureDamage {
  frame: number;
  offset: number;
  recordOffset: number;
  reason: string;
  resumedAt?: number;
}

/** At most this many damaged records are kept in `stats.damage` (all are counted in `stats.damaged`). */
export const MAX_DAMAGE_KEPT = 1000;

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
  /** How many records were damaged, and the first MAX_DAMAGE_KEPT of them. */
  damaged: number;
  damage: CaptureDamage[];
  /** Set when the file ended inside a record (lenient mode only). */
  truncated?: { offset: number; reason: string };
}

export function emptyCaptureStats(): CaptureStats {
  const byKind = Object.fromEntries(CAPTURE_KINDS.map((k) => [k, 0])) as Record<CaptureKind, number>;
  return { records: 0, byKind, skipped: 0, skippedByWhat: {}, cut: 0, damaged: 0, damage: [] };
}

/**
 * Counts one parser event into `stats`; returns the record when it is one. With `strict`, damage
 * and truncation throw DecodeError at their offset.
 */
export function countCaptureEvent(stats: CaptureStats, event: CaptureEvent, format: string, strict: boolean): CaptureRecord | undefined {
  switch (event.type) {
    case 'record':
      stats.records++;
      stats.byKind[event.record.kind]++;
      if (event.record.cut) stats.cut++;
      return event.record;
    case 'skipped':
      stats.skipped++;
      stats.skippedByWhat[event.what] = (stats.skippedByWhat[event.what] ?? 0) + 1;
      return undefined;
    case 'damaged':
      if (strict) throw new DecodeError('trace', `${format} record`, event.offset, event.reason);
      stats.damaged++;
      if (stats.damage.length < MAX_DAMAGE_KEPT) stats.damage.push({ frame: event.frame, offset: event.offset, recordOffset: event.recordOffset, reason: event.reason });
      return undefined;
    case 'resynchronised': {
      const last = stats.damage[stats.damage.length - 1];
      if (last && last.resumedAt === undefined && stats.damage.length === Math.min(stats.damaged, MAX_DAMAGE_KEPT)) last.resumedAt = event.offset;
      return undefined;
    }
    case 'truncated':
      if (strict) throw new DecodeError('trace', `${format} record`, event.offset, `truncated: ${event.reason}`);
      stats.truncated = { offset: event.offset, reason: event.reason };
      return undefined;
  }
}

/** Iterates the HCI records of a capture held in memory; `stats` fills in as iteration goes (reset on each pass). */
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
    const parser = new CaptureParser();
    parser.push(this.bytes);
    parser.finish();
    const strict = this.options.strict ?? false;
    for (let event = parser.next(); event; event = parser.next()) {
      const record = countCaptureEvent(stats, event, this.format, strict);
      if (record) yield record;
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
