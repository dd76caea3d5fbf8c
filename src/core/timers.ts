/**
 * A set of named deadlines for sans-I/O state machines (DESIGN.md rule 2). A layer arms and clears
 * timers by key with absolute deadlines in monotonic milliseconds, reports `next()` as its
 * `pollTimeout()`, and asks `expire(now)` for the keys that are due, earliest first.
 */
export class TimerSet<K> {
  private readonly deadlines = new Map<K, number>();

  set(key: K, deadline: number): void {
    this.deadlines.set(key, deadline);
  }
  clear(key: K): void {
    this.deadlines.delete(key);
  }
  has(key: K): boolean {
    return this.deadlines.has(key);
  }
  get(key: K): number | undefined {
    return this.deadlines.get(key);
  }
  get size(): number {
    return this.deadlines.size;
  }
  /** The earliest deadline, if any. */
  next(): number | undefined {
    let min: number | undefined;
    for (const d of this.deadlines.values()) if (min === undefined || d < min) min = d;
    return min;
  }
  /** Removes and returns the keys whose deadline is ≤ now, earliest first. */
  expire(now: number): K[] {
    const due: [K, number][] = [];
    for (const [k, d] of this.deadlines) if (d <= now) due.push([k, d]);
    due.sort((a, b) => a[1] - b[1]);
    for (const [k] of due) this.deadlines.delete(k);
    return due.map(([k]) => k);
  }
}

/** The earliest of several optional deadlines. */
export function earliest(...ds: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const d of ds) if (d !== undefined && (min === undefined || d < min)) min = d;
  return min;
}
