/**
 * Where optional test inputs live and whether they must be present. With CI=true the btvirt and
 * trace tests are mandatory: a missing input fails instead of skipping.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TRACES_DIR = resolve(ROOT, '../shared/traces');
export const IN_CI = process.env.CI === 'true';

/** The capture files in ../shared/traces (not INDEX, sums or counts). */
export function traceFiles(): string[] {
  if (!existsSync(TRACES_DIR)) return [];
  return readdirSync(TRACES_DIR)
    .filter((f) => /\.(log|pcapng|pklg)$/.test(f))
    .sort();
}

export function tracePath(name: string): string {
  return join(TRACES_DIR, name);
}

/** Why trace tests skip, or undefined when the traces are there. Throws in CI when they are not. */
export function tracesMissing(): string | undefined {
  if (traceFiles().length > 0) return undefined;
  const why = `no captures in ${TRACES_DIR}: trace replay tests skipped (put ../shared/traces beside the project)`;
  if (IN_CI) throw new Error(why + ' — mandatory with CI=true');
  return why;
}

/** The unix socket of this run's btvirt (test/support/global-setup.ts). */
export function btvirtSocket(): string {
  return inject('btvirtSocket');
}

/**
 * What happened to the run's btvirt so far, one line per death, as its supervisor wrote them
 * (test/support/btvirt-process.ts): `restarted: btvirt (pid 12) was killed by SIGKILL; …` or
 * `dead: …` when no btvirt could take its place.
 */
export function btvirtTrouble(): string[] {
  const file = inject('btvirtStatus');
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
}

/**
 * Why btvirt tests skip, or undefined when a btvirt is serving. Throws in CI when it is not, and
 * always when the run's btvirt died and could not be restarted (saying how it ended).
 */
export function btvirtMissing(): string | undefined {
  const status = inject('btvirt');
  const dead = btvirtTrouble().find((line) => line.startsWith('dead: '));
  if (dead) throw new Error(`the run's btvirt died and none could take its place (${dead.slice(6)}): btvirt tests cannot run`);
  if (status === 'running') return undefined;
  const why = `btvirt is ${status} (apt-get install -y bluez-test-tools): btvirt tests skipped`;
  if (IN_CI) throw new Error(why + ' — mandatory with CI=true');
  return why;
}
