/**
 * The queue of `StackEvent`s the user drains with `pollEvent()` (DESIGN.md rules 3 and 6). It is
 * bounded for trace events only: once `max` events wait, a new 'packet' event is dropped; every other
 * event is always queued, since losing one would leave a channel or a query without its answer.
 */
import type { StackEvent } from './events.js';

export class EventQueue {
  private readonly events: StackEvent[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  push(e: StackEvent): void {
    if (this.events.length - this.head >= this.max && e.type === 'packet') return;
    this.events.push(e);
  }

  poll(): StackEvent | undefined {
    if (this.head >= this.events.length) return undefined;
    const e = this.events[this.head];
    this.events[this.head++] = undefined as unknown as StackEvent;
    if (this.head === this.events.length) {
      this.events.length = 0;
      this.head = 0;
    }
    return e;
  }
}
