/**
 * The fuzz run: batches of cases per layer, each batch in a fresh world (world.ts), the oracle after
 * every batch, and a failing batch minimised and saved as a replayable case.
 *
 * A case is a pure function of (seed, layer, index): half of the cases (when captures are there)
 * mutate real frames (traces.ts), the rest are generated from the codecs' tables (generate.ts).
 * Now and then virtual time passes before a case, so that timers fire between hostile frames.
 *
 * Minimising: inputs are dropped in halves, then one by one, then each input is cut shorter, for
 * as long as the same oracle still fails; a bounded number of tries, each in a fresh world.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, hex } from '../src/core/index.js';
import { generate, type Layer } from './generate.js';
import { caseRand } from './random.js';
import { hasTraces, traceCase, type TracePools } from './traces.js';
import { type Aim, buildWorld, checkWorld, DEFAULT_LIMITS, expectedSdpAnswer, Finding, inject, type Input, type Framing, type OracleName, type WorldLimits } from './world.js';

/** The seed of the virtual link in every world: fixed, so that handles and CIDs are the same in every batch. */
export const WORLD_SEED = 1;

/** Virtual time that may pass before a case (ms): 0 mostly, else enough for RTX (10 s) and more. */
const PAUSES = [1, 10, 250, 1000, 5000, 12_000];

export interface FuzzOptions {
  layers: readonly Layer[];
  /** Cases per layer. */
  cases: number;
  seed: number;
  /** Cases per batch (one world, one oracle run). */
  batch: number;
  /** Wall-clock bound of the whole run, seconds: a run stops early (and says so) when it is reached. */
  maxSeconds: number;
  pools: TracePools;
  /** Where failures are written (undefined: not written). */
  findingsDir?: string;
  limits?: WorldLimits;
  progress?: (p: Progress) => void;
}

export interface Progress {
  layer: Layer;
  done: number;
  total: number;
  casesPerSecond: number;
  findings: number;
}

/** A saved failure: enough to replay it (`npm run fuzz -- --replay FILE`). */
export interface SavedCase {
  seed: number;
  layer: Layer;
  /** Index of the case (within the layer) each remaining input came from. */
  caseIndices: number[];
  /** The first case of the failing batch. */
  caseIndex: number;
  oracle: OracleName;
  error: string;
  worldSeed: number;
  /** The limits the oracle ran with (replay uses them). */
  limits: WorldLimits;
  inputs: { dt: number; hex: string }[];
}

export interface LayerResult {
  layer: Layer;
  cases: number;
  /** Framing errors the inputs caused (each ended the transport; the batch went on in a new world). */
  framingErrors: number;
  /** Worlds judged and rebuilt within batches because an input closed the link or a channel. */
  rebuilt: number;
  seconds: number;
  findings: SavedCase[];
}

export interface FuzzResult {
  layers: LayerResult[];
  cases: number;
  seconds: number;
  findings: SavedCase[];
  /** True when the time bound stopped the run before every case ran. */
  stoppedEarly: boolean;
  traces: string;
}

interface Tagged extends Input {
  caseIndex: number;
}

/** Raw H4 is fed as a byte stream; every other layer as whole packets (world.ts `Framing`). */
export function framingOf(layer: Layer): Framing {
  return layer === 'h4' ? 'stream' : 'packets';
}

function casesOf(layer: Layer, seed: number, from: number, to: number, options: FuzzOptions, aim: Aim): Tagged[] {
  const out: Tagged[] = [];
  const traces = hasTraces(options.pools);
  for (let i = from; i < to; i++) {
    const r = caseRand(seed, layer, i);
    const dt = r.chance(0.85) ? 0 : r.pick(PAUSES);
    const packets = (traces && r.chance(0.5) ? traceCase(layer, r, aim, options.pools) : undefined) ?? generate(layer, r, aim);
    packets.forEach((bytes, k) => out.push({ dt: k === 0 ? dt : 0, bytes, caseIndex: i }));
  }
  return out;
}

/** Runs inputs in a fresh world and the oracle after them: the Finding, or undefined when it holds. */
export function runInputs(layer: Layer, inputs: readonly Input[], limits: WorldLimits = DEFAULT_LIMITS): Finding | undefined {
  try {
    const world = buildWorld(WORLD_SEED, framingOf(layer), limits);
    inject(world, inputs);
    checkWorld(world, limits);
    return undefined;
  } catch (err) {
    if (err instanceof Finding) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    return new Finding('thrown', `the fuzz world threw ${e.name}: ${e.message}`);
  }
}

const MAX_TRIES = 400;

