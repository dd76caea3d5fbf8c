/**
 * Packet times as `btc decode --time` shows them (pure). A record's time is microseconds since the
 * Unix epoch (`CaptureRecord.timestampUs`); formats without one (pcapng Simple Packet Blocks) show
 * `-`.
 *   absolute  UTC date and time to the microsecond: `2024-03-01T12:00:00.000123Z`
 *   relative  seconds since the first record that has a time: `12.000123`
 *   delta     seconds since the record shown before: `0.000123`
 */
import { utcTime } from './chart/time.js';

export const TIME_MODES = ['absolute', 'relative', 'delta'] as const;
export type TimeMode = (typeof TIME_MODES)[number];

export function isTimeMode(text: string): text is TimeMode {
  return (TIME_MODES as readonly string[]).includes(text);
}

/** ISO 8601 UTC with microseconds (the calendar computed from the number, not the global Date). */
export function isoMicroseconds(us: number): string {
  return utcTime(us).replace(' ', 'T').replace(' UTC', 'Z');
}

function seconds(us: number): string {
  return (us / 1_000_000).toFixed(6);
}

/** Turns each record's time into the chosen form, in file order (relative and delta keep state). */
export class TimeColumn {
  private first: number | undefined;
  private previous: number | undefined;

  constructor(readonly mode: TimeMode) {}

  /** The text for one record, `-` when it has no time. */
  text(us: number | undefined): string {
    if (us === undefined) return '-';
    if (this.mode === 'absolute') return isoMicroseconds(us);
    this.first ??= us;
    const base = this.mode === 'relative' ? this.first : (this.previous ?? us);
    this.previous = us;
    return seconds(us - base);
  }
}
