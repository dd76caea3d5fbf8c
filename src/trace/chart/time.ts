/**
 * Times on the sequence chart: capture timestamps are microseconds since the Unix epoch
 * (capture-record.ts). Written without the global clock: the calendar date comes from the day
 * count (proleptic Gregorian, days-from-civil inverted), so the output depends on the input only.
 */

/** `2026-12-04 22:43:18.123456 UTC` for a time in microseconds since the Unix epoch. */
export function utcTime(us: number): string {
  const totalSeconds = Math.floor(us / 1e6);
  const micros = us - totalSeconds * 1e6;
  const days = Math.floor(totalSeconds / 86_400);
  const secondOfDay = totalSeconds - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  const hh = Math.floor(secondOfDay / 3600);
  const mm = Math.floor((secondOfDay % 3600) / 60);
  const ss = secondOfDay % 60;
  return `${year}-${two(month)}-${two(day)} ${two(hh)}:${two(mm)}:${two(ss)}.${String(Math.floor(micros)).padStart(6, '0')} UTC`;
}

/** Seconds with microsecond digits since `startUs`: `+0.012345`. */
export function relativeTime(us: number, startUs: number): string {
  const delta = us - startUs;
  const sign = delta < 0 ? '-' : '+';
  const abs = Math.abs(delta);
  const seconds = Math.floor(abs / 1e6);
  return `${sign}${seconds}.${String(Math.floor(abs - seconds * 1e6)).padStart(6, '0')}`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Year, month (1–12), day (1–31) of a day count since 1970-01-01. */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
