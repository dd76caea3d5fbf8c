/**
 * Every example in examples/ runs and does what its header says (virtual controller or btvirt),
 * as a user's copy would: each imports the package by its name, `bluetooth-classic-stack`, which
 * from inside the project resolves to the built package (package.json "exports" → dist/, built by
 * `npm install`/`npm ci` or `npm run build`), not to src/. test/package/ also runs one from a fresh
 * project that installed the packed tarball.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, startCli, startScript } from './support/cli.js';
import { btvirtSocket, btvirtMissing, ROOT } from './support/env.js';

const example = (name: string) => join(ROOT, 'examples', name);
const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];

afterEach(() => killAll());

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('the examples run against the built package, and dist/ is missing: npm run build');
});

describe('examples as a user copies them', () => {
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports the package by its name, which resolves to the built dist/', (file) => {
    const source = readFileSync(example(file), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.filter((i) => !i.startsWith('node:'))).toEqual(['bluetooth-classic-stack']);
    expect(createRequire(example(file)).resolve('bluetooth-classic-stack')).toBe(join(ROOT, 'dist/index.js'));
  });
});

describe('examples on the virtual controller', () => {
  it('l2cap-echo echoes three SDUs', async () => {
    const r = await startScript(example('l2cap-echo.ts'), []).exit();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('echo: one\necho: two two\necho: three three three');
  });

  it('discover finds the virtual neighbour by name', async () => {
    const r = await startScript(example('discover.ts'), ['--duration', '1']).exit();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/found 1 device\(s\)\n\s+00:AA:01:01:00:02 - a virtual neighbour/);
  });
});

describe.skipIf(btvirtMissing())('examples between processes on btvirt', () => {
  it('rfcomm-client finds rfcomm-server by SDP and gets its echo', async () => {
    const server = startScript(example('rfcomm-server.ts'), BTVIRT);
    const [, address] = await server.waitFor(/Waiting for connection on (\S+) RFCOMM channel \d+/);
    const client = await startScript(example('rfcomm-client.ts'), [address, ...BTVIRT]).exit();
    expect(client.stdout).toContain('Received data: Hello, world!');
    expect(client.code).toBe(0);
    const served = await server.exit();
    expect(served.stdout).toContain('Received Hello, world!');
    expect(served.stdout).toContain('Client disconnected');
    expect(served.code).toBe(0);
  });

  it('spp-terminal talks to a Serial Port echo service found by SDP', async () => {
    const listener = startCli(['listen', ...BTVIRT]);
    const [, address] = await listener.waitFor(/Listening on (\S+) RFCOMM channel/);
    const term = startScript(example('spp-terminal.ts'), [address, ...BTVIRT]);
    await term.waitFor(/connected to/);
    term.process.stdin.write('ATZ\r');
    await term.waitFor(/ATZ\r/);
    term.process.stdin.end();
    expect((await term.exit()).code).toBe(0);
  });
});
