/**
 * The bytes every benchmark transfer sends and checks: byte i of a stream is a function of i with
 * a period of 1 MiB, so a byte lost, repeated, reordered or changed shows at its offset. Writing
 * takes a view of a precomputed table and checking is one memcmp per chunk, so that neither
 * counts in what is measured.
 */
const PERIOD = 1 << 20;
const MAX_CHUNK = 1 << 16;
const TABLE = Buffer.alloc(PERIOD + MAX_CHUNK);
for (let j = 0; j < TABLE.length; j++) {
  const i = j % PERIOD;
  TABLE[j] = (i * 31 + (i >>> 8)) % 251;
}

/** The `length` bytes (≤ 64 KiB) of the stream at `offset`, as a view of the table. */
export function patternAt(offset: number, length: number): Buffer {
  if (length > MAX_CHUNK) throw new Error(`pattern chunks are at most ${MAX_CHUNK} bytes`);
  const at = offset % PERIOD;
  return TABLE.subarray(at, at + length);
}

/** Counts and checks the bytes of one stream as they arrive, in chunks of any size. */
export class PatternCheck {
  received = 0;
  error: string | undefined;

  /** `total` bytes of the stream starting at stream offset `base`. */
  constructor(
    readonly total: number,
    readonly base = 0,
  ) {}

  get done(): boolean {
    return this.received >= this.total;
  }

  add(data: Uint8Array): void {
    for (let at = 0; at < data.length; at += MAX_CHUNK) {
      const n = Math.min(data.length - at, MAX_CHUNK);
      const from = (this.base + this.received) % PERIOD;
      // Compared in place (no view made), so that checking costs the stack nothing but a memcmp.
      if (this.error === undefined && TABLE.compare(data, at, at + n, from, from + n) !== 0) {
        this.error = `the ${n} bytes at offset ${this.received} differ from what was sent`;
      }
      this.received += n;
    }
    if (this.received > this.total && this.error === undefined) this.error = `${this.received} bytes arrived, ${this.total} were sent`;
  }

  /** Throws unless exactly `total` bytes arrived, each as sent. */
  verify(what: string): void {
    if (this.error) throw new Error(`${what}: ${this.error}`);
    if (this.received !== this.total) throw new Error(`${what}: ${this.received} of ${this.total} bytes arrived`);
  }
}
