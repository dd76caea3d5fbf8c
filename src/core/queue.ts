/**
 * A FIFO with a fixed capacity (DESIGN.md rule 6). `push` returns false and leaves the queue
 * unchanged when full, so the caller decides the overflow behaviour (drop and count, refuse, or
 * apply backpressure). Amortised O(1) shift without Array#shift's copying.
 */
import { ArgumentError } from './errors.js';

export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** `capacity` is an integer ≥ 0 (0: every push is refused). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new ArgumentError(`a queue capacity is an integer ≥ 0, not ${capacity}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }
  get full(): boolean {
    return this.length >= this.capacity;
  }
  push(item: T): boolean {
    if (this.full) return false;
    this.items.push(item);
    return true;
  }
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}
