/**
 * The socket when the adapter's transport goes away: one adapter reaches btvirt through a unix
 * socket proxy the test controls, so the test can cut the byte stream or put garbage on it. Pending
 * reads end with ECONNRESET (reason 'link-lost'), a listening socket and new connects fail with
 * ENETDOWN, and the adapter's own operations refuse with ENETDOWN instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeError, TransportError } from '../../src/core/index.js';
import { Adapter, BluetoothSocket, discoverDevices, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { failure } from '../support/failure.js';

/** A unix socket that forwards each connection to btvirt; `host` is the adapter's side. */
class Proxy {
  readonly path: string;
  private readonly dir = mkdtempSync(join(tmpdir(), 'btc-proxy-'));
  private readonly server: Server;
  private readonly pairs: { host: Socket; controller: Socket }[] = [];
  /** Resolves when the adapter side closed its end. */
  hostClosed!: Promise<void>;

  constructor(target: string) {
    this.path = join(this.dir, 'sock');
    this.server = createServer((host) => {
      const controller = connect(target);
      host.on('error', () => undefined);
      controller.on('error', () => undefined);
      host.pipe(controller);
      controller.pipe(host);
      this.hostClosed = new Promise((resolve) => host.once('close', () => resolve()));
      this.pairs.push({ host, controller });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.path, resolve));
  }

  /** The byte stream ends: both sides of every connection are destroyed. */
  cut(): void {
    for (const p of this.pairs) {
      p.host.destroy();
      p.controller.destroy();
    }
  }

  /** Bytes toward the adapter that no controller sent. */
  inject(bytes: Uint8Array): void {
    for (const p of this.pairs) p.host.write(bytes);
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.skipIf(btvirtMissing())('BluetoothSocket when the transport goes away (btvirt through a proxy)', () => {
  let proxy: Proxy;
  let far: Adapter;
  let near: Adapter;

  beforeEach(async () => {
    proxy = new Proxy(btvirtSocket());
    await proxy.listen();
    far = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'transport-loss far' });
    near = await Adapter.open(`h4:unix:${proxy.path}`, { name: 'transport-loss near' });
  });

  afterEach(async () => {
    await near.close();
    await far.close();
    await proxy.close();
  });

  /** near connected to far over RFCOMM, with a listening socket of its own. */
  async function connected(): Promise<{ sock: BluetoothSocket; listener: BluetoothSocket }> {
    const server = new BluetoothSocket(RFCOMM, { adapter: far });
    server.bind(['', PORT_ANY]);
    server.listen(1);
    const accepted = server.accept();
    const sock = new BluetoothSocket(RFCOMM, { adapter: near });
    await sock.connect([far.address, server.getsockname()[1]]);
    const [conn] = await accepted;
    await conn.send('before');
    expect((await sock.recv(100)).toString()).toBe('before');
    const listener = new BluetoothSocket(RFCOMM, { adapter: near });
    listener.bind(['', PORT_ANY]);
    listener.listen(1);
    return { sock, listener };
  }

  it('a cut stream: the pending recv fails with ECONNRESET (link-lost), accept, connect and discovery with ENETDOWN', async () => {
    const { sock, listener } = await connected();
    const reading = failure(sock.recv(100));
    const accepting = failure(listener.accept());
    proxy.cut();
    expect(await reading).toMatchObject({ code: 'ECONNRESET', reason: 'link-lost' });
    const refused = await accepting;
    expect(refused).toMatchObject({ code: 'ENETDOWN' });
    expect(refused.message).toMatch(new RegExp(`^ENETDOWN: no connection can come: (transport )?h4:unix:${proxy.path} (closed|failed: read ECONNRESET)$`));
    expect(near.isClosed).toBe(true);
    expect(near.lastError).toBeInstanceOf(TransportError);
    const again = new BluetoothSocket(RFCOMM, { adapter: near });
    const connectError = await failure(again.connect([far.address, 1]));
    expect(connectError).toMatchObject({ code: 'ENETDOWN' });
    expect(connectError.message).toContain(`cannot connect to ${far.address} channel 1: the adapter on h4:unix:${proxy.path} is closed: `);
    expect((await sock.recv(100)).length).toBe(0);
    const discovery = await failure(discoverDevices({ adapter: near, duration: 1 }));
    expect(discovery).toMatchObject({ code: 'ENETDOWN' });
    expect(discovery.message).toMatch(/^ENETDOWN: cannot discover devices: the adapter on .* is closed/);
  });

  it('garbage on the stream: the adapter closes its transport, the pending recv fails with ECONNRESET, lastError names the framing fault', async () => {
    const { sock, listener } = await connected();
    const reading = failure(sock.recv(100));
    const accepting = failure(listener.accept());
    proxy.inject(Uint8Array.of(0xff, 0xff, 0xff));
    expect(await reading).toMatchObject({ code: 'ECONNRESET', reason: 'link-lost' });
    expect(await accepting).toMatchObject({ code: 'ENETDOWN' });
    await proxy.hostClosed;
    expect(near.isClosed).toBe(true);
    expect(near.lastError).toBeInstanceOf(DecodeError);
    expect(near.lastError).toMatchObject({ code: 'BT_DECODE', layer: 'hci', structure: 'H4 stream' });
  });
});
