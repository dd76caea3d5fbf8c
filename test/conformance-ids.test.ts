/**
 * A failing test names a rule a reader can find: every rule id a test names ("docs/conformance.md
 * P6", a scenario test titled "L19 …") is defined under "Rules the stack implements" in
 * docs/conformance.md, and every rule and scenario defined there is named by at least one test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/env.js';

const ID = String.raw`(?:P\d+|[HLRS]\d+|RB(?:-[A-Z0-9]+)?)`;

function rulesSection(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'conformance.md'), 'utf8');
  const start = doc.indexOf('## Rules the stack implements');
  const end = doc.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThanOrEqual(0);
  return doc.slice(start, end < 0 ? undefined : end);
}

function definedIds(section: string): Set<string> {
  const ids = new Set([...section.matchAll(new RegExp(String.raw`^\| (${ID}) \|`, 'gm'))].map((m) => m[1]));
  if (/^\*\*RB\.\*\*/m.test(section)) ids.add('RB');
  return ids;
}

/** `L1–L27` and `P6-P8` stand for every id between. */
function expand(text: string): string[] {
  const out: string[] = [];
  const re = new RegExp(String.raw`\b(${ID})(?:[–-]([A-Z]+)?(\d+))?\b`, 'g');
  for (const m of text.matchAll(re)) {
    const [, first, prefix, last] = m;
    const head = /^([A-Z]+)(\d+)$/.exec(first);
    if (last !== undefined && head && (prefix === undefined || prefix === head[1])) {
      for (let n = Number(head[2]); n <= Number(last); n++) out.push(`${head[1]}${n}`);
    } else out.push(first);
  }
  return out;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Ids named after "docs/conformance.md" on a line, and ids that open a test's title. */
function referencedIds(): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const add = (id: string, where: string): void => {
    refs.set(id, [...(refs.get(id) ?? []), where]);
  };
  for (const file of testFiles(join(ROOT, 'test'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${file.slice(ROOT.length + 1)}:${i + 1}`;
      const at = line.indexOf('docs/conformance.md');
      if (at >= 0) for (const id of expand(line.slice(at + 'docs/conformance.md'.length))) add(id, where);
      const title = new RegExp(String.raw`\bit(?:\.each\(.*\))?\(\s*['"\`](${ID})\b`).exec(line);
      if (title) add(title[1], where);
    });
  }
  return refs;
}

describe('rule ids in the tests and in docs/conformance.md', () => {
  const defined = definedIds(rulesSection());
  const referenced = referencedIds();

  it('the rules section defines the protocol rules, the scenarios and the robustness classes', () => {
    for (const id of ['P1', 'P20', 'H1', 'H5', 'L1', 'L27', 'R1', 'R29', 'S1', 'S6', 'RB', 'RB-SDP']) expect(defined).toContain(id);
  });

  it('every id a test names is defined there', () => {
    const unknown = [...referenced].filter(([id]) => !defined.has(id)).map(([id, where]) => `${id} (${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('every rule and scenario defined there is named by a test', () => {
    expect([...defined].filter((id) => !referenced.has(id))).toEqual([]);
  });
});
