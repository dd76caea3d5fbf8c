/**
 * The fuzzer's randomness: the virtual link's seeded mulberry32 (src/transport/virtual/prng.ts) with
 * the choices a generator makes (an integer that favours its boundaries, an element, a coin). Every
 * case is a pure function of (seed, layer, case index), so a run is reproducible from its seed and
 * nothing here reads Math.random or the clock.
 */
import { Prng } from '../src/transport/virtual/prng.js';

export class Rand extends Prng {
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  /** An unsigned `size`-octet integer, one time in two a boundary (0, 1, max − 1, max, a power of two). */
  uint(size: number): number {
    const max = 2 ** (8 * size) - 1;
    if (this.chance(0.5)) {
      const b = this.below(5);
      if (b === 4) return 2 ** this.below(8 * size);
      return [0, 1, max - 1, max][b]!;
    }
    return size === 4 ? this.nextU32() : this.below(max + 1);
  }
  /** A length that crosses the boundaries that matter to a codec (0, 1, 127, 128, `max`, `max` + 1) or any up to `max`. */
  length(max: number): number {
    return this.chance(0.4) ? this.pick([0, 1, 127, 128, max, max + 1].filter((n) => n >= 0)) : this.below(max + 1);
  }
}

/** The generator of one case: seed, layer and index mixed so that every case has its own stream. */
export function caseRand(seed: number, layer: string, index: number): Rand {
  let h = seed >>> 0;
  for (const c of `${layer}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Rand(h ^ Math.imul(index, 0x9e3779b1));
}
