/**
 * The queue of `StackEvent`s the user drains with `pollEvent()` (DESIGN.md rules 3 and 6). It is
 * bounded for trace events only: once `max` events wait, a new 'packet' event is dropped; every other
 * event is always queued, since losing one would leave a channel or a query without its answer.
 */
import { Ring } from '../core/index.js';
import type { StackEvent } from './events.js';

export class EventQueue {
  /** A ring: drained and refilled for every input, it keeps its storage (an array emptied by length would not). */
  private readonly events = new Ring<StackEvent>();

  constructor(private readonly max: number) {}

  push(e: StackEvent): void {
    if (this.events.length >= this.max && e.type === 'packet') return;
    this.events.push(e);
  }

  poll(): StackEvent | undefined {
    return this.events.shift();
  }
}
