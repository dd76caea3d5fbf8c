/** Scenarios from JSON text: one scenario, an array of them, or `{ "scenarios": [...] }`. */
import { ArgumentError } from '../core/index.js';
import { checkScenario, type Scenario } from './scenario.js';

export function loadScenarios(json: string, source = 'scenario file'): Scenario[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new ArgumentError(`${source}: not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(data) ? data : typeof data === 'object' && data !== null && Array.isArray((data as { scenarios?: unknown }).scenarios) ? (data as { scenarios: unknown[] }).scenarios : [data];
  if (list.length === 0) throw new ArgumentError(`${source}: no scenarios`);
  return list.map((s) => checkScenario(s));
}
