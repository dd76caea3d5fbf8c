/**
 * Every CLI command run as a subprocess: help texts (each lists only the options it uses), the
 * demo on the virtual controller, decode on a real capture and on the demo's own btsnoop, scan's
 * hint on the virtual transport, and scan / sdp / listen / connect / send / receive / bridge
 * between processes on btvirt, where a peer's orderly close and a lost link end differently.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, RFCOMM } from '../../src/socket/index.js';
import { readCapture } from '../../src/trace/index.js';
import { killAll, runCli, startCli, startScript } from '../support/cli.js';
import { btvirtSocket, btvirtMissing, ROOT, tracePath, tracesMissing } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';

const COMMANDS = ['demo', 'scan', 'sdp', 'listen', 'connect', 'send', 'receive', 'bridge', 'pair', 'unpair', 'keys', 'decode'];
// The defaults a user gets: on a unix socket the stack keeps the RFCOMM window within what btvirt
// can deliver without dropping (docs/transports.md).
const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];

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

  // The options each command's --help must list, and those it must not (it does not use them).
  const CHANNEL = ['--transport', '--btsnoop', '--trace', '--name', '--rx-window', '--security', '--io', '--keys', '--pin', '--yes'];
  const COMMON = ['--verbose', '--quiet', '--help'];
  const HELP: Record<string, [string[], string[]]> = {
    demo: [['--transport', '--btsnoop', '--trace'], ['--name', '--security', '--pin', '--rx-window']],
    scan: [['--transport', '--btsnoop', '--trace', '--name', '--duration'], ['--security', '--pin', '--rx-window']],
    sdp: [['--transport', '--btsnoop', '--trace', '--name', '--uuid'], ['--security', '--pin', '--rx-window']],
    listen: [[...CHANNEL, '--stdio', '--once'], []],
    connect: [[...CHANNEL, '--uuid', '--service'], []],
    send: [[...CHANNEL, '--uuid', '--service'], []],
    receive: [[...CHANNEL, '--out', '--expect'], []],
    bridge: [[...CHANNEL, '--port', '--listen', '--to', '--uuid', '--service'], []],
    pair: [['--transport', '--trace', '--keys', '--security', '--io', '--pin', '--yes', '--timeout'], ['--rx-window']],
    unpair: [['--keys'], ['--transport', '--trace']],
    keys: [['--keys', '--json'], ['--transport', '--trace']],
    decode: [['--json', '--limit'], ['--transport', '--btsnoop', '--name', '--security', '--io', '--keys', '--pin', '--yes']],
  };

  it.each(COMMANDS)('%s --help prints its usage and only the options it uses', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: btc ${command}`));
    const [listed, absent] = HELP[command];
    for (const option of [...listed, ...COMMON]) expect(r.stdout).toContain(`${option} `);
    for (const option of absent) expect(r.stdout).not.toContain(`${option} `);
  });

  it('rejects an option the command does not use', async () => {
    const r = await runCli(['decode', 'x.btsnoop', '--transport', 'virtual']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --transport');
  });

  // Arguments that cannot work are usage errors (exit code 2, the message on stderr) before any
  // adapter opens or connection is made: one integer parser for every number, paths checked first.
  const DIR = tmpdir();
  const PEER = '00:11:22:33:44:55';
  it.each([
    [['listen', '--pin', '12345678901234567890'], /--pin: a PIN is 1 to 16 octets \(a string counts as UTF-8\), got 20/],
    [['connect', PEER, '1', '--pin', ''], /--pin: a PIN is 1 to 16 octets .*, got 0/],
    [['decode', 'x.btsnoop', '--limit', '-1'], /--limit must be an integer of at least 1, not "-1"/],
    [['decode', 'x.btsnoop', '--limit', '0'], /--limit must be an integer of at least 1, not "0"/],
    [['decode', 'x.btsnoop', '--limit', '2.5'], /--limit must be an integer of at least 1, not "2.5"/],
    [['decode', 'x.btsnoop', '--limit=1e3'], /--limit must be an integer of at least 1, not "1e3"/],
    [['scan', '--duration', '0'], /--duration must be an integer from 1 to 48, not "0"/],
    [['scan', '--duration', '49'], /--duration must be an integer from 1 to 48, not "49"/],
    [['listen', '--rx-window', '0'], /--rx-window must be an integer from 1 to 1073741824, not "0"/],
    [['bridge', PEER, '1', '--port', '70000'], /--port must be an integer from 0 to 65535, not "70000"/],
    [['receive', '--expect', '-5'], /--expect must be an integer of at least 0, not "-5"/],
    [['listen', '0'], /CHANNEL \(omit it for any free channel\) must be an integer from 1 to 30, not "0"/],
    [['listen', ''], /CHANNEL \(omit it for any free channel\) must be an integer from 1 to 30, not ""/],
    [['connect', PEER, '0x1'], /CHANNEL must be an integer from 1 to 30, not "0x1"/],
    [['listen', '--security', 'high'], /--security must be one of none, authenticated, encrypted, mitm/],
    [['send', PEER, '1', DIR], new RegExp(`FILE ${DIR} is a directory: give a file`)],
    [['send', PEER, '1', join(DIR, 'no-such-file-here')], /cannot read FILE .*no-such-file-here: ENOENT/],
    [['receive', '--out', DIR], new RegExp(`--out ${DIR} is a directory: give a file name`)],
    [['listen', '--btsnoop', join(DIR, 'no-such-dir', 'x.btsnoop')], /--btsnoop .*x\.btsnoop: the directory .*no-such-dir does not exist/],
    [['connect', 'AA:BB', '1'], /ADDR must be a device address such as 00:1A:7D:DA:71:13, not "AA:BB"/],
    [['sdp', 'nowhere'], /ADDR must be a device address/],
    [['scan', '--duration', '99'], /--duration must be an integer from 1 to 48, not "99"/],
    [['scan', '--quiet', '--verbose'], /--quiet and --verbose contradict each other/],
    [['scan', '--transport', 'usb:x'], /--transport: malformed USB transport "usb:x": use usb, usb:N .* or usb:VID:PID/],
    [['connect', PEER, '1', '--transport', 'h4:tcp:localhost'], /--transport: malformed H4 transport: "h4:tcp:localhost"; use one of: virtual, .*usb, usb:N or usb:VID:PID/],
    [['listen', '--transport', 'bogus'], /--transport: unknown transport: "bogus"/],
  ])('btc %j is a usage error before anything opens: one line, exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toMatch(message);
    // One short line, not the help text.
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/Listening|Connected|Scanning/);
    expect(r.stderr).not.toMatch(/Waiting on|Connected|bridge: listening/);
  });

  it('a key file others may read stops the command with a clear message (exit 1) and is left as it was', async () => {
    const keys = tmp('keys.json');
    writeFileSync(keys, JSON.stringify({ version: 1, keys: {} }), { mode: 0o644 });
    chmodSync(keys, 0o644);
    const r = await runCli(['listen', '--keys', keys]);
    expect(r.stderr).toContain(`key store ${keys} has mode 0644: group or others may read or write it, and link keys are secrets; run chmod 600 ${keys}`);
    expect(r.code).toBe(1);
    expect(statSync(keys).mode & 0o777).toBe(0o644);
  });

  it('scan on the in-process virtual transport finds nobody and says how to scan between processes', async () => {
    const r = await runCli(['scan', '--duration', '1', '--no-names']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 device(s) found');
    expect(r.stderr).toMatch(/virtual transport .* only sees controllers opened in this same process/);
    expect(r.stderr).toContain('--transport h4:unix:');
  });

  it('--version prints the name and version of package.json, before or instead of a command', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.name} ${pkg.version}\n`);
  });

  it('--quiet keeps stdout and drops status lines; --verbose and BTC_LOG; a bad BTC_LOG is a usage error', async () => {
    const quiet = await runCli(['scan', '--duration', '1', '--no-names', '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('0 device(s) found');
    expect(quiet.stderr).toBe('');
    // A runtime failure: one line, and with --verbose (before the command too) the stack under it.
    const keys = tmp('open.json');
    writeFileSync(keys, JSON.stringify({ version: 1, keys: {} }), { mode: 0o644 });
    chmodSync(keys, 0o644);
    const short = await runCli(['listen', '--keys', keys]);
    expect(short.code).toBe(1);
    expect(short.stderr.trim().split('\n')).toHaveLength(1);
    const verbose = await runCli(['-v', 'listen', '--keys', keys]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/has mode 0644[^]*\n\s+at /);
    const fromEnv = await startScript(join(ROOT, 'src/cli/main.ts'), ['listen', '--keys', keys], { BTC_LOG: 'verbose' }).exit();
    expect(fromEnv.stderr).toMatch(/\n\s+at /);
    const bad = await startScript(join(ROOT, 'src/cli/main.ts'), ['scan'], { BTC_LOG: 'loud' }).exit();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('btc scan: BTC_LOG must be one of quiet, info, verbose, not "loud"\n');
  });

  it('names every transport form, USB included, in the overview and in --help', async () => {
    const forms = /usb, usb:N or usb:VID:PID/;
    expect((await runCli(['--help'])).stdout).toMatch(forms);
    const help = await runCli(['bridge', '--help']);
    expect(help.stdout).toMatch(/--transport SPEC .*hci0 or hci:N, serial:\/dev\/ttyUSB0\[,BAUD\]\[,rtscts\], usb, usb:N or usb:VID:PID/);
  });

  it('rejects an unknown command and an unknown option with exit code 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['scan', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
    const short = await runCli(['scan', '-x']);
    expect(short.code).toBe(2);
    expect(short.stderr).toBe("btc scan: unknown option -x for 'scan' (the short flags are -h, -v and -q; see scan --help)\n");
  });

  it('demo fits one screen and ends with a summary; --trace adds the decoded trace on stderr', async () => {
    const plain = await runCli(['demo', '--btsnoop', tmp('plain.btsnoop')]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    expect(plain.stdout.trim().split('\n').length).toBeLessThanOrEqual(24);
    expect(plain.stdout).toMatch(/\nSummary\n[^]*result {5}OK\n$/);
    expect(plain.stdout).not.toContain('RFCOMM SABM');

    const file = tmp('demo.btsnoop');
    const r = await runCli(['demo', '--trace', '--btsnoop', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Received data: Hello, world!');
    expect(r.stdout).toContain('[server] the client closed the connection');
    expect(r.stdout).not.toMatch(/went away|ECONNRESET/);
    for (const layer of ['Create Connection', 'L2CAP', 'SDP', 'RFCOMM SABM', 'UIH', '"Hello, world!"']) expect(r.stderr).toContain(layer);
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
    const limited = await runCli(['decode', file, '--limit', '3']);
    expect(limited.code).toBe(0);
    expect(limited.stdout.split('\n').filter((l) => /^\s+\d+ [<>]/.test(l))).toEqual(lines.slice(0, 3));
  });
});

describe.skipIf(tracesMissing())('btc decode into a reader that stops early (`| head`)', () => {
  it.each([[[]], [['--json']]])('ends quietly with status 0 %j', async (extra) => {
    const child = startCli(['decode', tracePath('HappyLeaf__btsnoop_hci_happyleaf_progress.log'), ...extra]);
    await child.waitFor(/\n.*\n/);
    child.process.stdout.destroy();
    const result = await child.exit();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
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

  it('send and receive --expect move 5 MiB intact with the defaults, with progress and throughput', async () => {
    // The transfer a new user tries first; over btvirt it once lost and changed bytes and still exited 0.
    const size = 5 * 1024 * 1024;
    const input = tmp('in.bin');
    const output = tmp('out.bin');
    writeFileSync(input, patternBytes(0, size));
    const receiver = startCli(['receive', '5', '--out', output, '--expect', String(size), ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 5/);
    const sent = await runCli(['send', address, '5', input, ...BTVIRT]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/sent .*100% 5.00 MiB\/5.00 MiB .*\/s\)/);
    const done = await receiver.exit();
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/received .*100% 5.00 MiB\/5.00 MiB in .*\/s\)/);
    expect(existsSync(output) && readFileSync(output).equals(readFileSync(input))).toBe(true);
  });

  /** An adapter of the test's own on btvirt, connected to `address` `channel`, with its link handle. */
  async function peer(address: string, channel: number): Promise<{ adapter: Adapter; sock: BluetoothSocket; handle: number }> {
    const adapter = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'cli-peer' });
    const up = adapter.waitFor((e) => (e.type === 'link-up' ? e.handle : undefined), 20_000, 'the link');
    const sock = new BluetoothSocket(RFCOMM, { adapter });
    await sock.connect([address, channel]);
    return { adapter, sock, handle: await up };
  }

  it('receive fails (exit 1) when the link is lost mid-transfer', async () => {
    const receiver = startCli(['receive', '6', '--out', tmp('cut.bin'), ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 6/);
    const { adapter, sock, handle } = await peer(address, 6);
    try {
      await sock.sendall(patternBytes(0, 20_000));
      // The ACL link goes down under the open channel: no RFCOMM DISC reaches the receiver.
      await adapter.command({ name: 'Disconnect', handle, reason: 0x13 });
      const done = await receiver.exit();
      expect(done.code).toBe(1);
      expect(done.stderr).toMatch(/the transfer was cut off after \d+ byte\(s\): ECONNRESET: /);
    } finally {
      await adapter.close();
    }
  });

  it('receive --expect fails (exit 1) when the sender closes before the expected size', async () => {
    const receiver = startCli(['receive', '7', '--out', tmp('short.bin'), '--expect', '300000', ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 7/);
    const { adapter, sock } = await peer(address, 7);
    try {
      await sock.sendall(patternBytes(0, 1000));
      await sock.close();
      const done = await receiver.exit();
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('incomplete transfer: 1000 of the 300000 byte(s) expected arrived');
    } finally {
      await adapter.close();
    }
  });

  it('listen --once: a client that closes ends with exit 0, a lost link with exit 1', async () => {
    for (const ending of ['close', 'link loss'] as const) {
      const server = startCli(['listen', '8', '--once', ...BTVIRT]);
      const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 8/);
      const { adapter, sock, handle } = await peer(address, 8);
      try {
        await sock.sendall('ping');
        expect((await sock.recv(10)).toString()).toBe('ping');
        if (ending === 'close') await sock.close();
        else await adapter.command({ name: 'Disconnect', handle, reason: 0x13 });
        const done = await server.exit();
        expect(done.code).toBe(ending === 'close' ? 0 : 1);
        expect(done.stdout).toMatch(ending === 'close' ? /Connection from \S+ closed/ : /Connection from \S+ lost: ECONNRESET: /);
      } finally {
        await adapter.close();
      }
    }
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
