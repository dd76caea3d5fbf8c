import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/core/index.js';
import { unixConnectError } from '../../src/transport/errors.js';
import { H4StreamTransport, openSerialH4, openTcpH4, openUnixH4 } from '../../src/transport/h4-stream.js';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A server that echoes and hands its sockets to the test. */
function echoServer(): { server: Server; sockets: Socket[] } {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  servers.push(server);
  return { server, sockets };
}

function listen(server: Server, target: string | number): Promise<void> {
  return new Promise((resolve) => server.listen(target, resolve));
}

/** A fresh directory, removed after the test. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'h4-'));
  dirs.push(dir);
  return dir;
}

/** An echo server listening on a unix socket in a fresh directory. */
async function unixEchoServer(): Promise<{ path: string; sockets: Socket[] }> {
  const path = join(tempDir(), 'sock');
  const { server, sockets } = echoServer();
  await listen(server, path);
  return { path, sockets };
}

function received(t: H4StreamTransport, n: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const parts: number[] = [];
    t.onData((b) => {
      parts.push(...b);
      if (parts.length >= n) resolve(Uint8Array.from(parts));
    });
  });
}

describe('h4-stream over a unix socket', () => {
  it('carries bytes both ways and reports a clean close', async () => {
    const { path } = await unixEchoServer();
    const t = await openUnixH4(path);
    expect(t.description).toBe(`h4:unix:${path}`);
    expect(t.vendorPackets).toBe(false);
    const got = received(t, 4);
    t.write(Uint8Array.of(0x01, 0x03, 0x0c, 0x00));
    expect([...(await got)]).toEqual([1, 3, 0x0c, 0]);
    const closed = new Promise<Error | undefined>((r) => t.onClose(r));
    await t.close();
    expect(await closed).toBeUndefined();
    expect(() => t.write(Uint8Array.of(1))).toThrow(/closed/);
  });

  it('tells the caller when the server goes away', async () => {
    const { path, sockets } = await unixEchoServer();
    const t = await openUnixH4(path);
    const closed = new Promise<Error | undefined>((r) => t.onClose(r));
    while (sockets.length === 0) await new Promise((r) => setImmediate(r));
    sockets[0].destroy();
    await closed;
  });

  it('names btvirt when /tmp/bt-server-bredr is absent or refuses', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED']) {
      const e = unixConnectError('/tmp/bt-server-bredr', Object.assign(new Error(code), { code }));
      expect(e).toBeInstanceOf(TransportError);
      expect(e.message).toBe('no btvirt at /tmp/bt-server-bredr: install bluez-test-tools and run `btvirt -s -l0` (it serves /tmp/bt-server-bredr)');
    }
    expect(unixConnectError('/x', Object.assign(new Error('EACCES'), { code: 'EACCES' })).message).toMatch(/no permission to connect to \/x/);
  });

  it('hands the data to the last registered receiver only', async () => {
    const { path } = await unixEchoServer();
    const t = await openUnixH4(path);
    const first: number[] = [];
    t.onData((b) => first.push(...b));
    const got = received(t, 1);
    t.write(Uint8Array.of(7));
    expect([...(await got)]).toEqual([7]);
    expect(first).toEqual([]);
    await t.close();
  });

  it('a missing socket gives one TransportError saying how to start btvirt', async () => {
    const err = await openUnixH4(join(tempDir(), 'absent')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/nothing listens at .*absent \(ENOENT\).*bluez-test-tools.*btvirt -s -l0/);
  });
});

describe('h4-stream over TCP', () => {
  it('carries bytes both ways', async () => {
    const { server } = echoServer();
    await listen(server, 0);
    const port = (server.address() as AddressInfo).port;
    const t = await openTcpH4('127.0.0.1', port);
    expect(t.description).toBe(`h4:tcp:127.0.0.1:${port}`);
    const got = received(t, 6);
    t.write(Uint8Array.of(1, 9, 0x10));
    t.write(Uint8Array.of(0, 0xaa, 0xbb));
    expect([...(await got)]).toEqual([1, 9, 0x10, 0, 0xaa, 0xbb]);
    await t.close();
  });

  it('a refused connection names RootCanal and btproxy', async () => {
    const { server } = echoServer();
    await listen(server, 0);
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    servers.length = 0;
    const err = await openTcpH4('127.0.0.1', port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/nothing listens on 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*RootCanal.*btproxy/);
  });

  it('refuses a port outside 1..65535', async () => {
    await expect(openTcpH4('localhost', 70000)).rejects.toThrow(/outside 1\.\.65535/);
  });
});

describe('h4-stream over a serial port', () => {
  it('without the serialport package: TransportError saying npm install serialport', async () => {
    const err = await openSerialH4('/dev/ttyUSB0', {
      load: () => Promise.reject(Object.assign(new Error("Cannot find package 'serialport'"), { code: 'ERR_MODULE_NOT_FOUND' })),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/npm install serialport/);
  });

  it('opens the port with the baud rate and carries bytes', async () => {
    const opened: unknown[] = [];
    class FakeSerialPort extends Duplex {
      constructor(readonly options: { path: string; baudRate: number }) {
        super();
        opened.push(options);
      }
      open(cb: (e: Error | null) => void): void {
        cb(null);
      }
      override _write(chunk: Buffer, _enc: string, cb: () => void): void {
        this.push(chunk);
        cb();
      }
      override _read(): void {}
    }
    const t = await openSerialH4('/dev/ttyACM0', { baudRate: 1_000_000, load: async () => ({ SerialPort: FakeSerialPort }) });
    expect(opened).toEqual([{ path: '/dev/ttyACM0', baudRate: 1_000_000, rtscts: false, autoOpen: false }]);
    expect(t.description).toBe('serial:/dev/ttyACM0,1000000');
    const got = received(t, 2);
    t.write(Uint8Array.of(4, 5));
    expect([...(await got)]).toEqual([4, 5]);
    await t.close();
  });

  it('an open failure names the device and what to check', async () => {
    class Failing extends PassThrough {
      open(cb: (e: Error | null) => void): void {
        cb(Object.assign(new Error('Error: Permission denied, cannot open /dev/ttyS9'), { code: 'EACCES' }));
      }
    }
    await expect(openSerialH4('/dev/ttyS9', { load: async () => ({ SerialPort: Failing }) })).rejects.toThrow(/cannot open serial port \/dev\/ttyS9.*dialout/);
  });
});
