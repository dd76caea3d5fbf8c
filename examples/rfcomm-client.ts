// RFCOMM client, as the PyBluez post: find the service by SDP, connect, send "Hello, world!",
// print the reply, close.
//   npx tsx examples/rfcomm-client.ts ADDR [--transport h4:unix:/tmp/bt-server-bredr]
import { Adapter, BluetoothSocket, RFCOMM, findService } from 'bluetooth-classic-stack';

const address = process.argv[2];
if (!address) {
  console.error('usage: rfcomm-client.ts ADDR [--transport SPEC]');
  process.exit(2);
}
const spec = process.argv.includes('--transport') ? process.argv[process.argv.indexOf('--transport') + 1] : 'virtual';
const adapter = await Adapter.open(spec, { name: 'rfcomm-client' });

const [service] = await findService({ uuid: '94f39d29-7d6d-437d-973b-fba39e49d4ee', address, adapter });
if (!service) throw new Error(`no SampleServer on ${address}`);
console.log(`Connecting to "${service.name}" on ${service.host} channel ${service.port}`);

const sock = new BluetoothSocket(RFCOMM, { adapter });
await sock.connect([service.host, service.port!]);
await sock.send('Hello, world!');
const received = await sock.recv(1024);
console.log('Received data:', received.toString());
sock.close();
await adapter.close();
