/**
 * A set of named deadlines for sans-I/O state machines (DESIGN.md rule 2). A layer arms and clears
 * timers by key with absolute deadlines in monotonic milliseconds, reports `next()` as its
 * `pollTimeout()`, and asks `expire(now)` for the keys that are due, earliest first (keys with
 * the same deadline in the order they were first armed).
 *
 * A binary min-heap with each key's position indexed (DESIGN.md rule 10): `next()` costs O(1),
 * `set`, `clear` and each expired key O(log n), whatever the number of timers armed.
 */
interface Entry<K> {
  readonly key: K;
  deadline: number;
  /** Order of first arming: the tie-break between equal deadlines. */
  readonly seq: number;
  at: number;
}

export class TimerSet<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly entries = new Map<K, Entry<K>>();
  private seq = 0;

  set(key: K, deadline: number): void {
    const e = this.entries.get(key);
    if (!e) {
      const entry: Entry<K> = { key, deadline, seq: this.seq++, at: this.heap.length };
      this.entries.set(key, entry);
      this.heap.push(entry);
      this.up(entry.at);
      return;
    }
    const earlier = deadline < e.deadline;
    e.deadline = deadline;
    if (earlier) this.up(e.at);
    else this.down(e.at);
  }
  clear(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.removeAt(e.at);
  }
  has(key: K): boolean {
    return this.entries.has(key);
  }
  get(key: K): number | undefined {
    return this.entries.get(key)?.deadline;
  }
  get size(): number {
    return this.heap.length;
  }
  /** The earliest deadline, if any. */
  next(): number | undefined {
    return this.heap.length > 0 ? this.heap[0].deadline : undefined;
  }
  /** Removes and returns the keys whose deadline is ≤ now, earliest first. */
  expire(now: number): readonly K[] {
    if (this.heap.length === 0 || this.heap[0].deadline > now) return NONE;
    const due: K[] = [];
    while (this.heap.length > 0 && this.heap[0].deadline <= now) {
      const e = this.heap[0];
      this.entries.delete(e.key);
      this.removeAt(0);
      due.push(e.key);
    }
    return due;
  }

  private before(a: Entry<K>, b: Entry<K>): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private removeAt(i: number): void {
    const last = this.heap.pop()!;
    if (i === this.heap.length) return;
    this.heap[i] = last;
    last.at = i;
    this.up(i);
    this.down(last.at);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(e, h[parent])) break;
      h[i] = h[parent];
      h[i].at = i;
      i = parent;
    }
    h[i] = e;
    e.at = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const e = h[i];
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(h[r], h[l]) ? r : l;
      if (!this.before(h[c], e)) break;
      h[i] = h[c];
      h[i].at = i;
      i = c;
    }
    h[i] = e;
    e.at = i;
  }
}

/** What `expire` returns when nothing is due (shared: most calls find nothing). */
const NONE: readonly never[] = [];

/**
 * The earlier of two optional deadlines. Two arguments, not a list: every layer's `pollTimeout`
 * folds its deadlines with it after each input, and a rest parameter would allocate an array each time.
 */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined || a <= b ? a : b;
}
