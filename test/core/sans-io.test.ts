/**
 * DESIGN.md rule 1: the folders the table of docs/layers.md marks "no I/O" (the protocol layers, the
 * composed stack, the trace codecs) import no I/O and touch no global clock, randomness, scheduler
 * or process. Every file of those folders is scanned: what needs Node lives in a folder marked so.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';
import { folderTable } from './support/folder-table.js';

const CORE_DIRS = [...folderTable()].filter(([, row]) => !row.io).map(([folder]) => folder);

/** Node built-ins a core file must not import, bare or as `node:x` (sub-paths such as `fs/promises` included). */
const IO_MODULES = [
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'stream',
  'timers',
  'util',
  'worker_threads',
];
const MODULE = `(?:node:[^'"]*|(?:${IO_MODULES.join('|')})(?:/[^'"]*)?)`;
/** Not preceded by `.`, a word character or `$`: the global itself, not a property or a longer name. */
const GLOBAL = '(?<![.\\w$])';

/** Checked on the source without comments (string literals kept: they name the modules). */
const FORBIDDEN_IMPORTS: [RegExp, string][] = [
  [new RegExp(`\\bfrom\\s*['"]${MODULE}['"]`), 'I/O import'],
  [new RegExp(`\\bimport\\s*['"]${MODULE}['"]`), 'side-effect I/O import'],
  [new RegExp(`\\bimport\\s*\\(\\s*['"]${MODULE}['"]`), 'dynamic I/O import'],
];
/** Checked on the code without comments and string literals. */
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/\brequire\s*\(/, 'require'],
  [/\bBuffer\b/, 'Buffer'],
  [new RegExp(`${GLOBAL}(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|clearImmediate)\\b`), 'timer'],
  [new RegExp(`${GLOBAL}queueMicrotask\\b`), 'queueMicrotask'],
  [new RegExp(`${GLOBAL}crypto\\s*\\.`), 'global crypto (getRandomValues, randomUUID, subtle)'],
  [new RegExp(`${GLOBAL}globalThis\\b`), 'globalThis'],
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

/** Drops comments, so that a rule quoted in a doc comment is not an offence. */
function withoutComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Also blanks string literals, so that a spec name such as 'Read Buffer Size' is not an offence. */
function code(src: string): string {
  return withoutComments(src).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

/** What a core file commits, by description. */
function offences(raw: string): string[] {
  const imports = withoutComments(raw);
  const src = code(raw);
  return [...FORBIDDEN_IMPORTS.filter(([re]) => re.test(imports)), ...FORBIDDEN_CODE.filter(([re]) => re.test(src))].map(([, what]) => what);
}

describe('sans-I/O core', () => {
  const all = CORE_DIRS.flatMap((d) => files(join(ROOT, 'src', d)));
  it('covers the protocol layers, the stack and the trace codecs', () => {
    expect(CORE_DIRS).toEqual(expect.arrayContaining(['core', 'hci', 'l2cap', 'rfcomm', 'sdp', 'security', 'stack', 'trace']));
  });
  it('scans a non-empty core', () => {
    expect(all.length).toBeGreaterThan(5);
  });
  it.each(all.map((f) => [f.slice(ROOT.length + 1), f]))('%s uses no I/O or globals', (_name, file) => {
    expect(offences(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each([
    ["import { readFileSync } from 'node:fs';", 'I/O import'],
    ["import { readFile } from 'fs/promises';", 'I/O import'],
    ['import { randomBytes } from "crypto";', 'I/O import'],
    ["import { inspect } from 'util';", 'I/O import'],
    ["import { Worker } from 'node:worker_threads';", 'I/O import'],
    ["import { Worker } from 'worker_threads';", 'I/O import'],
    ["import os from 'os';", 'I/O import'],
    ["import * as net from 'net';", 'I/O import'],
    ["import { spawn } from 'child_process';", 'I/O import'],
    ["import { EventEmitter } from 'events';", 'I/O import'],
    ["import { Buffer as B } from 'buffer';", 'I/O import'],
    ["export { promisify } from 'node:util';", 'I/O import'],
    ["import type { Socket } from 'node:net';", 'I/O import'],
    ["import 'node:process';", 'side-effect I/O import'],
    ["import 'fs';", 'side-effect I/O import'],
    ["const m = await import('node:os');", 'dynamic I/O import'],
    ["const fs = require('fs');", 'require'],
    ['const t = setTimeout(f, 1);', 'timer'],
    ['const t = setInterval(f, 1);', 'timer'],
    ['setImmediate(f);', 'timer'],
    ['clearTimeout(t);', 'timer'],
    ['const later = setTimeout;', 'timer'],
    ['queueMicrotask(() => run());', 'queueMicrotask'],
    ['crypto.getRandomValues(out);', 'global crypto (getRandomValues, randomUUID, subtle)'],
    ['const id = crypto.randomUUID();', 'global crypto (getRandomValues, randomUUID, subtle)'],
    ['globalThis.setTimeout(f, 1);', 'globalThis'],
    ['const b = Buffer.from(x);', 'Buffer'],
    ['const t = Date.now();', 'Date'],
    ['const t = performance.now();', 'performance'],
    ['const v = process.env.X;', 'process'],
    ['const r = Math.random();', 'Math.random'],
    ['const p = new Promise((r) => r(1));', 'promise'],
  ])('catches %s', (line, what) => {
    expect(offences(line)).toContain(what);
  });

  it.each([
    '// setTimeout(f, 1) in a comment',
    "/** import 'node:fs' in a doc comment; crypto.getRandomValues(x) */",
    "const name = 'Read Buffer Size';",
    "const why = 'queueMicrotask is not used here';",
    "import { CHANNEL_STATE } from './events.js';",
    "import { x } from '../crypto/keys.js';",
    "import { y } from './fs-state.js';",
    'this.timers.clearTimeout(key);',
    'const cryptoSuite = 1;',
    'const osName = utilities.length;',
  ])('allows %s', (line) => {
    expect(offences(line)).toEqual([]);
  });
});
