/**
 * Progress for long transfers: a bar with throughput (and the time left when the total is known) on
 * a terminal, redrawn at most 10 times a second over the whole line (`ESC [ K` erases what a longer
 * earlier line left), and one summary line at the end everywhere. While a bar is on screen, other
 * lines (src/cli/log.ts) first end it, so that no message is printed on the bar's line.
 */
const ERASE_LINE = '\r\x1b[K';

/** The bar now on screen, if any. */
let drawn: Progress | undefined;

/** Ends the line a progress bar is on (before another line is printed). */
export function clearProgressLine(): void {
  if (!drawn) return;
  drawn.out.write('\n');
  drawn = undefined;
}

export class Progress {
  private readonly start: number;
  private lastDraw = 0;
  done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    readonly out: NodeJS.WriteStream = process.stderr,
    private readonly show = true,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.start = clock();
  }

  add(n: number): void {
    this.done += n;
    const now = this.clock();
    if (this.show && this.out.isTTY && now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.out.write(`${ERASE_LINE}${this.line(now)}`);
      drawn = this;
    }
  }

  /** Prints the summary line (over the bar on a terminal) and returns it. */
  finish(): string {
    const line = this.line(this.clock(), true);
    if (this.show) this.out.write(`${this.out.isTTY && drawn === this ? ERASE_LINE : ''}${line}\n`);
    if (drawn === this) drawn = undefined;
    return line;
  }

  line(now: number, final = false): string {
    const seconds = Math.max((now - this.start) / 1000, 1e-3);
    const perSecond = this.done / seconds;
    const rate = `${formatBytes(perSecond)}/s`;
    if (this.total === undefined || this.total === 0) return `${this.label} ${formatBytes(this.done)} in ${seconds.toFixed(2)} s (${rate})`;
    const frac = Math.min(1, this.done / this.total);
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const left = this.total - this.done;
    const eta = final || left <= 0 || perSecond === 0 ? '' : ` ETA ${formatDuration(left / perSecond)}`;
    return `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(this.done)}/${formatBytes(this.total)} in ${seconds.toFixed(2)} s (${rate})${eta}`;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n.toFixed(0)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Seconds as `42 s`, `3 min 05 s` or `2 h 07 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
