/**
 * The socket's failure paths against BlueZ's btvirt (a controller nobody here wrote): a refused
 * RFCOMM channel and L2CAP PSM, and a peer that disconnects in the middle of a transfer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, L2CAP, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';
import { failure } from '../support/failure.js';

describe.skipIf(btvirtMissing())('BluetoothSocket on btvirt', () => {
  let a: Adapter;
  let b: Adapter;

  beforeEach(async () => {
    // btvirt drops what a late reader's socket cannot take: a small RFCOMM window keeps within it.
    a = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'btvirt-socket-a' });
    b = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'btvirt-socket-b' });
  });

  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('a channel nobody listens on is refused with ECONNREFUSED', async () => {
    const sock = new BluetoothSocket(RFCOMM, { adapter: a });
    await expect(sock.connect([b.address, 9])).rejects.toMatchObject({ code: 'ECONNREFUSED', reason: 'refused' });
  });

  it('a PSM nobody listens on is refused with ECONNREFUSED naming the PSM', async () => {
    const sock = new BluetoothSocket(L2CAP, { adapter: a });
    const error = await failure(sock.connect([b.address, 0x1001]));
    expect(error).toMatchObject({ code: 'ECONNREFUSED', reason: 'refused' });
    expect(error.message).toContain(`${b.address} PSM 0x1001`);
  });

  it('a peer that disconnects mid-transfer: the pending sendall fails with ECONNRESET (reason disconnected), what arrived is in order', async () => {
    const server = new BluetoothSocket(RFCOMM, { adapter: b });
    server.bind(['', PORT_ANY]);
    server.listen(1);
    const accepted = server.accept();
    const sock = new BluetoothSocket(RFCOMM, { adapter: a });
    await sock.connect([b.address, server.getsockname()[1]]);
    const [conn] = await accepted;
    const total = 1 << 20;
    const sending = failure(sock.sendall(patternBytes(0, total)));
    let at = 0;
    while (at < 100_000) {
      const part = await conn.recv(65536);
      expect(part.equals(Buffer.from(patternBytes(at, part.length)))).toBe(true);
      at += part.length;
    }
    await conn.close();
    expect(await sending).toMatchObject({ code: 'ECONNRESET', reason: 'disconnected' });
    server.close();
  });
});
