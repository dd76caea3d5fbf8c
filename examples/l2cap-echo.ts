// L2CAP echo on a dynamic PSM, in one process on two virtual controllers (or two btvirt ones):
// the server echoes every SDU; the client sends three and prints the replies. SDU boundaries
// are kept, as with PyBluez's L2CAP sockets.
//   npx tsx examples/l2cap-echo.ts [--transport h4:unix:/tmp/bt-server-bredr]
import { Adapter, BluetoothSocket, L2CAP } from 'bluetooth-classic-stack';

const spec = process.argv.includes('--transport') ? process.argv[process.argv.indexOf('--transport') + 1] : 'virtual';
const serverAdapter = await Adapter.open(spec, { name: 'l2cap-echo server' });
const clientAdapter = await Adapter.open(spec, { name: 'l2cap-echo client' });

const server = new BluetoothSocket(L2CAP, { adapter: serverAdapter });
server.bind(['', 0]);
server.listen(1);
const psm = server.getsockname()[1];
console.log(`server ${serverAdapter.address} listening on PSM 0x${psm.toString(16)}`);
const serving = (async () => {
  const [conn] = await server.accept();
  try {
    for (;;) await conn.send(await conn.recv(65535));
  } catch {
    conn.close();
  }
})();

const sock = new BluetoothSocket(L2CAP, { adapter: clientAdapter });
await sock.connect([serverAdapter.address, psm]);
for (const text of ['one', 'two two', 'three three three']) {
  await sock.send(text);
  console.log('echo:', (await sock.recv(65535)).toString());
}
sock.close();
await serving;
server.close();
await clientAdapter.close();
await serverAdapter.close();
