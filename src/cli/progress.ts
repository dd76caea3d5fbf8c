/**
 * Progress for long transfers: a bar with throughput on a terminal (redrawn at most 10 times a
 * second), and one summary line at the end everywhere.
 */
export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;
  done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  add(n: number): void {
    this.done += n;
    const now = performance.now();
    if (this.out.isTTY && now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.out.write(`\r${this.line(now)}`);
    }
  }

  finish(): string {
    const line = this.line(performance.now());
    this.out.write(`${this.out.isTTY ? '\r' : ''}${line}\n`);
    return line;
  }

  private line(now: number): string {
    const seconds = Math.max((now - this.start) / 1000, 1e-3);
    const rate = `${formatBytes(this.done / seconds)}/s`;
    if (this.total === undefined || this.total === 0) return `${this.label} ${formatBytes(this.done)} in ${seconds.toFixed(2)} s (${rate})`;
    const frac = Math.min(1, this.done / this.total);
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    return `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(this.done)}/${formatBytes(this.total)} in ${seconds.toFixed(2)} s (${rate})`;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n.toFixed(0)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
