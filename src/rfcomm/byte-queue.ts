/**
 * A bounded FIFO of bytes (a DLC's transmit queue): `push` accepts as many bytes as fit and says
 * how many; `take(n)` removes up to n bytes as one array. Chunks are copied on push, so the
 * caller may reuse its buffer.
 */
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
    this.chunks.push(bytes.slice(0, n));
    this.size += n;
    return n;
  }
  take(max: number): Uint8Array {
    const n = Math.min(max, this.size);
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[this.head];
      const k = Math.min(n - o, c.length - this.headOffset);
      out.set(c.subarray(this.headOffset, this.headOffset + k), o);
      o += k;
      this.headOffset += k;
      if (this.headOffset === c.length) {
        this.head++;
        this.headOffset = 0;
      }
    }
    this.size -= n;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return out;
  }
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.size = 0;
  }
}
