/**
 * Loaded before every test file (vitest.config.ts `setupFiles`): a test that fails while the run's
 * btvirt died (or after it died for good) gets one more error saying so, with the exit code or
 * signal, so that a connect error ("nothing listens at …") or a reset link is not mistaken for a
 * bug of the stack. Tests that pass are left alone.
 */
import { afterEach, beforeEach } from 'vitest';
import { btvirtTrouble } from './env.js';

/** How many deaths the status file held when each running test began. */
const seenAtStart = new WeakMap<object, number>();

beforeEach(({ task }) => {
  seenAtStart.set(task, btvirtTrouble().length);
});

afterEach(({ task }) => {
  if (task.result?.state !== 'fail') return;
  const lines = btvirtTrouble();
  const during = lines.slice(seenAtStart.get(task) ?? 0);
  const dead = lines.find((line) => line.startsWith('dead: '));
  const what = [...new Set([...during, ...(dead ? [dead] : [])])];
  if (what.length > 0) throw new Error(`the run's btvirt died: ${what.join('; ')}`);
});
