/**
 * The PyBluez-style socket on two virtual adapters in one process (the embedded default):
 * connect/bind/listen/accept, send/recv, the Duplex side (pipeline, iteration, 'close', destroy,
 * mixing with recv), timeouts, non-blocking sends, errno codes and close reasons, discovery, SDP
 * advertise/find (with and without an address), L2CAP sockets, a slow reader and a peer that
 * disconnects mid-transfer.
 */
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Adapter,
  advertiseService,
  BluetoothSocket,
  discoverDevices,
  findService,
  L2CAP,
  lookupName,
  PORT_ANY,
  RFCOMM,
  SERIAL_PORT_CLASS,
  SERIAL_PORT_PROFILE,
  stopAdvertising,
} from '../../src/socket/index.js';
import { NO_PIN } from '../../src/socket/pairing-hooks.js';
import { channelOnPsm, partialPdu } from '../support/acl-damage.js';
import { patternBytes } from '../support/bulk.js';
import { l2capPair } from '../support/l2cap-sockets.js';
import { failure } from '../support/failure.js';
import { senderOutOfCredits, until } from '../support/wait.js';

let server: Adapter;
let client: Adapter;

beforeEach(async () => {
  server = await Adapter.open('virtual', { name: 'socket-test server' });
  client = await Adapter.open('virtual', { name: 'socket-test client' });
});

afterEach(async () => {
  await client.close();
  await server.close();
});

function listening(channel = PORT_ANY, backlog = 1): BluetoothSocket {
  const s = new BluetoothSocket(RFCOMM, { adapter: server });
  s.bind(['', channel]);
  s.listen(backlog);
  return s;
}

async function connected(): Promise<{ listener: BluetoothSocket; a: BluetoothSocket; b: BluetoothSocket }> {
  const listener = listening();
  const a = new BluetoothSocket(RFCOMM, { adapter: client });
  const accepted = listener.accept();
  await a.connect([server.address, listener.getsockname()[1]]);
  const [b] = await accepted;
  return { listener, a, b };
}

