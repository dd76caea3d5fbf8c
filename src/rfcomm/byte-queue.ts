/**
 * A bounded FIFO of bytes (a DLC's transmit queue): `push` accepts as many bytes as fit and says
 * how many; `takeInto(sink, n)` moves up to n bytes into a frame being written (the one copy of
 * the payload on its way out, DESIGN.md rule 10).
 *
 * Chunks are kept by reference, not copied: the caller gives up the bytes it pushes and must not
 * change them until they were taken (the stack's `writeRfcomm` says so; the socket copies what the
 * application passes it). Taking never allocates; the chunk list is compacted as it is consumed.
 */
import { type ByteSink, view } from '../core/index.js';

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private headOffset = 0;
  private size = 0;
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.size;
  }
  get room(): number {
    return this.capacity - this.size;
  }
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.room);
    if (n === 0) return 0;
    this.chunks.push(n === bytes.length ? bytes : view(bytes, 0, n));
    this.size += n;
    return n;
  }
  /** Writes the next `n` bytes (at most `length`) into `sink` and removes them. */
  takeInto(sink: ByteSink, n: number): void {
    let left = Math.min(n, this.size);
    this.size -= left;
    while (left > 0) {
      const c = this.chunks[this.head];
      const k = Math.min(left, c.length - this.headOffset);
      sink.put(this.headOffset === 0 && k === c.length ? c : view(c, this.headOffset, this.headOffset + k));
      left -= k;
      this.headOffset += k;
      if (this.headOffset === c.length) {
        this.chunks[this.head] = EMPTY;
        this.head++;
        this.headOffset = 0;
      }
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.size = 0;
  }
}

const EMPTY = new Uint8Array(0);
