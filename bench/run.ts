/**
 * `npm run bench` (docs/performance.md): every figure is the median of at least five samples after a
 * warm-up, with min and max; every transfer checks its bytes; comparisons are sampled interleaved in
 * this one run and reported as ratios. Nothing here is asserted: the numbers are for reading.
 *
 *   npm run bench                      all of it, compiled (what a user runs); writes bench/results.json
 *   npm run bench -- --quick           small sizes and few samples (CI runs this so it cannot rot)
 *   npm run bench -- --only NAME,…     codec, bulk, scaling, gc, heap, echo, btvirt, decode
 *   npm run bench -- --out FILE        where to write the JSON results
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { codec, gcShare, heapPerDlc, rfcommVsL2cap, scaling, socketEcho, type Results } from './in-process.js';
import { overBtvirt } from './btvirt.js';
import { decodeSuite } from './decode.js';
import type { SamplingPlan } from './measure.js';

const SUITES = ['codec', 'bulk', 'scaling', 'gc', 'heap', 'echo', 'btvirt', 'decode'] as const;
type Suite = (typeof SUITES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = values.quick!;
const only = new Set((values.only ?? SUITES.join(',')).split(',').map((s) => s.trim()));
for (const s of only) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`unknown suite ${s}: use ${SUITES.join(', ')}`);
const plan: SamplingPlan = quick ? { warmup: 1, samples: 5 } : { warmup: 2, samples: 7 };
const wanted = (s: Suite) => only.has(s);

const results: Results = { figures: [], ratios: [], notes: [] };
const started = Date.now();
const step = async (suite: Suite, fn: () => Promise<void>): Promise<void> => {
  if (!wanted(suite)) return;
  const t0 = Date.now();
  process.stderr.write(`bench: ${suite}…`);
  await fn();
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
};
await step('codec', () => codec(plan, quick, results));
await step('bulk', () => rfcommVsL2cap(plan, quick, results));
await step('scaling', () => scaling(plan, quick, results));
await step('gc', () => gcShare(plan, quick, results));
await step('heap', () => heapPerDlc(plan, results));
await step('echo', () => socketEcho(plan, quick, results));
await step('btvirt', () => overBtvirt(plan, quick, results));
await step('decode', () => decodeSuite(plan, quick, results));

const fmt = (n: number) => (!Number.isFinite(n) ? '—' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
console.log(`\n${plan.samples} samples after ${plan.warmup} warm-up round(s)${quick ? ' (quick)' : ''}; ${cpus().length} CPUs, node ${process.version}\n`);
console.log('| figure | median | min | max | unit |');
console.log('|---|---:|---:|---:|---|');
for (const f of results.figures) {
  const stalled = f.summary.failed ? ` (${f.summary.failed} of ${f.summary.samples.length} samples stalled)` : '';
  console.log(`| ${f.name}${stalled} | ${fmt(f.summary.median)} | ${fmt(f.summary.min)} | ${fmt(f.summary.max)} | ${f.unit} |`);
}
console.log('\n| ratio (one run; A/B paired round by round where a range is given) | value | min | max | target |');
console.log('|---|---:|---:|---:|---|');
const fmt2 = (n: number | undefined) => (n === undefined ? '' : Number.isFinite(n) ? n.toFixed(2) : '—');
for (const r of results.ratios) console.log(`| ${r.name} | ${fmt2(r.value)} | ${fmt2(r.min)} | ${fmt2(r.max)} | ${r.target ?? ''} |`);
if (results.notes.length > 0) console.log(`\n${results.notes.map((n) => `- ${n}`).join('\n')}`);

const out = values.out ?? (quick ? undefined : resolve(process.cwd(), 'bench/results.json'));
if (out) {
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), quick, plan, seconds: (Date.now() - started) / 1000, machine, ...results }, null, 2) + '\n');
  console.log(`\nresults written to ${out}`);
}
