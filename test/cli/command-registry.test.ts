/**
 * The command registry (src/cli/commands/index.ts) names each command and its summary for
 * `btc --help` without loading the command's module; loaded, each module's spec must say the same.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';

describe('command registry', () => {
  it('names each command once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: the loaded module has the name and summary of its entry', async (_name, entry) => {
    const command = await entry.load();
    expect({ name: command.spec.name, summary: command.spec.summary }).toEqual({ name: entry.name, summary: entry.summary });
  });
});
