/**
 * `npm run bench -- --quick` as CI runs it, so that the benchmark cannot rot: it compiles, runs
 * every suite with small sizes, checks the bytes of every transfer (a transfer that loses or
 * changes a byte makes it fail), and writes its JSON. No figure is judged here: timings are never
 * asserted in tests (docs/performance.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pairedExtraCost, pairedRatio, summarize } from '../bench/measure.js';
import { parseCpuList } from '../bench/placement.js';
import { FrameFloor } from '../bench/rfcomm-floor.js';
import { btvirtMissing, ROOT } from './support/env.js';

const dir = mkdtempSync(join(tmpdir(), 'btc-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Results {
  quick: boolean;
  plan: { warmup: number; samples: number };
  figures: { name: string; unit: string; summary: { samples: number[]; failed: number } }[];
  ratios: { name: string; value: number }[];
  notes: string[];
}

describe('npm run bench -- --quick', () => {
  it('compiles, runs every suite, checks every transfer and writes its results', () => {
    const out = join(dir, 'results.json');
    const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const run = spawnSync(process.execPath, ['.bench/bench/run.js', '--quick', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| figure \| median \| min \| max \| unit \|/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.quick).toBe(true);
    expect(results.plan.samples).toBeGreaterThanOrEqual(5);
    const names = results.figures.map((f) => f.name);
    for (const want of [/RFCOMM UIH encode/, /RFCOMM bulk, virtual link, ACL 27\b/, /raw L2CAP bulk, virtual link, ACL 1021/, /RFCOMM layer alone, two managers/, /RFCOMM's least work per frame/, /60 active DLCs/, /idle sessions/, /GC share/, /heap per idle DLC/, /echo round trip, sockets on virtual adapters/]) {
      expect(names.some((n) => want.test(n)), String(want)).toBe(true);
    }
    if (!btvirtMissing()) {
      for (const want of [/raw ACL ceiling over btvirt/, /RFCOMM over btvirt with the defaults/, /stalls in/, /echo round trip over btvirt/]) expect(names.some((n) => want.test(n)), String(want)).toBe(true);
      // Where btvirt and the peers ran is part of those figures (bench/placement.ts): the results say it.
      expect(results.notes.some((n) => /^over btvirt: (pinned: btvirt and the sending peers on CPU \d+|not pinned: .+)/.test(n)), results.notes.join('; ')).toBe(true);
    }
    // Every sampled figure has its samples; counts (stalls, failures) are one number each.
    for (const f of results.figures) expect(f.summary.samples.length, f.name).toBeGreaterThanOrEqual(/stalls|failed/.test(f.name) ? 1 : 5);
    expect(results.ratios.length).toBeGreaterThanOrEqual(8);
    // A guard only: on a loaded machine the quick run takes minutes (98 s beside 4 busy loops).
  }, 900_000);
});

describe('bench placement', () => {
  it('reads a Linux CPU list as the kernel writes it', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-1,4,6-7')).toEqual([0, 1, 4, 6, 7]);
    expect(parseCpuList('3')).toEqual([3]);
    expect(parseCpuList('')).toEqual([]);
    expect(parseCpuList('x,2-1,5')).toEqual([5]);
  });
});

describe('the RFCOMM floor (bench/rfcomm-floor.ts)', () => {
  it('carries and checks a stream bare and framed, continuing it across transfers', () => {
    for (const framed of [false, true]) {
      const floor = new FrameFloor(1017, framed);
      floor.transfer(200_000);
      floor.transfer(70_001);
    }
  });

  it('is measured with frames over 127 octets only (two length octets)', () => {
    expect(() => new FrameFloor(130, true)).toThrow(/over 127 octets/);
  });

  it('pairs samples round by round: A / B per round, a round that did not complete left out', () => {
    expect(pairedRatio(summarize([2, 9, 6]), summarize([1, NaN, 2]))).toEqual({ value: 2.5, min: 2, max: 3 });
    expect(pairedRatio(summarize([NaN]), summarize([1])).value).toBeNaN();
  });

  it('reports what one variant costs beyond another as a share of a third, round by round', () => {
    // Rates: base 100 and 200, with 50 and 100 (twice the cost), without 100 and 200 (the same): one base cost more each round.
    expect(pairedExtraCost(summarize([100, 200]), summarize([50, 100]), summarize([100, 200])).value).toBe(1);
    // A round that did not complete (NaN) is left out.
    expect(pairedExtraCost(summarize([100, 100, 100]), summarize([50, NaN, 80]), summarize([100, 100, 100]))).toEqual({ value: 0.625, min: 0.25, max: 1 });
  });
});
