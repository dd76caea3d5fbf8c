/**
 * How the benchmark samples (docs/performance.md, "Method"): every figure is the median of at
 * least five samples taken after a warm-up, reported with its min and max; two things compared
 * are sampled interleaved (A B B A A B …) in one run, so that a drift of the machine's speed
 * shows in both, and the comparison is reported as the median of the round-by-round ratios
 * (each A sample over the B sample taken beside it), with their min and max.
 */
import { performance } from 'node:perf_hooks';

export interface Summary {
  /** Median, min and max of the samples that completed, in the unit of the figure (NaN when none did). */
  median: number;
  min: number;
  max: number;
  samples: number[];
  /** Samples that did not complete (a transfer that stalled): NaN in `samples`. */
  failed: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const done = samples.filter((v) => Number.isFinite(v));
  const failed = samples.length - done.length;
  if (done.length === 0) return { median: NaN, min: NaN, max: NaN, samples: [...samples], failed };
  const sorted = done.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples: [...samples], failed };
}

/** The p-th percentile (0..100) of some values, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface SamplingPlan {
  warmup: number;
  samples: number;
}

/** CPU milliseconds (user + system) this process used while `fn` ran, and its wall milliseconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs };
}

/**
 * Samples several variants interleaved: after `warmup` rounds that are thrown away, `samples`
 * rounds each run every variant once, in an order that alternates (A B, B A, A B …), so that no
 * variant always runs first. Returns the samples of each variant by name.
 */
export async function interleaved(plan: SamplingPlan, variants: Record<string, () => Promise<number> | number>): Promise<Record<string, Summary>> {
  const names = Object.keys(variants);
  const values: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < plan.warmup + plan.samples; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const v = await variants[name]();
      if (round >= plan.warmup) values[name].push(v);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(values[n])]));
}

/**
 * A compared with B: the median, min and max of A/B taken round by round (both samples of a round
 * were taken next to each other, so a drift of the machine's speed cancels), over the rounds where
 * both completed. NaN when none did.
 */
export function pairedRatio(a: Summary, b: Summary): Paired {
  return paired([a, b], ([x, y]) => x / y);
}

/**
 * What `withIt` costs beyond `without`, as a share of what `base` costs, round by round; all three
 * are rates (bytes per CPU second), so a cost is 1 / rate: base/withIt − base/without per round.
 */
export function pairedExtraCost(base: Summary, withIt: Summary, without: Summary): Paired {
  return paired([base, withIt, without], ([b, w, o]) => b / w - b / o);
}

export interface Paired {
  value: number;
  min: number;
  max: number;
}

/** `f` of the samples each round took, over the rounds where all completed: median, min and max (NaN when none did). */
function paired(summaries: readonly Summary[], f: (round: number[]) => number): Paired {
  const rounds = Math.min(...summaries.map((s) => s.samples.length));
  const values: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const v = f(summaries.map((s) => s.samples[i]));
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return { value: NaN, min: NaN, max: NaN };
  const s = summarize(values);
  return { value: s.median, min: s.min, max: s.max };
}

/** Samples one thing: `warmup` runs thrown away, then `samples` runs. */
export async function sampled(plan: SamplingPlan, fn: () => Promise<number> | number): Promise<Summary> {
  return (await interleaved(plan, { only: fn })).only;
}
