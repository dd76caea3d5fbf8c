// The README's server (PyBluez's rfcomm-server.py) as a user writes it: one client, an echo, then
// the sockets are closed and the program must end by itself (the adapter is never closed).
//   BTC_TRANSPORT=h4:unix:/tmp/bt-server-bredr npx tsx test/programs/rfcomm-server.ts
import { Adapter, BluetoothSocket, RFCOMM, PORT_ANY, advertiseService, SERIAL_PORT_CLASS, SERIAL_PORT_PROFILE } from '../../src/index.js';

const adapter = await Adapter.open(process.env.BTC_TRANSPORT ?? 'virtual');
const server = new BluetoothSocket(RFCOMM, { adapter });
server.bind(['', PORT_ANY]);
server.listen(1);
advertiseService(server, 'SampleServer', { serviceClasses: [SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
console.log(`Waiting for connection on ${adapter.address} RFCOMM channel ${server.getsockname()[1]}`);
const [client, [address]] = await server.accept();
const data = await client.recv(1024);
console.log(`Received from ${address}:`, data.toString());
await client.send(data);
client.close();
server.close();
