/**
 * The machine's own spread at a given time scale, the yardstick for a p99 / median figure: a fixed
 * computation (arithmetic over a small array: no allocation, no I/O, no event loop turn),
 * calibrated to last about as long as a given median and timed with an await on either side, as
 * an echo round trip is. Its p99 / median is what this machine (its scheduler, its neighbours,
 * V8's background threads) adds to anything timed at that scale, whatever the code.
 */
import { performance } from 'node:perf_hooks';
import { percentile } from './measure.js';

const cells = new Float64Array(256);

function work(rounds: number): number {
  let sum = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cells.length; i++) {
      cells[i] = cells[i] * 0.999 + i;
      sum += cells[i];
    }
  }
  return sum;
}

/** Rounds of `work` that take about `us` microseconds here (the median of a few tries). */
function calibrate(us: number): number {
  const tries: number[] = [];
  for (let i = 0; i < 51; i++) {
    const t0 = performance.now();
    work(100);
    tries.push((performance.now() - t0) * 1000);
  }
  return Math.max(1, Math.round((100 * us) / percentile(tries, 50)));
}

/** Median and p99 (µs) of `trips` timings of a computation calibrated to `medianUs`. */
export async function noiseFloor(medianUs: number, trips: number): Promise<{ median: number; p99: number }> {
  const rounds = calibrate(medianUs);
  const times: number[] = [];
  for (let i = 0; i < trips; i++) {
    const t0 = performance.now();
    await null;
    work(rounds);
    await null;
    times.push((performance.now() - t0) * 1000);
  }
  return { median: percentile(times, 50), p99: percentile(times, 99) };
}
