/**
 * The whole stack against controllers nobody here wrote: BlueZ's btvirt emulator (one emulated
 * BR/EDR controller per connection to the socket the test run gives it). Two adapters initialise, page each
 * other, find a service by SDP, and move data over RFCOMM (1, 2 and 30 DLCs, 1 MiB each way, a slow
 * reader) and raw L2CAP (1 MiB each way on a dynamic PSM), closing from either side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adapter, advertiseService, BluetoothSocket, findService, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { btvirtSocket, btvirtMissing } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';
import { l2capPair } from '../support/l2cap-sockets.js';
import { senderOutOfCredits, until } from '../support/wait.js';

const SPEC = `h4:unix:${btvirtSocket()}`;

/** Reads exactly `total` bytes from `sock` and checks them against the pattern. */
async function readPattern(sock: BluetoothSocket, total: number): Promise<void> {
  let at = 0;
  while (at < total) {
    const part = await sock.recv(65536);
    if (part.length === 0) throw new Error(`EOF after ${at} of ${total} bytes`);
    const want = Buffer.from(patternBytes(at, part.length));
    if (!part.equals(want)) throw new Error(`data differs in the ${part.length} bytes at ${at}`);
    at += part.length;
  }
}

async function writePattern(sock: BluetoothSocket, total: number, chunk = 32768): Promise<void> {
  for (let at = 0; at < total; at += chunk) await sock.sendall(patternBytes(at, Math.min(chunk, total - at)));
}

