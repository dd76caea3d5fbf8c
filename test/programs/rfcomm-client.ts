// The README's client (the PyBluez post) on the default adapter (BTC_TRANSPORT, else virtual): it
// connects, sends, prints the reply, closes its socket, and must end by itself.
//   BTC_TRANSPORT=h4:unix:/tmp/bt-server-bredr npx tsx test/programs/rfcomm-client.ts ADDR CHANNEL
import { BluetoothSocket, RFCOMM } from '../../src/index.js';

const [addr, channel] = [process.argv[2], Number(process.argv[3])];
const sock = new BluetoothSocket(RFCOMM);
await sock.connect([addr, channel]);
await sock.send('Hello, world!');
const receivedData = await sock.recv(1024);
console.log('Received data:', receivedData.toString());
sock.close();
