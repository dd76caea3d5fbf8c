import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';

/** The emulation is sans-I/O like the core: only the transport wrapper touches clocks and timers. */
const DIR = join(ROOT, 'src/transport/virtual');
const WRAPPER = 'virtual-transport.ts';
const FORBIDDEN = [/from 'node:/, /\bBuffer\b/, /setTimeout|setInterval|setImmediate|queueMicrotask/, /\bDate\b/, /performance\./, /Math\.random\(/, /\bprocess\./];

describe('virtual controller purity', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== WRAPPER);
  it('has emulation files to check', () => {
    expect(files).toContain('controller.ts');
  });
  it.each(files)('%s uses no I/O, clock, timer or Math.random', (f) => {
    const code = readFileSync(join(DIR, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const pattern of FORBIDDEN) expect(code, `${f} matches ${pattern}`).not.toMatch(pattern);
  });
});
