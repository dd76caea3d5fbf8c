/**
 * Ctrl-C as a user meets it (src/cli/signals.ts): commands run as subprocesses between processes on
 * btvirt get SIGINT or SIGTERM. The interrupted side closes its channel (the peer sees RFCOMM DISC:
 * a closed connection, not a lost link) and its link, and exits with the shell's code (130 after
 * SIGINT, 143 after SIGTERM). Time limits only guard against a hang.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';

const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];
/** Far longer than a clean close takes (well under a second): reaching it means a hang. */
const PROMPTLY = 15_000;

afterEach(() => killAll());

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'btc-signals-')), name);
}

/** Resolves once `file` holds at least `bytes` (the transfer is under way), polling its size. */
async function grown(file: string, bytes: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (statSync(file).size >= bytes) return;
    } catch {
      // not created yet
    }
    if (Date.now() > deadline) throw new Error(`${file} did not reach ${bytes} bytes within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(btvirtMissing())('Ctrl-C between processes on btvirt', () => {
  it('send interrupted mid-transfer closes the channel: the receiver ends at once with its short count, the sender with 130', async () => {
    const size = 64 * 1024 * 1024;
    const input = tmp('in.bin');
    const output = tmp('out.bin');
    writeFileSync(input, patternBytes(0, size));
    const receiver = startCli(['receive', '9', '--out', output, '--expect', String(size), ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 9/);
    const sender = startCli(['send', address, '9', input, ...BTVIRT]);
    await grown(output, 256 * 1024);
    sender.process.kill('SIGINT');
    const sent = await sender.exit(PROMPTLY);
    expect(sent.stderr).toContain('btc send: stopped by SIGINT');
    expect(sent.code).toBe(130);
    const done = await receiver.exit(PROMPTLY);
    // The sender's DISC ends the transfer in order (not "cut off" by a lost link), short of --expect.
    expect(done.stderr).toMatch(/incomplete transfer: \d+ of the 67108864 byte\(s\) expected arrived/);
    expect(done.stderr).not.toMatch(/cut off|ECONNRESET/);
    expect(done.code).toBe(1);
  });

  it('SIGTERM on connect: the peer sees RFCOMM DISC, then the link go down; exit code 143', async () => {
    const adapter = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'signals-peer' });
    try {
      const server = new BluetoothSocket(RFCOMM, { adapter });
      server.bind(['', PORT_ANY]);
      server.listen(1);
      const client = startCli(['connect', adapter.address, String(server.getsockname()[1]), ...BTVIRT]);
      const [accepted, [peer]] = await server.accept();
      await client.waitFor(/Connected to/);
      const linkDown = adapter.waitFor((e) => (e.type === 'link-down' && e.address === peer ? e : undefined), PROMPTLY, 'the link to go down');
      client.process.kill('SIGTERM');
      await expect(accepted.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
      // Reason 0x13, Remote User Terminated Connection: the peer's host disconnected, nothing was lost.
      expect((await linkDown).reason).toBe(0x13);
      const ended = await client.exit(PROMPTLY);
      expect(ended.stderr).toContain('btc connect: stopped by SIGTERM');
      expect(ended.code).toBe(143);
    } finally {
      await adapter.close();
    }
  });

  it('connect interrupted: the listener logs the connection as closed, not lost, and serves the next client', async () => {
    const server = startCli(['listen', '10', ...BTVIRT]);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 10/);
    const client = startCli(['connect', address, '10', ...BTVIRT]);
    await client.waitFor(/Connected to/);
    await server.waitFor(/Accepted \S+ on channel 10/);
    client.process.kill('SIGINT');
    const ended = await client.exit(PROMPTLY);
    expect(ended.code).toBe(130);
    await server.waitFor(/Connection from \S+ (closed|lost)/, PROMPTLY);
    expect(server.stdout).toMatch(/Connection from \S+ closed/);
    expect(server.stdout).not.toMatch(/lost/);
    // The next client (btvirt gives it the same address and handle) is served by the same listener.
    const again = await runCli(['connect', address, '10', ...BTVIRT], 'still listening\n');
    expect(again.stdout).toBe('still listening\n');
    expect(server.process.exitCode).toBe(null);
    server.process.kill('SIGTERM');
    const stopped = await server.exit(PROMPTLY);
    expect(stopped.stderr).toContain('btc listen: stopped by SIGTERM');
    expect(stopped.code).toBe(143);
  });
});
