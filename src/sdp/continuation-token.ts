/**
 * Continuation tokens for the SDP server (Core v5.4 Vol 3 Part B §4.3; conformance A2 rule 20).
 * The token is opaque to the client and carries no offset: the server keeps the rest of the
 * response itself and only compares the token it gets back with the one it issued. A token is 8
 * bytes mixed from a per-server seed, a counter that grows with every token issued, and a hash of
 * the request it answers, so tokens look random, differ from one response to the next, and a
 * token replayed after it was used or offered with another request does not match. No randomness
 * source is needed (the core is deterministic); the seed is an option.
 */

/** 32-bit FNV-1a over `bytes`, started from `seed`. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The 32-bit finaliser of MurmurHash3: spreads every input bit over the output. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export const CONTINUATION_TOKEN_LENGTH = 8;

export class ContinuationTokens {
  private counter = 0;
  constructor(private readonly seed = 0x5d9f1a37) {}

  /** A fresh token for a response to `request` (the request bytes that define the answer). */
  issue(request: Uint8Array): Uint8Array {
    this.counter = (this.counter + 1) >>> 0;
    const h = fnv1a32(request, this.seed);
    const a = mix32(h ^ Math.imul(this.counter, 0x9e3779b1));
    const b = mix32(a ^ this.seed ^ Math.imul(this.counter + 0x632be5ab, 0x27d4eb2f));
    return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, b >>> 24, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff);
  }
}
