/**
 * Programs end by themselves, as in Python: the README's server and client (test/programs/), run
 * as a user runs them, never close their adapter, and must exit with code 0 once their sockets are
 * closed — on the virtual controller (both in one process, the client on the default adapter) and
 * between two processes on btvirt (the client on the default adapter chosen by BTC_TRANSPORT).
 * The time limits only guard against a hang; nothing here sleeps.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, PORT_ANY, RFCOMM, SocketError } from '../../src/socket/index.js';
import { killAll, startScript } from '../support/cli.js';
import { btvirtMissing, btvirtSocket, ROOT } from '../support/env.js';

const program = (name: string) => join(ROOT, 'test/programs', name);
/** Far more than a run takes (about 2 s); reaching it means the program hung. */
const HANG = 30_000;

afterEach(() => killAll());

describe('programs that end by themselves', () => {
  it('the README server and client in one process on virtual adapters exit with code 0', async () => {
    const run = await startScript(program('virtual-pair.ts'), [], { BTC_TRANSPORT: 'virtual' }).exit(HANG);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Received data: Hello, world!');
    expect(run.code).toBe(0);
  });

  describe.skipIf(btvirtMissing())('between two processes on btvirt', () => {
    it('the README server and client (on the default adapter) each exit with code 0', async () => {
      const env = { BTC_TRANSPORT: `h4:unix:${btvirtSocket()}` };
      const server = startScript(program('rfcomm-server.ts'), [], env);
      const [, address, channel] = await server.waitFor(/Waiting for connection on (\S+) RFCOMM channel (\d+)/);
      const client = await startScript(program('rfcomm-client.ts'), [address, channel], env).exit(HANG);
      expect(client.stdout).toContain('Received data: Hello, world!');
      expect(client.code).toBe(0);
      const served = await server.exit(HANG);
      expect(served.stdout).toContain('Hello, world!');
      expect(served.code).toBe(0);
    });
  });
});

describe('what keeps an adapter busy (and the process alive)', () => {
  it('a listening socket, a channel open or closing and a waiting operation; nothing else', async () => {
    const a = await Adapter.open('virtual');
    const b = await Adapter.open('virtual');
    try {
      expect([a.busy, b.busy]).toEqual([false, false]);
      const server = new BluetoothSocket(RFCOMM, { adapter: a });
      server.bind(['', PORT_ANY]);
      server.listen(1);
      expect(a.busy).toBe(true);
      const sock = new BluetoothSocket(RFCOMM, { adapter: b });
      const connecting = sock.connect([a.address, server.getsockname()[1]]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(b.busy).toBe(true);
      const [accepted] = await server.accept();
      await connecting;
      server.close();
      expect([a.busy, b.busy]).toEqual([true, true]);
      const closed = sock.close();
      expect(b.busy).toBe(true);
      await closed;
      expect(b.busy).toBe(false);
      await expect(accepted.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
      expect(a.busy).toBe(false);
      const waiting = b.waitFor(() => undefined, undefined, 'nothing');
      expect(b.busy).toBe(true);
      await b.close();
      await expect(waiting).rejects.toThrow(/closed/);
      expect(b.busy).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('closeChannels closes every socket on the adapter: the peer sees its channel closed, not lost', async () => {
    const a = await Adapter.open('virtual');
    const b = await Adapter.open('virtual');
    try {
      const server = new BluetoothSocket(RFCOMM, { adapter: a });
      server.bind(['', PORT_ANY]);
      server.listen(1);
      const sock = new BluetoothSocket(RFCOMM, { adapter: b });
      await sock.connect([a.address, server.getsockname()[1]]);
      const [accepted] = await server.accept();
      b.closeChannels();
      const error = await accepted.recv(10).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SocketError);
      expect(error).toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
