/**
 * Gives the test run a btvirt (test/support/btvirt-process.ts): one serves every btvirt test of
 * the run, since each client connection gets its own emulated controller. Without btvirt the
 * btvirt tests skip, except with CI=true where they fail. A btvirt that dies mid-run is started
 * again at the same socket; each death is written to a status file the workers read (env.ts), so
 * that a test failing because of it says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBtvirt } from './btvirt-process.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const statusDir = mkdtempSync(join(tmpdir(), 'btc-btvirt-status-'));
  const statusFile = join(statusDir, 'status');
  const btvirt = await startBtvirt({ statusFile });
  project.provide('btvirt', btvirt ? 'running' : 'absent');
  project.provide('btvirtSocket', btvirt?.socket ?? '');
  project.provide('btvirtStatus', statusFile);
  return () => {
    btvirt?.stop();
    rmSync(statusDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    btvirt: string;
    /** The unix socket path of the run's btvirt. */
    btvirtSocket: string;
    /** The file the run's btvirt supervisor writes each death to (one line: `restarted: …` or `dead: …`). */
    btvirtStatus: string;
  }
}