describe('BluetoothSocket (RFCOMM) on the virtual controller', () => {
  it('runs the PyBluez story: connect, send "Hello, world!", recv the echo, close', async () => {
    const listener = listening(PORT_ANY);
    const channel = listener.getsockname()[1];
    expect(channel).toBeGreaterThanOrEqual(1);
    const served = (async () => {
      const [conn, [addr, ch]] = await listener.accept();
      expect(addr).toBe(client.address);
      expect(ch).toBe(channel);
      const data = await conn.recv(1024);
      await conn.send(data);
      return conn;
    })();
    const sock = new BluetoothSocket(RFCOMM, { adapter: client });
    await sock.connect([server.address, channel]);
    expect(sock.getpeername()).toEqual([server.address, channel]);
    expect(await sock.send('Hello, world!')).toBe(13);
    expect((await sock.recv(1024)).toString()).toBe('Hello, world!');
    const conn = await served;
    sock.close();
    await expect(conn.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
    expect((await conn.recv(10)).length).toBe(0);
  });

  it('getsockname of a connected client is its own address and the channel, as on Linux', async () => {
    const { listener, a, b } = await connected();
    expect(a.getsockname()).toEqual([client.address, listener.getsockname()[1]]);
    expect(b.getsockname()).toEqual([server.address, listener.getsockname()[1]]);
    a.close();
  });

  it('sends and receives non-ASCII strings as UTF-8; send counts bytes, not characters', async () => {
    const { a, b } = await connected();
    const text = 'Grüße, 世界 🌍 ✓';
    const size = Buffer.byteLength(text, 'utf8');
    expect(await a.send(text)).toBe(size);
    const parts: Buffer[] = [];
    for (let n = 0; n < size; ) {
      const part = await b.recv(5);
      parts.push(part);
      n += part.length;
    }
    expect(Buffer.concat(parts).toString('utf8')).toBe(text);
    a.close();
  });

  it('recv(n) returns at most n bytes and keeps the rest', async () => {
    const { a, b } = await connected();
    await a.sendall('abcdefghij');
    let got = '';
    while (got.length < 10) {
      const part = (await b.recv(3)).toString();
      expect(part.length).toBeLessThanOrEqual(3);
      got += part;
    }
    expect(got).toBe('abcdefghij');
    a.close();
  });

  it('refuses a channel nobody listens on with ECONNREFUSED', async () => {
    const sock = new BluetoothSocket(RFCOMM, { adapter: client });
    await expect(sock.connect([server.address, 17])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reports EHOSTDOWN for a device that does not answer a page', async () => {
    const sock = new BluetoothSocket(RFCOMM, { adapter: client });
    await expect(sock.connect(['00:11:22:33:44:55', 1])).rejects.toMatchObject({ code: 'EHOSTDOWN' });
  });

  it('times out a recv with ETIMEDOUT after settimeout', async () => {
    const { a, b } = await connected();
    b.settimeout(0.05);
    expect(b.gettimeout()).toBe(0.05);
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    a.close();
  });

  it('a timed-out recv leaves nothing behind: the peer\'s close still surfaces once, then EOF', async () => {
    const { a, b } = await connected();
    b.settimeout(0.02);
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    b.settimeout(null);
    await a.close();
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
    expect((await b.recv(10)).length).toBe(0);
  });

  it('a timed-out accept() leaves nothing behind: the next connection goes to the next accept()', async () => {
    const listener = listening();
    listener.settimeout(0.02);
    await expect(listener.accept()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const arrived = server.waitFor((e) => (e.type === 'rfcomm-open' && e.incoming ? true : undefined), 10_000, 'the incoming channel');
    const sock = new BluetoothSocket(RFCOMM, { adapter: client });
    await sock.connect([server.address, listener.getsockname()[1]]);
    await arrived;
    listener.setblocking(false);
    const [conn, [addr]] = await listener.accept();
    expect(addr).toBe(client.address);
    await sock.send('ping');
    expect((await conn.recv(10)).toString()).toBe('ping');
    sock.close();
  });

  it('times out a connect with ETIMEDOUT when pairing never finishes, and closes the attempt', async () => {
    const never = { ioCapability: 'DisplayYesNo' as const, mitm: true, onConfirm: () => new Promise<boolean>(() => undefined) };
    const slowServer = await Adapter.open('virtual', { pairing: never });
    const slowClient = await Adapter.open('virtual', { pairing: never });
    try {
      const listener = new BluetoothSocket(RFCOMM, { adapter: slowServer, security: 'mitm' });
      listener.bind(['', 1]);
      listener.listen(1);
      const sock = new BluetoothSocket(RFCOMM, { adapter: slowClient, security: 'mitm' });
      sock.settimeout(0.05);
      await expect(sock.connect([slowServer.address, 1])).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(sock.send('x')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(sock.connect([slowServer.address, 1])).rejects.toMatchObject({ code: 'EBADF' });
      await sock.close();
    } finally {
      await slowClient.close(0);
      await slowServer.close(0);
    }
  });

  it('legacy pairing with no PIN configured fails with EACCES saying how to give one', async () => {
    const legacy = (pin?: string) => ({ pairing: pin ? { pin } : {}, stack: { hci: { simplePairing: false } } });
    const pinServer = await Adapter.open('virtual', legacy('1234'));
    const pinless = await Adapter.open('virtual', legacy());
    try {
      const listener = new BluetoothSocket(RFCOMM, { adapter: pinServer, security: 'authenticated' });
      listener.bind(['', 1]);
      listener.listen(1);
      const sock = new BluetoothSocket(RFCOMM, { adapter: pinless, security: 'authenticated' });
      const error = await failure(sock.connect([pinServer.address, 1]));
      expect(error).toMatchObject({ code: 'EACCES', reason: 'security', securityFailure: 'no-pin' });
      expect(error.message).toContain(NO_PIN);
    } finally {
      await pinless.close();
      await pinServer.close();
    }
  });

  it('non-blocking sendall fails with EAGAIN saying how much went out; the peer gets exactly that', async () => {
    const { a, b } = await connected();
    a.setblocking(false);
    const total = 1_000_000;
    const error = await failure(a.sendall(patternBytes(0, total)));
    expect(error).toMatchObject({ code: 'EAGAIN' });
    const sent = error.bytesSent!;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(total);
    expect(error.message).toContain(`sent ${sent} of ${total} bytes`);
    const parts: Buffer[] = [];
    for (let n = 0; n < sent; ) {
      const part = await b.recv(65536);
      parts.push(part);
      n += part.length;
    }
    expect(Buffer.concat(parts).equals(Buffer.from(patternBytes(0, sent)))).toBe(true);
    b.setblocking(false);
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'EAGAIN' });
    a.close();
  });

  it('throws EAGAIN from recv on a non-blocking socket with nothing to read', async () => {
    const { a, b } = await connected();
    b.setblocking(false);
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'EAGAIN' });
    a.close();
  });

  it('rejects misuse with clear errors', async () => {
    const s = new BluetoothSocket(RFCOMM, { adapter: client });
    expect(() => s.listen(1)).toThrow(/bind/);
    await expect(s.recv(10)).rejects.toMatchObject({ code: 'ENOTCONN' });
    await expect(s.send('x')).rejects.toMatchObject({ code: 'ENOTCONN' });
    await expect(s.connect(['not an address', 1])).rejects.toThrow(/not a Bluetooth address/);
    await expect(s.connect([server.address, 31])).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('is a Duplex: pipeline from a Readable into it, and from it into a Writable', async () => {
    const { a, b } = await connected();
    const data = Buffer.from(patternBytes(0, 100_000));
    const chunks = Array.from({ length: Math.ceil(data.length / 7000) }, (_, i) => data.subarray(i * 7000, (i + 1) * 7000));
    const sink: Buffer[] = [];
    await Promise.all([
      pipeline(Readable.from(chunks), a),
      pipeline(
        b,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            sink.push(chunk);
            callback();
          },
        }),
      ),
    ]);
    expect(Buffer.concat(sink).equals(data)).toBe(true);
  });

  it('is a Duplex: iterate it with for await', async () => {
    const { a, b } = await connected();
    const data = patternBytes(0, 100_000);
    const collected: Buffer[] = [];
    const done = (async () => {
      let n = 0;
      for await (const chunk of b) {
        collected.push(chunk as Buffer);
        n += (chunk as Buffer).length;
        if (n >= data.length) break;
      }
    })();
    a.write(Buffer.from(data));
    await done;
    expect(Buffer.concat(collected).equals(Buffer.from(data))).toBe(true);
    a.end();
  });

  it('recv and the stream side share one buffer: recv takes what a paused stream holds first', async () => {
    const { a, b } = await connected();
    const data = Buffer.from(patternBytes(0, 50_000));
    const streamed: Buffer[] = [];
    const first = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        streamed.push(chunk);
        b.pause();
        b.off('data', onData);
        resolve();
      };
      b.on('data', onData);
    });
    await a.send(data.subarray(0, 10));
    await first;
    await a.send(data.subarray(10));
    // The rest arrives while the stream is paused and lands in its buffer.
    for (let turns = 0; b.readableLength < data.length - 10 && turns < 100_000; turns++) await new Promise((r) => setImmediate(r));
    expect(b.readableLength).toBe(data.length - 10);
    b.setblocking(false);
    const received = [...streamed];
    for (let n = 10; n < data.length; ) {
      const part = await b.recv(4096);
      received.push(part);
      n += part.length;
    }
    expect(Buffer.concat(received).equals(data)).toBe(true);
    a.close();
  });

  it("close() resolves once the channel is closed; 'close' is emitted and the same channel opens again at once", async () => {
    const listener = listening(PORT_ANY, 1);
    const port = listener.getsockname()[1];
    for (const round of [1, 2]) {
      const accepted = listener.accept();
      const sock = new BluetoothSocket(RFCOMM, { adapter: client });
      await sock.connect([server.address, port]);
      const [conn] = await accepted;
      await sock.send(`round ${round}`);
      expect((await conn.recv(10)).toString()).toBe(`round ${round}`);
      const closeEvent = once(sock, 'close');
      await sock.close();
      await closeEvent;
    }
  });

  it('destroy() closes the channel: the peer sees an orderly close and the socket emits close', async () => {
    const { a, b } = await connected();
    const closeEvent = once(a, 'close');
    a.destroy();
    await closeEvent;
    await expect(b.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
    await expect(a.send('x')).rejects.toMatchObject({ code: 'ENOTCONN' });
  });

  it('backpressure: a reader that does not read stops the writer; nothing is lost', async () => {
    const { a, b } = await connected();
    const total = 300_000;
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        const chunk = patternBytes(written, 10_000);
        await a.send(chunk);
        written += chunk.length;
      }
    })();
    // Once the writer spent every credit the reader's side gave, nothing more can go until b reads.
    await until(() => senderOutOfCredits(server.stack), 'writer out of credits');
    expect(written).toBeLessThan(total);
    const received: Buffer[] = [];
    let n = 0;
    while (n < total) {
      const part = await b.recv(65536);
      received.push(part);
      n += part.length;
    }
    await writer;
    expect(Buffer.concat(received).equals(Buffer.from(patternBytes(0, total)))).toBe(true);
    a.close();
  });

  it('a peer that disconnects mid-transfer fails the pending send with ECONNRESET', async () => {
    const { a, b } = await connected();
    const big = patternBytes(0, 2_000_000);
    const sending = a.send(big);
    await b.recv(100);
    b.close();
    await expect(sending).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('link loss mid-transfer destroys the stream with ECONNRESET', async () => {
    const { a, b } = await connected();
    const errored = new Promise<Error>((resolve) => b.once('error', resolve));
    const flowing = once(b, 'data');
    b.resume();
    const sending = a.send(patternBytes(0, 2_000_000)).catch((e) => e);
    // Mid-transfer: the first data has arrived, and most of the 2 MB is still to go.
    await flowing;
    const link = (await import('../../src/transport/index.js')).defaultVirtualLink();
    link.loseConnection(client.address, server.address, 0);
    expect(await errored).toMatchObject({ code: 'ECONNRESET', reason: 'link-lost' });
    expect(await sending).toMatchObject({ code: 'ECONNRESET', reason: 'link-lost' });
  });

  it('accept() queues up to the backlog, one connection per client device', async () => {
    const third = await Adapter.open('virtual', { name: 'socket-test third' });
    try {
      const listener = listening(PORT_ANY, 2);
      const port = listener.getsockname()[1];
      const c1 = new BluetoothSocket(RFCOMM, { adapter: client });
      const c2 = new BluetoothSocket(RFCOMM, { adapter: third });
      await c1.connect([server.address, port]);
      await c2.connect([server.address, port]);
      const [s1, [addr1]] = await listener.accept();
      const [s2, [addr2]] = await listener.accept();
      expect(new Set([addr1, addr2])).toEqual(new Set([client.address, third.address]));
      await c1.send('one');
      await c2.send('two');
      const got = new Map([[addr1, (await s1.recv(10)).toString()], [addr2, (await s2.recv(10)).toString()]]);
      expect(got.get(client.address)).toBe('one');
      expect(got.get(third.address)).toBe('two');
      // A second DLC to the same channel from the same device is refused, not thrown.
      const again = new BluetoothSocket(RFCOMM, { adapter: client });
      await expect(again.connect([server.address, port])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      c1.close();
      c2.close();
    } finally {
      await third.close();
    }
  });
});

describe('module functions', () => {
  it('discoverDevices finds the other adapter with its name and class; lookupName reads it', async () => {
    const devices = await discoverDevices({ adapter: client, duration: 1, lookupNames: true, lookupClass: true });
    const found = devices.find((d) => d.address === server.address);
    expect(found?.name).toBe('socket-test server');
    expect(found?.classOfDevice).toBeTypeOf('number');
    expect(await lookupName(server.address, { adapter: client })).toBe('socket-test server');
  });

  it('advertiseService / findService by UUID and by name; stopAdvertising withdraws', async () => {
    const listener = listening();
    const id = '94f39d29-7d6d-437d-973b-fba39e49d4ee';
    advertiseService(listener, 'SampleServer', { serviceId: id, serviceClasses: [id, SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
    const byUuid = await findService({ address: server.address, uuid: id, adapter: client });
    expect(byUuid.map((s) => [s.name, s.protocol, s.port])).toEqual([['SampleServer', 'RFCOMM', listener.getsockname()[1]]]);
    const bySpp = await findService({ address: server.address, uuid: SERIAL_PORT_CLASS, adapter: client });
    expect(bySpp).toHaveLength(1);
    expect(await findService({ address: server.address, name: 'SampleServer', adapter: client })).toHaveLength(1);
    expect(await findService({ address: server.address, name: 'Nope', adapter: client })).toHaveLength(0);
    stopAdvertising(listener);
    expect(await findService({ address: server.address, uuid: id, adapter: client })).toHaveLength(0);
  });

  it('findService without an address asks every device an inquiry finds', async () => {
    const listener = listening();
    const id = '5a0f2c11-3b7e-4d2a-9c1e-0123456789ab';
    advertiseService(listener, 'Nearby', { serviceId: id, serviceClasses: [id, SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
    const found = await findService({ uuid: id, adapter: client, duration: 1 });
    expect(found.map((s) => [s.host, s.name, s.port])).toEqual([[server.address, 'Nearby', listener.getsockname()[1]]]);
    expect(await findService({ name: 'Nobody', adapter: client, duration: 1 })).toEqual([]);
  });
});

describe('modem signals on an RFCOMM socket', () => {
  it("DTR dropped on one side is DSR dropped on the other; a break arrives with its length; the rest keep their value", async () => {
    const { a, b } = await connected();
    const seen: unknown[] = [];
    b.on('signals', (s) => seen.push(s));
    a.setSignals({ dtr: false });
    await once(b, 'signals');
    expect(b.peerSignals).toEqual({ dsr: false, cts: true, ri: false, dcd: true });
    a.setSignals({ ri: true });
    a.sendBreak(400);
    while (seen.length < 3) await once(b, 'signals');
    expect(seen.slice(1)).toEqual([
      { dsr: false, cts: true, ri: true, dcd: true },
      { dsr: false, cts: true, ri: true, dcd: true, breakMs: 400 },
    ]);
    expect(() => a.setSignals({ dsr: true } as never)).toThrow(/unknown modem signal 'dsr': use dtr, rts, ri or dcd/);
    expect(() => a.setSignals({ rts: 1 } as never)).toThrow(/modem signal rts must be true or false/);
    expect(() => a.sendBreak(5000)).toThrow(/a break lasts 200 to 3000 ms/);
    a.close();
    b.close();
  });

  it('an L2CAP socket has none, and a socket that is not connected cannot send them', () => {
    expect(() => new BluetoothSocket(L2CAP, { adapter: client }).setSignals({ dtr: false })).toThrow(/needs an RFCOMM socket/);
    expect(() => new BluetoothSocket(RFCOMM, { adapter: client }).sendBreak()).toThrow(/ENOTCONN/);
  });
});

describe('BluetoothSocket (L2CAP)', () => {
  it('echoes SDUs on a dynamic PSM and keeps their boundaries', async () => {
    const { psm, sock, conn } = await l2capPair(server, client);
    expect(psm & 1).toBe(1);
    await sock.send('first');
    await sock.send('second');
    expect((await conn.recv(100)).toString()).toBe('first');
    expect((await conn.recv(3)).toString()).toBe('sec');
    await expect(sock.send(new Uint8Array(sock.frameSize + 1))).rejects.toMatchObject({ code: 'EMSGSIZE' });
    sock.close();
  });

  it('a sender faster than the controller waits for room (non-blocking: EAGAIN) and loses nothing', async () => {
    const fast = await Adapter.open('virtual', { name: 'fast sender', stack: { l2capSendBufferBytes: 2048 } });
    try {
      const { sock, conn } = await l2capPair(server, fast);
      let writable = 0;
      const stop = fast.watch((e) => {
        if (e.type === 'l2cap-writable') writable++;
      });
      const count = 200;
      const sizes = Array.from({ length: count }, (_, i) => 1 + ((i * 37) % sock.frameSize));
      const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((x, y) => x + y, 0));
      // All at once: every send resolves with its length only after the stack took the SDU.
      const sends = sizes.map((n, i) => sock.send(patternBytes(offsets[i], n)));
      const received: number[] = [];
      for (let i = 0; i < count; i++) {
        const sdu = await conn.recv(65536);
        expect(Buffer.compare(sdu, Buffer.from(patternBytes(offsets[i], sizes[i])))).toBe(0);
        received.push(sdu.length);
      }
      expect(await Promise.all(sends)).toEqual(sizes);
      expect(received).toEqual(sizes);
      expect(writable).toBeGreaterThan(0);
      stop();
      sock.setblocking(false);
      const refused = await (async () => {
        for (let i = 0; i < 1000; i++) {
          const error = await failure(sock.send(new Uint8Array(sock.frameSize))).catch(() => undefined);
          if (error) return error;
        }
        return undefined;
      })();
      expect(refused).toMatchObject({ code: 'EAGAIN' });
    } finally {
      await fast.close();
    }
  });

  it("an SDU lost on the way is a gap the receiving socket reports ('dropped', droppedBytes), and the next SDU is received", async () => {
    const { psm, sock, conn } = await l2capPair(server, client);
    const channel = channelOnPsm(server.stack, psm);
    const dropped = new Promise<{ bytes: number; message: string }>((resolve) => conn.once('dropped', resolve));
    server.driver.run((now) => server.stack.receive(partialPdu(channel.handle, channel.cid, 300, 20), now));
    await sock.send('after the gap');
    expect(await dropped).toMatchObject({ bytes: 300, message: expect.stringContaining('lost on the way') });
    expect((await conn.recv(100)).toString()).toBe('after the gap');
    expect(conn.droppedBytes).toBe(300);
    sock.close();
  });

  it('a PSM nobody listens on fails connect with ECONNREFUSED naming the PSM', async () => {
    const sock = new BluetoothSocket(L2CAP, { adapter: client });
    const error = await failure(sock.connect([server.address, 0x1001]));
    expect(error).toMatchObject({ code: 'ECONNREFUSED', reason: 'refused', l2capResult: 0x0002 });
    expect(error.message).toContain('PSM 0x1001');
  });

  it("the peer's security block fails connect with EACCES naming the PSM and L2CAP result 0x0003", async () => {
    // Both sides NoInputNoOutput: Just Works cannot give the MITM protection the server asks for.
    const listener = new BluetoothSocket(L2CAP, { adapter: server, security: 'mitm' });
    listener.bind(['', 0x1003]);
    listener.listen(1);
    const sock = new BluetoothSocket(L2CAP, { adapter: client });
    const error = await failure(sock.connect([server.address, 0x1003]));
    expect(error).toMatchObject({ code: 'EACCES', reason: 'security', l2capResult: 0x0003 });
    expect(error.message).toContain('PSM 0x1003');
  });
});

describe('Adapter close', () => {
  it('ends a pending accept with ENETDOWN and refuses later work with ENETDOWN', async () => {
    const lone = await Adapter.open('virtual', { name: 'closing' });
    const listener = new BluetoothSocket(RFCOMM, { adapter: lone });
    listener.bind(['', PORT_ANY]);
    listener.listen(1);
    const accepting = failure(listener.accept());
    await lone.close();
    const error = await accepting;
    expect(error).toMatchObject({ code: 'ENETDOWN' });
    expect(error.message).toBe(`ENETDOWN: no connection can come: the adapter on ${lone.transport} is closed`);
    await expect(listener.accept()).rejects.toMatchObject({ code: 'ENETDOWN' });
    await expect(lookupName(server.address, { adapter: lone })).rejects.toMatchObject({ code: 'ENETDOWN' });
    await expect(lone.setName('late')).rejects.toMatchObject({ code: 'ENETDOWN' });
    const sock = new BluetoothSocket(RFCOMM, { adapter: lone });
    await expect(sock.connect([server.address, 1])).rejects.toMatchObject({ code: 'ENETDOWN' });
  });
});

describe('Adapter settings', () => {
  it('exposes and changes name, class, discoverable and connectable on the controller', async () => {
    expect(server.name).toBe('socket-test server');
    await server.setName('renamed');
    expect(await lookupName(server.address, { adapter: client })).toBe('renamed');
    await server.setClassOfDevice(0x000104);
    const [found] = (await discoverDevices({ adapter: client, duration: 1, lookupClass: true })).filter((d) => d.address === server.address);
    expect(found.classOfDevice).toBe(0x000104);
    await server.setDiscoverable(false);
    expect(server.discoverable).toBe(false);
    expect((await discoverDevices({ adapter: client, duration: 1 })).map((d) => d.address)).not.toContain(server.address);
    await server.setConnectable(false);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client });
    await expect(sock.connect([server.address, 1])).rejects.toMatchObject({ code: 'EHOSTDOWN' });
    await expect(server.command({ name: 'Write Scan Enable', scanEnable: 0x99 })).rejects.toThrow(/Write Scan Enable/);
  });
});
