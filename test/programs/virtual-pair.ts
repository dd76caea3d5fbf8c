// The README's server and client in one process on the virtual controller (where both ends must
// live in one process): the server on an adapter of its own, the client on the default adapter.
// Neither adapter is closed; the program must end by itself once both sockets are closed.
import { Adapter, BluetoothSocket, RFCOMM, PORT_ANY } from '../../src/index.js';

const adapter = await Adapter.open('virtual');
const server = new BluetoothSocket(RFCOMM, { adapter });
server.bind(['', PORT_ANY]);
server.listen(1);
const serving = (async () => {
  const [client] = await server.accept();
  await client.send(await client.recv(1024));
  client.close();
  server.close();
})();

const sock = new BluetoothSocket(RFCOMM);
await sock.connect([adapter.address, server.getsockname()[1]]);
await sock.send('Hello, world!');
console.log('Received data:', (await sock.recv(1024)).toString());
sock.close();
await serving;
