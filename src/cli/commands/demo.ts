/**
 * `btc demo` (what `npm start` runs): the PyBluez post's story on two virtual controllers, with no
 * hardware. A server advertises a Serial Port service and echoes; a client discovers it, finds its
 * channel by SDP, connects over RFCOMM, sends "Hello, world!", receives the echo and closes. Every
 * HCI packet the client's controller sees is decoded layer by layer and saved as btsnoop.
 */
import {
  Adapter,
  advertiseService,
  BluetoothSocket,
  discoverDevices,
  findService,
  isPeerClose,
  PORT_ANY,
  RFCOMM,
  SERIAL_PORT_CLASS,
  SERIAL_PORT_PROFILE,
} from '../../socket/index.js';
import { PacketDecoder } from '../../trace/index.js';
import { closeOnSignal } from '../adapter-from-args.js';
import { BTSNOOP_OPTION, flag, str, TRANSPORT_OPTION, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { fileToWrite } from '../paths.js';

const SERVICE_ID = '94f39d29-7d6d-437d-973b-fba39e49d4ee';

export const demo: Command = {
  spec: {
    name: 'demo',
    usage: 'demo [--btsnoop FILE] [--quiet]',
    summary: 'two virtual controllers: SPP echo service, discovery, SDP, RFCOMM "Hello, world!"',
    options: [{ name: 'quiet', help: 'do not print the decoded trace' }, TRANSPORT_OPTION, BTSNOOP_OPTION],
    details: 'The client side trace is saved to --btsnoop (default btc-demo.btsnoop); open it with Wireshark or `btmon -r`.',
  },
  async run(args: Parsed): Promise<number> {
    const transport = str(args, 'transport') ?? 'virtual';
    const btsnoop = fileToWrite(str(args, 'btsnoop') ?? 'btc-demo.btsnoop', '--btsnoop');
    const quiet = flag(args, 'quiet');
    const server = await Adapter.open(transport, { name: 'btc echo server' });
    const client = await Adapter.open(transport, { name: 'btc client', btsnoop });
    const releases = [closeOnSignal(client), closeOnSignal(server)];
    try {
      console.log(`server ${server.address}  client ${client.address}  (${client.transport})`);
      if (!quiet) {
        const decoder = new PacketDecoder();
        client.stack.tracing = true;
        client.watch((e) => {
          if (e.type !== 'packet') return;
          const lines = decoder.describe(e.direction, e.bytes);
          lines.forEach((line, i) => console.log(`  ${i > 0 ? ' ' : e.direction === 'tx' ? '<' : '>'} ${line}`));
        });
      }

      // The server: PyBluez's rfcomm-server, with an echo loop.
      const listener = new BluetoothSocket(RFCOMM, { adapter: server });
      listener.bind(['', PORT_ANY]);
      listener.listen(1);
      advertiseService(listener, 'Echo Service', { serviceId: SERVICE_ID, serviceClasses: [SERVICE_ID, SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
      console.log(`[server] listening on RFCOMM channel ${listener.getsockname()[1]}, advertised as "Echo Service"`);
      const served = serveEcho(listener);

      // The client: discover, find the service, connect, send, receive, close.
      console.log('[client] discovering devices …');
      const devices = await discoverDevices({ adapter: client, duration: 1, lookupNames: true });
      for (const d of devices) console.log(`[client] found ${d.address} "${d.name ?? ''}"`);
      const target = devices.find((d) => d.address === server.address);
      if (!target) throw new Error('the server was not discovered');
      const [service] = await findService({ address: target.address, uuid: SERVICE_ID, adapter: client });
      if (!service?.port) throw new Error('the echo service was not found by SDP');
      console.log(`[client] SDP: "${service.name}" on RFCOMM channel ${service.port}`);

      const sock = new BluetoothSocket(RFCOMM, { adapter: client });
      await sock.connect([service.host, service.port]);
      console.log(`[client] connected to ${service.host} channel ${service.port}`);
      await sock.send('Hello, world!');
      const received = await sock.recv(1024);
      console.log(`Received data: ${received.toString()}`);
      sock.close();
      const servedWell = await served;
      await client.waitFor((e) => (e.type === 'link-down' ? true : undefined), 10_000, 'the link to close');
      console.log(`[client] trace saved to ${btsnoop} (open with Wireshark or btmon -r)`);
      return servedWell && received.toString() === 'Hello, world!' ? 0 : 1;
    } finally {
      for (const release of releases) release();
      await client.close();
      await server.close();
    }
  },
};

/** Echoes one connection; false when it ended by anything but the client's orderly close. */
async function serveEcho(listener: BluetoothSocket): Promise<boolean> {
  const [conn, [addr, channel]] = await listener.accept();
  console.log(`[server] accepted ${addr} on channel ${channel}`);
  let ok = true;
  try {
    for (;;) {
      const data = await conn.recv(1024);
      if (data.length === 0) break;
      console.log(`[server] echoing ${JSON.stringify(data.toString())}`);
      await conn.send(data);
    }
  } catch (error) {
    ok = isPeerClose(error);
    console.log(ok ? '[server] the client closed the connection' : `[server] the connection failed: ${(error as Error).message}`);
  }
  conn.close();
  listener.close();
  return ok;
}