/** Drops and shortens inputs while `oracle` still fails (bounded). */
export function minimise<T extends Input>(layer: Layer, inputs: readonly T[], oracle: OracleName, limits: WorldLimits = DEFAULT_LIMITS): T[] {
  let tries = 0;
  const fails = (candidate: readonly T[]) => tries++ < MAX_TRIES && runInputs(layer, candidate, limits)?.oracle === oracle;
  let cur = [...inputs];
  for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1 && tries < MAX_TRIES; chunk >>= 1) {
    for (let at = 0; at < cur.length && tries < MAX_TRIES; ) {
      const candidate = [...cur.slice(0, at), ...cur.slice(at + chunk)];
      if (candidate.length > 0 && fails(candidate)) cur = candidate;
      else at += chunk;
    }
    if (chunk === 1) break;
  }
  for (let i = 0; i < cur.length && tries < MAX_TRIES; i++) {
    for (let keep = cur[i]!.bytes.length >> 1; keep >= 1 && tries < MAX_TRIES; ) {
      const candidate = [...cur];
      candidate[i] = { ...cur[i]!, bytes: cur[i]!.bytes.subarray(0, keep) };
      if (fails(candidate)) {
        cur = candidate;
        keep = cur[i]!.bytes.length >> 1;
      } else break;
    }
  }
  return cur;
}

function save(c: SavedCase, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${c.layer}-seed${c.seed}-case${c.caseIndex}-${c.oracle}.json`);
  writeFileSync(file, JSON.stringify(c, null, 2) + '\n');
  return file;
}

export function runFuzz(options: FuzzOptions): FuzzResult {
  const started = Date.now();
  const limits = options.limits ?? DEFAULT_LIMITS;
  const deadline = started + options.maxSeconds * 1000;
  const result: FuzzResult = { layers: [], cases: 0, seconds: 0, findings: [], stoppedEarly: false, traces: options.pools.source };
  expectedSdpAnswer();
  for (const layer of options.layers) {
    const t0 = Date.now();
    const lr: LayerResult = { layer, cases: 0, framingErrors: 0, rebuilt: 0, seconds: 0, findings: [] };
    let lastReport = t0;
    for (let from = 0; from < options.cases; from += options.batch) {
      if (Date.now() > deadline) {
        result.stoppedEarly = true;
        break;
      }
      const to = Math.min(options.cases, from + options.batch);
      const world = buildWorld(WORLD_SEED, framingOf(layer), limits);
      const inputs = casesOf(layer, options.seed, from, to, options, world.aim);
      let finding: Finding | undefined;
      try {
        inject(world, inputs);
        checkWorld(world, limits);
      } catch (err) {
        finding = err instanceof Finding ? err : new Finding('thrown', `the fuzz world threw ${String(err)}`);
      }
      if (finding) {
        const small = minimise(layer, inputs, finding.oracle, limits);
        const again = runInputs(layer, small, limits) ?? finding;
        const saved: SavedCase = {
          seed: options.seed,
          layer,
          caseIndex: from,
          caseIndices: [...new Set(small.map((i) => i.caseIndex))],
          oracle: again.oracle,
          error: again.message,
          worldSeed: WORLD_SEED,
          limits,
          inputs: small.map((i) => ({ dt: i.dt, hex: hex(i.bytes) })),
        };
        if (options.findingsDir) save(saved, options.findingsDir);
        lr.findings.push(saved);
        result.findings.push(saved);
      }
      lr.cases = to;
      lr.framingErrors += world.fatal;
      lr.rebuilt += world.rebuilt;
      const now = Date.now();
      if (options.progress && (now - lastReport > 2000 || to === options.cases)) {
        lastReport = now;
        options.progress({ layer, done: to, total: options.cases, casesPerSecond: Math.round(to / Math.max(0.001, (now - t0) / 1000)), findings: lr.findings.length });
      }
    }
    lr.seconds = (Date.now() - t0) / 1000;
    result.layers.push(lr);
    result.cases += lr.cases;
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** Replays a saved case: the Finding it still produces, or undefined when it passes now. */
export function replay(file: string): { saved: SavedCase; finding: Finding | undefined } {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedCase;
  if (saved.worldSeed !== WORLD_SEED) throw new Error(`${file} was saved for world seed ${saved.worldSeed}; this fuzzer builds worlds with seed ${WORLD_SEED}`);
  const inputs = saved.inputs.map((i) => ({ dt: i.dt, bytes: fromHex(i.hex) }));
  return { saved, finding: runInputs(saved.layer, inputs, saved.limits ?? DEFAULT_LIMITS) };
}
