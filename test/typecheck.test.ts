/**
 * The whole project (src, test, bench, examples) type-checks under the strict tsconfig.json, so a
 * type error counts in the test run's "N passed, N failed" line like any other failure; and every
 * TypeScript block of README.md is a complete program that type-checks as a user's file would,
 * importing the package by its name (resolved to the built package's types, dist/index.d.ts, the
 * file package.json "exports" names).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/env.js';

const NAME = 'bluetooth-classic-stack';
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

it('tsc --noEmit -p tsconfig.json reports no errors', { timeout: 300_000 }, () => {
  const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '-p', join(ROOT, 'tsconfig.json')], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
});

/** The ```ts blocks of a Markdown text, with the line each starts on. */
function typescriptBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  for (const m of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) blocks.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1] });
  return blocks;
}

describe("README.md's TypeScript blocks", () => {
  const blocks = typescriptBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'btc-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are there', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((b) => [b.line, b.code] as const))('the block at line %i imports the package by its name, nothing relative', (_line, code) => {
    const imports = [...code.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toContain(NAME);
    expect(imports.filter((i) => i !== NAME && !i.startsWith('node:'))).toEqual([]);
  });

  it('each compiles on its own as a user\'s ES module, against the built package', { timeout: 300_000 }, () => {
    const types = join(ROOT, 'dist/index.d.ts');
    expect(existsSync(types), 'the README is checked against the built package: npm run build').toBe(true);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-user', private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
          paths: { [NAME]: [types] },
        },
        include: ['*.ts'],
      }),
    );
    for (const { line, code } of blocks) writeFileSync(join(dir, `readme-line-${line}.ts`), code);
    const tsc = spawnSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
