/**
 * Gives the test run a btvirt (test/support/btvirt-process.ts): one serves every btvirt test of
 * the run, since each client connection gets its own emulated controller. Without btvirt the
 * btvirt tests skip, except with CI=true where they fail.
 */
import type { TestProject } from 'vitest/node';
import { startBtvirt } from './btvirt-process.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const btvirt = await startBtvirt();
  project.provide('btvirt', btvirt ? 'running' : 'absent');
  project.provide('btvirtSocket', btvirt?.socket ?? '');
  return () => btvirt?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    btvirt: string;
    /** The unix socket path of the run's btvirt. */
    btvirtSocket: string;
  }
}
