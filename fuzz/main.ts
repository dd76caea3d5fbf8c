/**
 * `npm run fuzz` (docs/fuzzing.md): hostile input against one stack of a virtual pair, per layer.
 *
 *   npm run fuzz -- --layer hci|acl|l2cap|rfcomm|sdp|h4|all --cases N --seed S
 *                   [--batch B] [--max-seconds T] [--findings DIR] [--traces DIR]
 *                   [--ping-pong-limit P] [--heap-mib M]
 *   npm run fuzz -- --replay FILE
 *
 * `--cases` counts per layer. Exit code 0 when no oracle failed, 1 on findings (or when a replayed
 * case still fails), 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { replay, runFuzz } from './fuzz.js';
import { LAYERS, type Layer } from './generate.js';
import { loadTracePools } from './traces.js';
import { DEFAULT_LIMITS } from './world.js';

const ROOT = resolve(import.meta.dirname, '..');

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a whole number ≥ 0, got ${raw}`);
  return n;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      layer: { type: 'string', default: 'all' },
      cases: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      'max-seconds': { type: 'string' },
      findings: { type: 'string' },
      traces: { type: 'string' },
      replay: { type: 'string' },
      'ping-pong-limit': { type: 'string' },
      'heap-mib': { type: 'string' },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}

if (values.replay) {
  const { saved, finding } = replay(resolve(values.replay));
  process.stdout.write(`replaying ${values.replay}: layer ${saved.layer}, seed ${saved.seed}, case ${saved.caseIndices.join(',')}, ${saved.inputs.length} input(s)\n`);
  process.stdout.write(`saved:  ${saved.error}\n`);
  process.stdout.write(finding ? `now:    ${finding.message}\n` : 'now:    the oracle holds (fixed)\n');
  process.exit(finding ? 1 : 0);
}

const layers: Layer[] = values.layer === 'all' ? [...LAYERS] : values.layer!.split(',').map((l) => {
  if (!(LAYERS as readonly string[]).includes(l)) fail(`unknown layer ${l}: use ${LAYERS.join('|')}|all`);
  return l as Layer;
});
const seed = count('seed', values.seed, 1);
const pools = loadTracePools(resolve(values.traces ?? resolve(ROOT, '../shared/traces')));
process.stderr.write(`fuzz: traces: ${pools.source} (${pools.events.length} events, ${pools.l2cap.length} L2CAP, ${pools.signaling.length} signaling, ${pools.rfcomm.length} RFCOMM, ${pools.sdp.length} SDP frames)\n`);
const result = runFuzz({
  layers,
  cases: count('cases', values.cases, 1000),
  seed,
  batch: Math.max(1, count('batch', values.batch, 40)),
  maxSeconds: count('max-seconds', values['max-seconds'], 3600),
  pools,
  limits: {
    pingPongLimit: count('ping-pong-limit', values['ping-pong-limit'], DEFAULT_LIMITS.pingPongLimit),
    heapMiB: count('heap-mib', values['heap-mib'], DEFAULT_LIMITS.heapMiB),
  },
  findingsDir: resolve(values.findings ?? resolve(ROOT, 'fuzz-findings')),
  progress: (p) => process.stderr.write(`fuzz: ${p.layer} ${p.done}/${p.total} cases, ${p.casesPerSecond} cases/s, ${p.findings} finding(s)\n`),
});
for (const l of result.layers) process.stdout.write(`${l.layer.padEnd(6)} ${String(l.cases).padStart(8)} cases ${l.seconds.toFixed(1).padStart(7)} s ${l.findings.length} finding(s)${l.rebuilt > 0 ? `, ${l.rebuilt} world(s) rebuilt after a close` : ''}${l.framingErrors > 0 ? `, ${l.framingErrors} framing error(s) (each a new transport)` : ''}\n`);
process.stdout.write(`total  ${String(result.cases).padStart(8)} cases ${result.seconds.toFixed(1).padStart(7)} s ${result.findings.length} finding(s), seed ${seed}${result.stoppedEarly ? ' (stopped early at --max-seconds)' : ''}\n`);
for (const f of result.findings) process.stdout.write(`  ${f.layer} case ${f.caseIndices.join(',')}: ${f.error}\n`);
if (result.findings.length > 0) process.stdout.write(`saved in ${values.findings ?? 'fuzz-findings/'}; replay with npm run fuzz -- --replay FILE\n`);
process.exit(result.findings.length > 0 ? 1 : 0);
