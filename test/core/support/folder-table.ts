/**
 * Reads the folder table of docs/layers.md ("## The folder graph"): one row per folder under src/,
 * the folders it may import, and whether it may do I/O. The import-graph and sans-I/O tests both
 * hold the code to it, so the table a reader sees is the rule the suite checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/env.js';

export interface FolderRow {
  /** Top-level folders under src/ this folder may import (through their index.ts). */
  imports: string[];
  /** Whether its files may use Node's I/O, timers and globals (DESIGN.md rule 1 holds otherwise). */
  io: boolean;
}

const HEADING = '## The folder graph';

/** The rows, in the table's order; `text` defaults to the section of docs/layers.md. */
export function folderTable(text?: string): Map<string, FolderRow> {
  const source = text ?? section(readFileSync(join(ROOT, 'docs', 'layers.md'), 'utf8'));
  const rows = new Map<string, FolderRow>();
  for (const line of source.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
    if (cells.length !== 3 || cells[0] === 'folder' || /^-+$/.test(cells[0])) continue;
    const [folder, imports, io] = cells;
    rows.set(folder, {
      imports: imports === '—' ? [] : imports.split(',').map((s) => s.trim()),
      io: io === 'yes',
    });
  }
  if (rows.size === 0) throw new Error('no folder table found');
  return rows;
}

function section(doc: string): string {
  const start = doc.indexOf(HEADING);
  if (start < 0) throw new Error(`docs/layers.md has no "${HEADING}" section`);
  const rest = doc.slice(start + HEADING.length);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}
