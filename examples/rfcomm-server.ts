// RFCOMM echo server, as PyBluez's rfcomm-server.py: bind to any channel, advertise a Serial Port
// record, accept one client, echo what it sends until it disconnects.
//   npx tsx examples/rfcomm-server.ts [--transport h4:unix:/tmp/bt-server-bredr]
import { Adapter, BluetoothSocket, RFCOMM, PORT_ANY, advertiseService, isPeerClose, SERIAL_PORT_CLASS, SERIAL_PORT_PROFILE } from 'bluetooth-classic-stack';

const spec = process.argv.includes('--transport') ? process.argv[process.argv.indexOf('--transport') + 1] : 'virtual';
const adapter = await Adapter.open(spec, { name: 'rfcomm-server' });

const server = new BluetoothSocket(RFCOMM, { adapter });
server.bind(['', PORT_ANY]);
server.listen(1);
const port = server.getsockname()[1];
advertiseService(server, 'SampleServer', {
  serviceId: '94f39d29-7d6d-437d-973b-fba39e49d4ee',
  serviceClasses: ['94f39d29-7d6d-437d-973b-fba39e49d4ee', SERIAL_PORT_CLASS],
  profiles: [SERIAL_PORT_PROFILE],
});
console.log(`Waiting for connection on ${adapter.address} RFCOMM channel ${port}`);

const [client, info] = await server.accept();
console.log('Accepted connection from', info);
try {
  for (;;) {
    const data = await client.recv(1024);
    if (data.length === 0) break;
    console.log('Received', data.toString());
    await client.send(data);
  }
} catch (error) {
  // The client closing the channel is the normal end; anything else (a lost link) is reported.
  console.log(isPeerClose(error) ? 'Client disconnected' : `Connection lost: ${(error as Error).message}`);
}
client.close();
server.close();
await adapter.close();