describe.skipIf(btvirtMissing())('the stack on btvirt', () => {
  let a: Adapter;
  let b: Adapter;

  beforeEach(async () => {
    // The defaults a user gets: over a unix socket the RFCOMM window is small enough that btvirt,
    // which drops what a late reader's socket cannot take, never has to (UNIX_SOCKET_RX_WINDOW).
    a = await Adapter.open(SPEC, { name: 'btvirt-a' });
    b = await Adapter.open(SPEC, { name: 'btvirt-b' });
  });

  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('initialises two controllers with different addresses', () => {
    expect(a.address).not.toBe(b.address);
    expect(a.address).not.toBe('00:00:00:00:00:00');
  });

  it('pages, finds the service by SDP (UUID and name), and echoes over RFCOMM; the link goes down after close', async () => {
    const server = new BluetoothSocket(RFCOMM, { adapter: b });
    server.bind(['', PORT_ANY]);
    server.listen(1);
    advertiseService(server, 'btvirt echo', { serviceId: '8a5f1c3e-0000-4000-8000-00aabbccddee' });
    const [byUuid] = await findService({ address: b.address, uuid: '8a5f1c3e-0000-4000-8000-00aabbccddee', adapter: a });
    expect(byUuid?.port).toBe(server.getsockname()[1]);
    const byName = await findService({ address: b.address, name: 'btvirt echo', adapter: a });
    expect(byName.map((s) => s.port)).toEqual([byUuid.port]);

    const accepted = server.accept();
    const sock = new BluetoothSocket(RFCOMM, { adapter: a });
    await sock.connect([b.address, byUuid.port!]);
    const [conn] = await accepted;
    await sock.send('Hello, world!');
    const got = await conn.recv(1024);
    await conn.send(got);
    expect((await sock.recv(1024)).toString()).toBe('Hello, world!');
    const down = a.waitFor((e) => (e.type === 'link-down' ? e : undefined), 20_000, 'the link to go down');
    sock.close();
    await expect(conn.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await down).address).toBe(b.address);
  });

  it.each([1, 2, 30])('%i DLC(s) at once, 1 MiB each way on each', async (count) => {
    const size = 1 << 20;
    const servers: BluetoothSocket[] = [];
    for (let ch = 1; ch <= count; ch++) {
      const s = new BluetoothSocket(RFCOMM, { adapter: b });
      s.bind(['', ch]);
      s.listen(1);
      servers.push(s);
    }
    const pairs = await Promise.all(
      servers.map(async (s, i) => {
        const accepted = s.accept();
        const c = new BluetoothSocket(RFCOMM, { adapter: a });
        await c.connect([b.address, i + 1]);
        const [peer] = await accepted;
        return [c, peer] as const;
      }),
    );
    await Promise.all(pairs.flatMap(([c, p]) => [writePattern(c, size), readPattern(p, size), writePattern(p, size), readPattern(c, size)]));
    for (const [c] of pairs) c.close();
  });

  it('a slow reader holds the sender back without losing a byte, and the accepting side closes', async () => {
    const server = new BluetoothSocket(RFCOMM, { adapter: b });
    server.bind(['', 4]);
    server.listen(1);
    const accepted = server.accept();
    const sock = new BluetoothSocket(RFCOMM, { adapter: a });
    await sock.connect([b.address, 4]);
    const [conn] = await accepted;
    const total = 400_000;
    let written = 0;
    const writer = (async () => {
      for (; written < total; written += 10_000) await sock.sendall(patternBytes(written, 10_000));
    })();
    // Once the writer spent every credit b gave, nothing more can go until conn reads.
    await until(() => senderOutOfCredits(b.stack), 'writer out of credits');
    expect(written).toBeLessThan(total);
    await readPattern(conn, total);
    await writer;
    conn.close();
    await expect(sock.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('pairs with Secure Simple Pairing, encrypts, reads the key size (btvirt answers 16 octets), and opens a secured RFCOMM channel', async () => {
    const server = new BluetoothSocket(RFCOMM, { adapter: b, security: 'encrypted' });
    server.bind(['', 6]);
    server.listen(1);
    const accepted = server.accept();
    const encrypted = a.waitFor((e) => (e.type === 'security' && e.event.type === 'encryption-changed' && e.event.enabled ? e.event : undefined), 20_000, 'encryption');
    const keySize = a.waitFor((e) => (e.type === 'security' && e.event.type === 'encryption-key-size' ? e.event : undefined), 20_000, 'the key size check');
    const paired = a.waitFor((e) => (e.type === 'security' && e.event.type === 'paired' ? e.event : undefined), 20_000, 'pairing');
    const sock = new BluetoothSocket(RFCOMM, { adapter: a, security: 'encrypted' });
    await sock.connect([b.address, 6]);
    const [conn] = await accepted;
    expect((await paired).address).toBe(b.address);
    expect((await encrypted).enabled).toBe(true);
    expect(await keySize).toMatchObject({ keySize: 16, ok: true });
    await sock.send('over an encrypted link');
    expect((await conn.recv(100)).toString()).toBe('over an encrypted link');
    sock.close();
  });

  it('either side can drop the ACL link; both see it go down', async () => {
    const server = new BluetoothSocket(RFCOMM, { adapter: b });
    server.bind(['', 7]);
    server.listen(1);
    const accepted = server.accept();
    const sock = new BluetoothSocket(RFCOMM, { adapter: a });
    await sock.connect([b.address, 7]);
    const [conn] = await accepted;
    const downA = a.waitFor((e) => (e.type === 'link-down' ? e : undefined), 10_000, 'link down at a');
    const downB = b.waitFor((e) => (e.type === 'link-down' ? e : undefined), 10_000, 'link down at b');
    b.driver.run((now) => b.stack.disconnectAll(now));
    expect((await downA).address).toBe(b.address);
    expect((await downB).address).toBe(a.address);
    await expect(sock.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(conn.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('raw L2CAP: 1 MiB each way on a dynamic PSM, SDU boundaries kept', async () => {
    const { sock, conn } = await l2capPair(b, a);
    const mtu = Math.min(sock.frameSize, conn.frameSize);
    const total = 1 << 20;
    const pump = async (from: BluetoothSocket, to: BluetoothSocket) => {
      const sending = (async () => {
        for (let at = 0; at < total; at += mtu) await from.send(patternBytes(at, Math.min(mtu, total - at)));
      })();
      let at = 0;
      while (at < total) {
        const sdu = await to.recv(65535);
        expect(sdu.length).toBe(Math.min(mtu, total - at));
        expect(sdu.equals(Buffer.from(patternBytes(at, sdu.length)))).toBe(true);
        at += sdu.length;
      }
      await sending;
    };
    await Promise.all([pump(sock, conn), pump(conn, sock)]);
    conn.close();
    await expect(sock.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
