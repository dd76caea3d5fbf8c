/**
 * `btc bridge` as a user meets it, between processes on btvirt, with Node's net module as the `nc`
 * of the test: a TCP client that half-closes (`printf 'ping\n' | nc -N`) still gets the echo; the
 * channel found by SDP from a service name; the other direction (`--listen --to`), where an RFCOMM
 * client reaches a TCP server (recorded with --btsnoop), and a TCP server that closes first still
 * delivers everything before the DISC; Ctrl-C ends a bridge with 130, SIGTERM with 143.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, isPeerClose, RFCOMM } from '../../src/socket/index.js';
import { readCapture } from '../../src/trace/index.js';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';

const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];

afterEach(() => killAll());

/** `printf DATA | nc -N 127.0.0.1 PORT`: writes, half-closes, and collects what comes back until the server's FIN. */
async function ncHalfClose(port: number, data: string): Promise<string> {
  const s = tcpConnect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(s, 'connect');
  s.end(data);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString()));
  await once(s, 'end');
  s.destroy();
  return got;
}

describe('btc bridge usage errors (exit 2, nothing opens)', () => {
  it.each([
    [['bridge', '--listen'], /bridge --listen needs --to HOST:PORT/],
    [['bridge', '--listen', '--to', 'nowhere'], /--to must be HOST:PORT/],
    [['bridge', '--listen', '--to', '127.0.0.1:0'], /--to PORT must be an integer from 1 to 65535, not "0"/],
    [['bridge', '00:11:22:33:44:55', '--to', '127.0.0.1:7000'], /--to goes with --listen/],
    [['bridge', '00:11:22:33:44:55'], /give CHANNEL, or --uuid UUID \/ --service NAME/],
    [['bridge', '00:11:22:33:44:55', '1', '--uuid', '1101'], /give CHANNEL or --uuid\/--service, not both/],
    [['bridge', 'not-an-address', '1'], /ADDR must be a device address such as 00:1A:7D:DA:71:13, not "not-an-address"/],
  ])('btc %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });
});

describe.skipIf(btvirtMissing())('btc bridge between processes on btvirt', () => {
  it('a TCP client that half-closes gets the echo; the channel is found by service name', async () => {
    const server = startCli(['listen', '3', ...BTVIRT, '--service-name', 'Bridge Echo']);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 3/);
    const capture = join(mkdtempSync(join(tmpdir(), 'btc-bridge-')), 'bridge.btsnoop');
    const bridge = startCli(['bridge', address, '--service', 'Bridge Echo', '--port', '0', '--btsnoop', capture, ...BTVIRT]);
    const [, port] = await bridge.waitFor(/listening on tcp 127\.0\.0\.1:(\d+) for \S+ channel 3/);
    expect(bridge.stderr).toContain('SDP: "Bridge Echo" on channel 3');
    expect(await ncHalfClose(Number(port), 'ping\n')).toBe('ping\n');
    await server.waitFor(/Echoed 5 byte\(s\)/);
    await server.waitFor(/Connection from \S+ closed/);
    bridge.process.kill('SIGINT');
    const ended = await bridge.exit();
    expect(ended.code).toBe(130);
    // --btsnoop recorded the session: the echoed bytes are in it, both ways.
    const packets = [...readCapture(readFileSync(capture))].map((r) => Buffer.from(r.h4).toString('latin1'));
    expect(packets.filter((p) => p.includes('ping\n')).length).toBeGreaterThanOrEqual(2);
    server.kill();
  });

  it('--listen --to forwards an RFCOMM connection to a TCP server, both ways, and ends it in order', async () => {
    // The TCP side: an echo server that closes when its client half-closes.
    const tcpServer = createServer({ allowHalfOpen: true }, (c: Socket) => {
      c.pipe(c);
    });
    tcpServer.listen(0, '127.0.0.1');
    await once(tcpServer, 'listening');
    const tcpPort = (tcpServer.address() as AddressInfo).port;
    const btsnoop = join(mkdtempSync(join(tmpdir(), 'btc-bridge-')), 'bridge.btsnoop');
    const bridge = startCli(['bridge', '--listen', '4', '--to', `127.0.0.1:${tcpPort}`, '--btsnoop', btsnoop, ...BTVIRT]);
    const [, address] = await bridge.waitFor(/bridge: listening on (\S+) RFCOMM channel 4 for tcp 127\.0\.0\.1:\d+/);
    const adapter = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'bridge-peer' });
    try {
      const sock = new BluetoothSocket(RFCOMM, { adapter });
      await sock.connect([address, 4]);
      await sock.sendall('over rfcomm to tcp');
      let got = '';
      while (got.length < 18) got += (await sock.recv(64)).toString();
      expect(got).toBe('over rfcomm to tcp');
      await sock.close();
      await bridge.waitFor(/bridge: \S+ closed/);
      bridge.process.kill('SIGTERM');
      expect((await bridge.exit()).code).toBe(143);
      // --btsnoop recorded the session: the client's SABM and DISC on channel 4 decode from it.
      const decoded = await runCli(['decode', btsnoop]);
      expect(decoded.code).toBe(0);
      expect(decoded.stdout).toMatch(/RFCOMM SABM .*dlci=8/);
      expect(decoded.stdout).toMatch(/RFCOMM DISC .*dlci=8/);
    } finally {
      await adapter.close();
      tcpServer.close();
    }
  });

  it('--listen --to: a TCP server that sends and closes first reaches the RFCOMM client in full, then DISC', async () => {
    const banner = 'banner from tcp\n'.repeat(64);
    const tcpServer = createServer((c: Socket) => c.end(banner));
    tcpServer.listen(0, '127.0.0.1');
    await once(tcpServer, 'listening');
    const tcpPort = (tcpServer.address() as AddressInfo).port;
    const bridge = startCli(['bridge', '--listen', '--to', `127.0.0.1:${tcpPort}`, ...BTVIRT]);
    const [, address, channel] = await bridge.waitFor(/bridge: listening on (\S+) RFCOMM channel (\d+) for tcp/);
    const adapter = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'bridge-peer' });
    try {
      const sock = new BluetoothSocket(RFCOMM, { adapter });
      await sock.connect([address, Number(channel)]);
      let got = '';
      // Until the bridge's DISC: recv gives 0 bytes or fails with the peer's close; a lost link
      // fails the test.
      for (;;) {
        try {
          const data = await sock.recv(4096);
          if (data.length === 0) break;
          got += data.toString();
        } catch (error) {
          if (!isPeerClose(error)) throw error;
          break;
        }
      }
      expect(got).toBe(banner);
      await bridge.waitFor(/bridge: \S+ closed/);
      await sock.close();
    } finally {
      await adapter.close();
      tcpServer.close();
    }
  });
});
