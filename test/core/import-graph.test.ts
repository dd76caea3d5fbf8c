/**
 * The folder graph of src/ held against the table written in docs/layers.md ("The folder graph"):
 * every import from one top-level folder into another is an edge the table allows, and goes
 * through that folder's index.ts, so a folder's internals can change without its users knowing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';
import { folderTable } from './support/folder-table.js';

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `folder` of a path under src/ (`''` for src/index.ts itself). */
function folderOf(path: string): string {
  const rel = relative(SRC, path);
  return rel.includes('/') ? rel.split('/')[0] : '';
}

interface Import {
  file: string;
  target: string;
}

/** The relative imports of every file under src/, comments left out. */
function imports(): Import[] {
  const out: Import[] = [];
  for (const file of files(SRC)) {
    const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const m of src.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      out.push({ file, target: resolve(dirname(file), m[1].replace(/\.js$/, '.ts')) });
    }
  }
  return out;
}

describe('the folder graph (docs/layers.md)', () => {
  const table = folderTable();
  const all = imports();
  const cross = all.filter(({ file, target }) => folderOf(file) !== '' && folderOf(file) !== folderOf(target));

  it('has a row for every folder under src/ and no row for a folder that is not there', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect([...table.keys()].sort()).toEqual(folders.sort());
  });

  it('every import into another folder is an edge the table allows', () => {
    const offences = cross
      .filter(({ file, target }) => !table.get(folderOf(file))?.imports.includes(folderOf(target)))
      .map(({ file, target }) => `${relative(SRC, file)} → ${relative(SRC, target)}`);
    expect(offences).toEqual([]);
  });

  it("every import into another folder goes through that folder's index.ts (or its decoding.ts)", () => {
    const entries = (folder: string) => [`${folder}/index.ts`, `${folder}/decoding.ts`];
    const offences = cross
      .filter(({ target }) => !entries(folderOf(target)).includes(relative(SRC, target)))
      .map(({ file, target }) => `${relative(SRC, file)} → ${relative(SRC, target)}`);
    expect(offences).toEqual([]);
  });

  it('the package entry point imports only folder indexes', () => {
    const offences = all
      .filter(({ file }) => folderOf(file) === '')
      .filter(({ target }) => relative(SRC, target) !== `${folderOf(target)}/index.ts`)
      .map(({ target }) => relative(SRC, target));
    expect(offences).toEqual([]);
  });

  it('the table has no cycle: each folder imports only folders above it in the table', () => {
    const order = [...table.keys()];
    const upward = [...table].flatMap(([folder, row]) =>
      row.imports.filter((to) => order.indexOf(to) >= order.indexOf(folder)).map((to) => `${folder} → ${to}`),
    );
    expect(upward).toEqual([]);
  });

  it('the checks catch what they are for', () => {
    const sample = folderTable('| folder | imports | I/O |\n|---|---|---|\n| core | — | no |\n| hci | core | no |\n');
    expect(sample.get('hci')).toEqual({ imports: ['core'], io: false });
    expect(sample.get('core')).toEqual({ imports: [], io: false });
    expect(() => folderTable('no table here')).toThrow();
  });
});
