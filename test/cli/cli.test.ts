/**
 * Every CLI command run as a subprocess: help texts, the demo on the virtual controller, decode on
 * a real capture and on the demo's own btsnoop, and scan / sdp / listen / connect / send / receive /
 * bridge between processes on btvirt.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/trace/index.js';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtSocket, btvirtMissing, ROOT, tracePath, tracesMissing } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';

const COMMANDS = ['demo', 'scan', 'sdp', 'listen', 'connect', 'send', 'receive', 'bridge', 'decode'];
// btvirt writes to its clients with MSG_DONTWAIT and drops what a busy reader's socket cannot
// take (BlueZ emulator/server.c); a small RFCOMM window keeps the bytes in flight within it.
const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`, '--rx-window', '8192'];

afterEach(() => killAll());

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'btc-cli-')), name);
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

describe('btc CLI', () => {
  it('lists every command in its overview', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
  });

  it.each(COMMANDS)('%s --help prints its usage and options', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: btc ${command}`));
    expect(r.stdout).toContain('--transport');
  });

  it('rejects an unknown command and an unknown option with exit code 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['scan', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
  });

  it('demo echoes "Hello, world!" with a decoded trace and saves a btsnoop file that tools open', async () => {
    const file = tmp('demo.btsnoop');
    const r = await runCli(['demo', '--btsnoop', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Received data: Hello, world!');
    for (const layer of ['Create Connection', 'L2CAP', 'SDP', 'RFCOMM SABM', 'UIH', '"Hello, world!"']) expect(r.stdout).toContain(layer);
    const records = [...readCapture(readFileSync(file))];
    expect(records.length).toBeGreaterThan(20);
    if (hasCommand('btmon')) {
      const out = execFileSync('btmon', ['-r', file], { encoding: 'utf8' });
      expect(out).toContain('RFCOMM');
    }
    if (hasCommand('tshark')) {
      const out = execFileSync('tshark', ['-r', file, '-Y', 'btrfcomm'], { encoding: 'utf8' });
      expect(out.trim().split('\n').length).toBeGreaterThan(4);
    }
  });

  it('npm start (the built CLI, as on a fresh clone after npm install) prints the echoed "Hello, world!"', () => {
    const out = execFileSync('npm', ['start', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(out).toContain('Received data: Hello, world!');
  });

  it.skipIf(tracesMissing())('decode prints every layer of a real capture, and --json keys them by layer', async () => {
    const file = tracePath('HappyLeaf__btsnoop_hci_happyleaf_progress.log');
    const text = await runCli(['decode', file]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n').filter((l) => /^\s+\d+ [<>]/.test(l));
    expect(lines.length).toBe([...readCapture(readFileSync(file))].length);
    expect(text.stdout).toMatch(/RFCOMM SABM/);
    expect(text.stdout).toMatch(/SDP /);
    const json = await runCli(['decode', file, '--json']);
    const objects = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects.length).toBe(lines.length);
    expect(objects.some((o) => o.rfcomm && o.l2cap && o.acl && o.hci)).toBe(true);
    expect(objects.some((o) => o.sdp)).toBe(true);
  });
});

describe.skipIf(btvirtMissing())('btc CLI between processes on btvirt', () => {
  it('listen + scan + sdp + connect: find the server, read its record, echo through it', async () => {
    const server = startCli(['listen', '1', ...BTVIRT, '--name', 'cli-echo']);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 1/);
    const scan = await runCli(['scan', '--duration', '2', ...BTVIRT]);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain(address);
    const sdp = await runCli(['sdp', address, ...BTVIRT]);
    expect(sdp.code).toBe(0);
    expect(sdp.stdout).toMatch(/RFCOMM channel 1/);
    const echo = await runCli(['connect', address, ...BTVIRT], 'hello over btvirt\n');
    expect(echo.stdout).toBe('hello over btvirt\n');
    expect(echo.stderr).toMatch(/Connected to/);
    server.kill();
  });

  it('send and receive move a file with progress and throughput', async () => {
    const input = tmp('in.bin');
    const output = tmp('out.bin');
    writeFileSync(input, patternBytes(0, 300_000));
    const receiver = startCli(['receive', '5', '--out', output, ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 5/);
    const sent = await runCli(['send', address, '5', input, ...BTVIRT]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/sent .*100% 293.0 KiB\/293.0 KiB .*\/s\)/);
    const done = await receiver.exit();
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/received 293.0 KiB in .*\/s\)/);
    expect(existsSync(output) && readFileSync(output).equals(readFileSync(input))).toBe(true);
  });

  it('bridge exposes an RFCOMM channel on a TCP port', async () => {
    const server = startCli(['listen', '2', ...BTVIRT]);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 2/);
    const bridge = startCli(['bridge', address, '2', '--port', '0', ...BTVIRT]);
    const [, port] = await bridge.waitFor(/listening on tcp 127\.0\.0\.1:(\d+)/);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tcpConnect(Number(port), '127.0.0.1', () => s.write('through the bridge'));
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        if (got.length >= 18) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
    });
    expect(reply).toBe('through the bridge');
    bridge.kill();
    server.kill();
  });
});
