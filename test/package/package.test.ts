/**
 * What a consumer gets from the package: the project is packed with `npm pack` (its `prepack`
 * builds dist/ from a clean copy of the sources) and the tarball is installed offline into a fresh
 * project. There `import` and `require` both load it (require of an ES module: Node ≥ 20.19 and
 * ≥ 22.12), installing it gives no warning of its own, LICENSE is there, every source map points
 * to a file in the package, the optional prebuilt HCI socket binding comes along and loads, an
 * example copied from examples/ runs unchanged, README's TypeScript blocks and the examples
 * type-check there, and the `btc` bin (the bundle in dist/btc) runs its commands.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';

const NAME = 'bluetooth-classic-stack';
/** Packing compiles the whole stack: minutes on a busy two-core machine. */
const BUILD_TIMEOUT = 300_000;

let work: string;
let app: string;
let installed: string;
let installOutput: string;

/** Every file under `dir`, as paths. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function node(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'btc-package-'));
  // A copy of what the package is built from (the working tree's dist/ may be stale or in use).
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src', 'docs', 'scripts/bundle-cli.mjs']) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const pack = spawnSync('npm', ['pack', '--pack-destination', packs], { cwd: stage, encoding: 'utf8', timeout: BUILD_TIMEOUT });
  expect(pack.status, `npm pack failed:\n${pack.stdout}\n${pack.stderr}`).toBe(0);
  const [tarball] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  // --prefer-offline, not --offline: a consumer's install resolves the optional binding's
  // dependencies afresh, and on a machine whose npm cache holds only what `npm ci` fetched, --offline
  // skipped that optional dependency without a word (the fresh-clone CI of 2026-12-05).
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packs, tarball)], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  installOutput = `${install.stdout}\n${install.stderr}`;
  expect(install.status, installOutput).toBe(0);
  installed = join(app, 'node_modules', NAME);
}, BUILD_TIMEOUT + 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package installed into a fresh project', () => {
  it('installs without warnings of its own (no install script: the build runs at prepack, not prepare)', () => {
    // npm ≥ 11 notes the install scripts of the optional binding's native packages (node-gyp-build,
    // which only picks their prebuilt binary): that note is npm's, about them; nothing else warns.
    const warnings = installOutput.split('\n').filter((line) => /warn/i.test(line));
    const others = warnings.filter((line) => !/^npm warn install-scripts( |$)/.test(line));
    expect(others).toEqual([]);
    expect(warnings.join('\n')).not.toContain(NAME);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.scripts)).not.toContain('prepare');
    // A clone's `npm install` (README's first command) and `npm ci` (.ci/run) still build dist/.
    expect(manifest.scripts.postprepare).toBe('npm run build');
  });

  it('loads with import', () => {
    const r = node(['--input-type=module', '-e', `import * as m from '${NAME}'; console.log(typeof m.BluetoothSocket, typeof m.Adapter.open)`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function');
  });

  it('loads with require where Node can require ES modules (≥ 20.19, ≥ 22.12), and says why not elsewhere', () => {
    const r = node(['-e', `const m = require('${NAME}'); console.log(typeof m.BluetoothSocket, typeof m.Adapter.open)`]);
    if ((process.features as { require_module?: boolean }).require_module) {
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.stdout.trim()).toBe('function function');
    } else {
      expect(r.stderr).toMatch(/ERR_REQUIRE_ESM/);
    }
  });

  it('carries the MIT LICENSE', () => {
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(license).toContain('Copyright (c) 2026 the bluetooth-classic-stack authors');
  });

  it('has source maps whose sources are all in the package (src/ ships beside dist/)', () => {
    const maps = walk(installed).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const map of maps) {
      const { sourceRoot = '', sources } = JSON.parse(readFileSync(map, 'utf8')) as { sourceRoot?: string; sources: string[] };
      for (const source of sources) {
        const file = resolve(dirname(map), sourceRoot, source);
        if (!file.startsWith(installed) || !existsSync(file)) missing.push(`${map}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("runs a consumer's program that ends by itself (server and client on virtual adapters, none closed)", () => {
    writeFileSync(
      join(app, 'pair.mjs'),
      [
        `import { Adapter, BluetoothSocket, RFCOMM, PORT_ANY } from '${NAME}';`,
        `const adapter = await Adapter.open('virtual');`,
        `const server = new BluetoothSocket(RFCOMM, { adapter });`,
        `server.bind(['', PORT_ANY]);`,
        `server.listen(1);`,
        `const serving = server.accept().then(async ([c]) => { await c.send(await c.recv(64)); c.close(); server.close(); });`,
        `const sock = new BluetoothSocket(RFCOMM);`,
        `await sock.connect([adapter.address, server.getsockname()[1]]);`,
        `await sock.send('Hello, world!');`,
        `console.log('Received data:', (await sock.recv(64)).toString());`,
        `sock.close();`,
        `await serving;`,
      ].join('\n'),
    );
    const r = node(['pair.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Received data: Hello, world!\n');
    expect(r.code).toBe(0);
  });

  it('brings the prebuilt HCI socket binding as an optional dependency, loading without a compiler', () => {
    const r = node([
      '--input-type=module',
      '-e',
      `import { loadDriver } from '@stoprocent/bluetooth-hci-socket'; import { existsSync } from 'node:fs'; ` +
        `console.log(typeof loadDriver('native'), existsSync('node_modules/@stoprocent/bluetooth-hci-socket/build'))`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function false');
  });

  it("an example copied into the user's project runs unchanged against the installed package", () => {
    // tsx from this project, as a user would have it in theirs.
    symlinkSync(join(ROOT, 'node_modules/tsx'), join(app, 'node_modules/tsx'));
    // The examples are ES modules (top-level await): in a folder of an ES-module project.
    mkdirSync(join(app, 'esm'));
    writeFileSync(join(app, 'esm', 'package.json'), JSON.stringify({ type: 'module' }));
    cpSync(join(ROOT, 'examples/l2cap-echo.ts'), join(app, 'esm', 'l2cap-echo.ts'));
    const r = node(['--import', 'tsx', 'esm/l2cap-echo.ts']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('echo: one\necho: two two\necho: three three three');
    expect(r.code).toBe(0);
  });

  it("README's TypeScript blocks and every example type-check in the user's project against the installed package", { timeout: 120_000 }, () => {
    const typed = join(app, 'typed');
    mkdirSync(typed);
    mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules/typescript'), join(app, 'node_modules/typescript'));
    symlinkSync(join(ROOT, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
    writeFileSync(join(typed, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(typed, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], strict: true, noEmit: true, types: ['node'] }, include: ['*.ts'] }),
    );
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    blocks.forEach((code, i) => writeFileSync(join(typed, `readme-${i + 1}.ts`), code));
    for (const file of readdirSync(join(ROOT, 'examples'))) cpSync(join(ROOT, 'examples', file), join(typed, file));
    const tsc = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', join(typed, 'tsconfig.json')], { cwd: typed, encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('runs the btc bin: --help', () => {
    const r = spawnSync(join(app, 'node_modules', '.bin', 'btc'), ['--help'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: btc COMMAND');
  });

  it('runs the bundled bin: the demo records a trace and decode reads it (each command loads its own chunk)', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin.btc).toBe('dist/btc/main.js');
    const btc = join(app, 'node_modules', '.bin', 'btc');
    const demo = spawnSync(btc, ['demo', '--btsnoop', 'demo.btsnoop', '--quiet'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/result\s+OK/);
    const decoded = spawnSync(btc, ['decode', 'demo.btsnoop'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(decoded.status, decoded.stderr).toBe(0);
    expect(decoded.stdout).toMatch(/RFCOMM UIH dlci=\d+ .*\n\s+data "Hello, world!"/);
  });
});
