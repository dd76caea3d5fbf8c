/**
 * The PyBluez-style socket on two virtual adapters in one process (the embedded default):
 * connect/bind/listen/accept, send/recv, the Duplex side, timeouts, errno codes, discovery,
 * SDP advertise/find, L2CAP sockets, a slow reader and a peer that disconnects mid-transfer.
 */
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
import { patternBytes } from '../support/bulk.js';

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
    await expect(conn.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await conn.recv(10)).length).toBe(0);
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

  it('is a Duplex: pipe through it and iterate it', async () => {
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
    await new Promise((r) => setTimeout(r, 200));
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
    b.resume();
    const sending = a.send(patternBytes(0, 2_000_000)).catch((e) => e);
    await new Promise((r) => setTimeout(r, 20));
    const link = (await import('../../src/transport/index.js')).defaultVirtualLink();
    link.loseConnection(client.address, server.address, 0);
    expect(await errored).toMatchObject({ code: 'ECONNRESET' });
    expect(await sending).toMatchObject({ code: 'ECONNRESET' });
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
});

describe('BluetoothSocket (L2CAP)', () => {
  it('echoes SDUs on a dynamic PSM and keeps their boundaries', async () => {
    const listener = new BluetoothSocket(L2CAP, { adapter: server });
    listener.bind(['', 0]);
    listener.listen(1);
    const psm = listener.getsockname()[1];
    expect(psm & 1).toBe(1);
    const accepted = listener.accept();
    const sock = new BluetoothSocket(L2CAP, { adapter: client });
    await sock.connect([server.address, psm]);
    const [conn] = await accepted;
    await sock.send('first');
    await sock.send('second');
    expect((await conn.recv(100)).toString()).toBe('first');
    expect((await conn.recv(3)).toString()).toBe('sec');
    await expect(sock.send(new Uint8Array(sock.frameSize + 1))).rejects.toMatchObject({ code: 'EMSGSIZE' });
    sock.close();
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
