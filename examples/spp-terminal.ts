// An SPP terminal, as `rfcomm connect` or a serial console: find the Serial Port channel of a
// device by SDP (or take it from the command line), connect, and join the channel to this
// terminal. Ctrl-D closes. Typical use: an OBD-II (ELM327) dongle or a microcontroller board.
//   npx tsx examples/spp-terminal.ts ADDR [CHANNEL] [--transport hci0] [--pin 1234]
import { Adapter, BluetoothSocket, RFCOMM, findService, SERIAL_PORT_CLASS } from 'bluetooth-classic-stack';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [address, channelText] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!address) {
  console.error('usage: spp-terminal.ts ADDR [CHANNEL] [--transport SPEC] [--pin PIN]');
  process.exit(2);
}

const adapter = await Adapter.open(option('--transport') ?? 'virtual', { pairing: { pin: option('--pin') } });
let channel = channelText ? Number(channelText) : undefined;
if (channel === undefined) {
  const [spp] = await findService({ address, uuid: SERIAL_PORT_CLASS, adapter });
  if (!spp?.port) throw new Error(`${address} advertises no Serial Port service`);
  channel = spp.port;
}

const sock = new BluetoothSocket(RFCOMM, { adapter });
await sock.connect([address, channel]);
console.error(`connected to ${address} channel ${channel}; Ctrl-D to close`);
if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
process.stdin.pipe(sock);
sock.pipe(process.stdout);
await new Promise((resolve) => sock.once('close', resolve));
await adapter.close();
