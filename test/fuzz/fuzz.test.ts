/**
 * The bounded fuzz CI runs (docs/fuzzing.md): at least 20,000 cases across every layer, zero
 * findings. Then the oracle itself: it must catch a throw, a fault Stack caught, a ping-pong loop,
 * a dead link and a timer that never fires (stacks broken on purpose), and a saved case must replay.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replay, runFuzz } from '../../fuzz/fuzz.js';
import { LAYERS } from '../../fuzz/generate.js';
import { loadTracePools } from '../../fuzz/traces.js';
import { buildWorld, checkWorld, DEFAULT_LIMITS, Finding, inject, type World } from '../../fuzz/world.js';
import { ROOT, TRACES_DIR, tracesMissing } from '../support/env.js';

const CASES_PER_LAYER = 3400;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'btc-fuzz-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An Echo Request from the peer on the signaling channel of the open link (harmless input). */
function echoRequest(world: World): Uint8Array {
  const h = world.aim.handle;
  return Uint8Array.of(0x02, h & 0xff, (h >> 8) | 0x20, 10, 0, 6, 0, 1, 0, 0x08, 0x01, 2, 0, 0xab, 0xcd);
}

/** The oracle's verdict on a world after the input, as the name of the oracle that failed. */
function verdict(world: World, input: Uint8Array): string | undefined {
  try {
    inject(world, [{ dt: 0, bytes: input }]);
    checkWorld(world);
    return undefined;
  } catch (err) {
    if (err instanceof Finding) return err.oracle;
    throw err;
  }
}

describe('npm run fuzz, bounded as in CI', () => {
  it(`runs ${CASES_PER_LAYER} cases per layer (${CASES_PER_LAYER * LAYERS.length} in all) with no finding`, { timeout: 180_000 }, () => {
    const missing = tracesMissing();
    if (missing) console.warn(missing);
    const result = runFuzz({ layers: LAYERS, cases: CASES_PER_LAYER, seed: 1, batch: 40, maxSeconds: 170, pools: loadTracePools(TRACES_DIR) });
    const summary = result.layers.map((l) => `${l.layer} ${l.cases} cases ${l.seconds.toFixed(1)} s ${l.findings.length} findings`).join('; ');
    console.log(`fuzz: ${result.cases} cases in ${result.seconds.toFixed(1)} s (${summary}); traces: ${result.traces}`);
    expect(result.findings.map((f) => `${f.layer} case ${f.caseIndices.join(',')}: ${f.error}`)).toEqual([]);
    expect(result.stoppedEarly).toBe(false);
    expect(result.cases).toBeGreaterThanOrEqual(20_000);
  });
});

describe('the fuzz oracle', () => {
  it('holds on a harmless input', () => {
    const world = buildWorld(1, 'packets');
    expect(verdict(world, echoRequest(world))).toBeUndefined();
  });

  it('catches a throw out of receive', () => {
    const world = buildWorld(1, 'packets');
    world.target.stack.receive = () => {
      throw new Error('broken on purpose');
    };
    expect(verdict(world, echoRequest(world))).toBe('thrown');
  });

  it('catches a fault that Stack caught (a layer threw inside it)', () => {
    const world = buildWorld(1, 'packets');
    world.target.stack.l2cap.receivePdu = () => {
      throw new Error('broken on purpose');
    };
    expect(verdict(world, echoRequest(world))).toBe('thrown');
  });

  it('catches two stacks that answer each other forever without the clock moving', () => {
    const world = buildWorld(1, 'packets', { ...DEFAULT_LIMITS, pingPongLimit: 2000 });
    // Both stacks send back every ACL packet they get: each answer is the other's next input.
    for (const node of [world.peer, world.target]) {
      const queue: Uint8Array[] = [];
      const { stack } = node;
      const receive = stack.receive.bind(stack);
      const pollTransmit = stack.pollTransmit.bind(stack);
      stack.receive = (b, now) => {
        if (b[0] === 0x02) queue.push(Uint8Array.from(b));
        receive(b, now);
      };
      stack.pollTransmit = (now) => queue.shift() ?? pollTransmit(now);
    }
    expect(verdict(world, echoRequest(world))).toBe('ping-pong');
  });

  it('catches a dead link (a target that stopped listening to its controller)', () => {
    const world = buildWorld(1, 'packets');
    const receive = world.target.stack.receive.bind(world.target.stack);
    let swallow = false;
    world.target.stack.receive = (b, now) => {
      if (!swallow) receive(b, now);
    };
    inject(world, [{ dt: 0, bytes: echoRequest(world) }]);
    swallow = true;
    expect(() => checkWorld(world)).toThrow(/dead-link/);
  });

  it('catches a timer that never fires', () => {
    const world = buildWorld(1, 'packets');
    world.target.stack.l2cap.handleTimeout = () => {};
    expect(verdict(world, echoRequest(world))).toBe('timer');
  });

  it('catches a heap over its cap', () => {
    const world = buildWorld(1, 'packets', { ...DEFAULT_LIMITS, heapMiB: 1 });
    inject(world, [{ dt: 0, bytes: echoRequest(world) }]);
    expect(() => checkWorld(world, world.limits)).toThrow(/caps: heap/);
  });
});

describe('a saved case', () => {
  it('is minimised, written with its seed, and replays (API and npm run fuzz -- --replay)', { timeout: 60_000 }, () => {
    const dir = tempDir();
    // A heap cap of 1 MiB fails whatever the input: the run must save it, cut to one input.
    const result = runFuzz({
      layers: ['l2cap'],
      cases: 10,
      seed: 5,
      batch: 10,
      maxSeconds: 60,
      pools: loadTracePools(join(dir, 'no-traces')),
      findingsDir: dir,
      limits: { ...DEFAULT_LIMITS, heapMiB: 1 },
    });
    expect(result.findings).toHaveLength(1);
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(file).toBe('l2cap-seed5-case0-caps.json');
    const { saved, finding } = replay(join(dir, file!));
    expect(saved).toMatchObject({ seed: 5, layer: 'l2cap', oracle: 'caps', worldSeed: 1 });
    expect(saved.inputs).toHaveLength(1);
    expect(finding?.oracle).toBe('caps');

    const cli = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'fuzz/main.ts'), '--replay', join(dir, file!)], { encoding: 'utf8', cwd: ROOT });
    expect(cli.stdout).toMatch(/now: +caps: heap/);
    expect(cli.status).toBe(1);
  });
});
