/** DESIGN.md rule 1: the core layers import no I/O and touch no global clock, randomness or process. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';

const CORE_DIRS = ['core', 'hci', 'l2cap', 'rfcomm', 'sdp', 'stack', 'security'];
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"](node:|events|buffer|fs|net|timers|child_process|os|stream)/, 'I/O import'],
  [/\bimport\s*\(\s*['"]node:/, 'dynamic node: import'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bset(Timeout|Interval|Immediate)\s*\(/, 'timer'],
  [/\bDate\b/, 'Date'],
  [/\bperformance\b/, 'performance'],
  [/\bprocess\b/, 'process'],
  [/Math\.random/, 'Math.random'],
  [/\bnew\s+Promise\b|\basync\s|\bawait\s/, 'promise'],
];

function files(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Drops comments and string literals, so that a rule quoted in a doc comment or a spec name
 * such as 'Read Buffer Size' is not an offence (imports are checked before this). */
function code(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

describe('sans-I/O core', () => {
  const all = CORE_DIRS.flatMap((d) => files(join(ROOT, 'src', d))).filter((f) => !f.endsWith('driver.ts'));
  it('scans a non-empty core', () => {
    expect(all.length).toBeGreaterThan(5);
  });
  it.each(all.map((f) => [f.slice(ROOT.length + 1), f]))('%s uses no I/O or globals', (_name, file) => {
    const raw = readFileSync(file, 'utf8');
    const src = code(raw);
    const offences = FORBIDDEN.filter(([re], i) => re.test(i < 2 ? raw : src)).map(([, what]) => what);
    expect(offences).toEqual([]);
  });
  it('catches an offence', () => {
    expect(FORBIDDEN.some(([re]) => re.test(code('const t = setTimeout(f, 1);')))).toBe(true);
    expect(FORBIDDEN.some(([re]) => re.test(code('// setTimeout(f, 1) in a comment')))).toBe(false);
    expect(FORBIDDEN.some(([re]) => re.test(code("const name = 'Read Buffer Size';")))).toBe(false);
    expect(FORBIDDEN.some(([re]) => re.test(code('const b = Buffer.from(x);')))).toBe(true);
  });
});
