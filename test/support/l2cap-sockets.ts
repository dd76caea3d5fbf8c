/** Two L2CAP sockets connected on a dynamic PSM, as most L2CAP socket tests begin. */
import { type Adapter, BluetoothSocket, L2CAP } from '../../src/socket/index.js';

/** A listener on `server` at a dynamic PSM and a socket from `client` connected to it: the PSM, the listener, the client's end and the accepted one. */
export async function l2capPair(server: Adapter, client: Adapter): Promise<{ psm: number; listener: BluetoothSocket; sock: BluetoothSocket; conn: BluetoothSocket }> {
  const listener = new BluetoothSocket(L2CAP, { adapter: server });
  listener.bind(['', 0]);
  listener.listen(1);
  const psm = listener.getsockname()[1];
  const accepted = listener.accept();
  const sock = new BluetoothSocket(L2CAP, { adapter: client });
  await sock.connect([server.address, psm]);
  const [conn] = await accepted;
  return { psm, listener, sock, conn };
}
