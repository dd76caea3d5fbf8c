/**
 * The user-channel transport's own code end to end, with only the native binding replaced: the
 * binding's package is mocked by a stand-in with its interface whose controller is btvirt
 * (support/hci-socket-stand-in.ts). `Adapter.open('hci0')` goes through openTransport, the binding
 * loader (loadDriver('native')), bindUser, the transport and the host's Host Buffer Size for the
 * 1019-byte limit; an RFCOMM echo runs between it and an H4 btvirt adapter.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Adapter, BluetoothSocket, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { StandInHciSocket } from './support/hci-socket-stand-in.js';

vi.mock('@stoprocent/bluetooth-hci-socket', async () => {
  const { StandInHciSocket: Socket } = await import('./support/hci-socket-stand-in.js');
  return { default: Socket, loadDriver: (driver: string) => (driver === 'native' ? Socket : undefined) };
});

describe.skipIf(btvirtMissing())('the HCI user channel over a stand-in binding whose controller is btvirt', () => {
  const open: Adapter[] = [];
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
  });

  it('opens hci0, pages an H4 btvirt adapter and echoes over RFCOMM both ways', async () => {
    StandInHciSocket.btvirtPath = btvirtSocket();
    const before = StandInHciSocket.made.length;
    const user = await Adapter.open('hci0', { name: 'user channel' });
    open.push(user);
    const h4 = await Adapter.open(`h4:unix:${btvirtSocket()}`, { name: 'h4' });
    open.push(h4);

    const [socket] = StandInHciSocket.made.slice(before);
    expect(socket.boundTo).toBe(0);
    // Host Buffer Size (opcode 0x0C33) tells the controller the bindings' 1019-byte ACL limit.
    const hostBufferSize = socket.written.find((p) => p[0] === 0x01 && p.readUInt16LE(1) === 0x0c33);
    expect(hostBufferSize?.readUInt16LE(4)).toBe(1019);
    expect(user.address).not.toBe(h4.address);

    for (const [server, client] of [
      [h4, user],
      [user, h4],
    ]) {
      const listening = new BluetoothSocket(RFCOMM, { adapter: server });
      listening.bind(['', PORT_ANY]);
      listening.listen(1);
      const accepted = listening.accept();
      const sock = new BluetoothSocket(RFCOMM, { adapter: client });
      await sock.connect([server.address, listening.getsockname()[1]]);
      const [conn] = await accepted;
      const message = `from ${client.name} to ${server.name}`;
      await sock.send(message);
      await conn.send(await conn.recv(1024));
      expect((await sock.recv(1024)).toString()).toBe(message);
      sock.close();
      conn.close();
      listening.close();
    }
  });
});
