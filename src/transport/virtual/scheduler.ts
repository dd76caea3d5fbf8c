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
  private entries: Entry[] = [];
  private nextId = 1;

  /** Schedules `run` at time `at`; returns an id for `cancel`. */
  at(at: number, run: Action): number {
    const id = this.nextId++;
    this.entries.push({ id, at, run });
    return id;
  }
  cancel(id: number | undefined): void {
    if (id === undefined) return;
    this.entries = this.entries.filter((e) => e.id !== id);
  }
  clear(): void {
    this.entries = [];
  }
  next(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries) if (min === undefined || e.at < min) min = e.at;
    return min;
  }
  /** Runs every action due at `now`, including ones that due actions schedule for `now` or earlier. */
  runDue(now: number): void {
    for (;;) {
      let best: Entry | undefined;
      for (const e of this.entries) if (e.at <= now && (!best || e.at < best.at || (e.at === best.at && e.id < best.id))) best = e;
      if (!best) return;
      const chosen = best;
      this.entries = this.entries.filter((e) => e !== chosen);
      chosen.run(now);
    }
  }
}
