/**
 * Deadlines of the virtual controller: simulated radio procedures (inquiry responses, page timeout,
 * connection accept timeout, ACL transmission, delayed air delivery) run as actions at an absolute
 * time in monotonic milliseconds. Pure: the owner reports `next()` as its pollTimeout and calls
 * `runDue(now)`. Actions due at the same time run in the order they were scheduled.
 */
export type Action = (now: number) => void;

interface Entry {
  readonly id: number;
  readonly at: number;
  readonly run: Action;
}

export class Scheduler {
  /** Entries `[0, size)` are pending; the array keeps its length so that scheduling after a run allocates nothing. */
  private readonly entries: (Entry | undefined)[] = [];
  private size = 0;
  private nextId = 1;

  /** Schedules `run` at time `at`; returns an id for `cancel`. */
  at(at: number, run: Action): number {
    const id = this.nextId++;
    this.entries[this.size++] = { id, at, run };
    return id;
  }
  cancel(id: number | undefined): void {
    if (id === undefined) return;
    for (let i = 0; i < this.size; i++) {
      if (this.entries[i]!.id === id) return this.removeAt(i);
    }
  }
  clear(): void {
    this.entries.fill(undefined);
    this.size = 0;
  }
  next(): number | undefined {
    let min: number | undefined;
    for (let i = 0; i < this.size; i++) {
      const at = this.entries[i]!.at;
      if (min === undefined || at < min) min = at;
    }
    return min;
  }
  /** Runs every action due at `now`, including ones that due actions schedule for `now` or earlier. */
  runDue(now: number): void {
    for (;;) {
      let best: Entry | undefined;
      let index = -1;
      for (let i = 0; i < this.size; i++) {
        const e = this.entries[i]!;
        if (e.at <= now && (!best || e.at < best.at || (e.at === best.at && e.id < best.id))) {
          best = e;
          index = i;
        }
      }
      if (!best) return;
      this.removeAt(index);
      best.run(now);
    }
  }

  /** Removes entry `i`, keeping the order of the rest. */
  private removeAt(i: number): void {
    for (let k = i + 1; k < this.size; k++) this.entries[k - 1] = this.entries[k];
    this.entries[--this.size] = undefined;
  }
}
