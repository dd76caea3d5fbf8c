/**
 * The contract between the streaming capture parser (capture-parser.ts) and one format's record
 * reader (btsnoop, pcap, pcapng, PacketLogger). A framer reads one record at a time from a window
 * of bytes and never keeps a reference to them; it says how many bytes it needs when the window is
 * too short, so that the parser holds at most one record (≤ the format's largest legal record)
 * plus one read chunk, whatever the file size.
 *
 * `step` returns one of the STEP codes and fills the `StepOut` it is given:
 *   ITEM    `item` read, the record ends at `next`;
 *   SKIP    bytes up to `next` read with nothing to report (a file or block header);
 *   NEED    the record needs `need` bytes from `at` (`reason` says what was missing);
 *   DAMAGE  the record at `at` is malformed: `field` is the byte offset of the bad field, `reason`
 *           what is wrong, `frame` the record number; `next` is where reading can go on when the
 *           format tells it (the end of a pcapng block that is whole), or -1 to resynchronise.
 * `plausibleLength` is the resynchronisation test: the length of a record whose header looks
 * right at `at`, -1 when it does not, 0 when more bytes are needed to tell.
 */
import type { CaptureItem } from './capture-record.js';

export const STEP = { ITEM: 1, SKIP: 2, NEED: 3, DAMAGE: 4 } as const;
export type StepCode = (typeof STEP)[keyof typeof STEP];

/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: a packet longer than this is damage, not data. */
export const MAX_PACKET_BYTES = 262_144;
/** Plausible records lie within this of the last good record's time (resynchronisation). */
export const RESYNC_TIME_WINDOW_US = 24 * 3600 * 1_000_000;

export interface StepOut {
  item: CaptureItem | undefined;
  next: number;
  need: number;
  field: number;
  frame: number;
  reason: string;
}

export interface Framer {
  step(bytes: Uint8Array, at: number, end: number, out: StepOut): StepCode;
  plausibleLength(bytes: Uint8Array, at: number, end: number): number;
  /** Offsets a record can start at are multiples of this (4 in pcapng). */
  readonly alignment: number;
  /** A plausible header must be followed by another (or the end of the file) to count: true where
   * the header has no check of its own (btsnoop, pcap, PacketLogger); pcapng has its trailing length. */
  readonly chained: boolean;
}

/** Whether `us` is within the resynchronisation window of the last good time (any time when none yet). */
export function nearInTime(us: number, last: number | undefined): boolean {
  return last === undefined || Math.abs(us - last) <= RESYNC_TIME_WINDOW_US;
}

export function damage(out: StepOut, frame: number, field: number, reason: string, next = -1): StepCode {
  out.frame = frame;
  out.field = field;
  out.reason = reason;
  out.next = next;
  return STEP.DAMAGE;
}

export function need(out: StepOut, bytes: number, reason: string): StepCode {
  out.need = bytes;
  out.reason = reason;
  return STEP.NEED;
}
