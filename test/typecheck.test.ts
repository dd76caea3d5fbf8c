/**
 * The whole project (src, test, bench, examples) type-checks under the strict tsconfig.json, so a
 * type error counts in the test run's "N passed, N failed" line like any other failure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './support/env.js';

it('tsc --noEmit -p tsconfig.json reports no errors', { timeout: 300_000 }, () => {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(ROOT, 'tsconfig.json')], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
});
