/**
 * `btc demo` (what `npm start` runs): the PyBluez post's story on two virtual controllers, with no
 * hardware. A server advertises a Serial Port service and echoes; a client discovers it, finds its
 * channel by SDP, connects over RFCOMM, sends "Hello, world!", receives the echo and closes. Every
 * HCI packet the client's controller sees is saved as btsnoop (and pcapng with --pcapng) and, with --trace, decoded layer by
 * layer on stderr as it passes; a short summary ends the output, so the result fits one screen.
 */
import { readFileSync } from 'node:fs';
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
import { readCapture } from '../../trace/index.js';
import { closeOnSignal } from '../adapter-from-args.js';
import { BTSNOOP_OPTION, flag, PCAPNG_OPTION, str, TRACE_OPTION, TRANSPORT_OPTION, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { fileToWrite } from '../paths.js';
import { printTrace } from '../trace-printer.js';

const SERVICE_ID = '94f39d29-7d6d-437d-973b-fba39e49d4ee';

export const demo: Command = {
  spec: {
    name: 'demo',
    usage: 'demo [--trace] [--btsnoop FILE] [--pcapng FILE]',
    summary: 'two virtual controllers: SPP echo service, discovery, SDP, RFCOMM "Hello, world!"',
    options: [TRACE_OPTION, TRANSPORT_OPTION, BTSNOOP_OPTION, PCAPNG_OPTION],
    details: 'The client side trace is saved to --btsnoop (default btc-demo.btsnoop), and to --pcapng too when given; open them with Wireshark, `btmon -r` (btsnoop) or `btc decode`.',
  },
  async run(args: Parsed): Promise<number> {
    const started = performance.now();
    const transport = str(args, 'transport') ?? 'virtual';
    const btsnoop = fileToWrite(str(args, 'btsnoop') ?? 'btc-demo.btsnoop', '--btsnoop');
    const pcapngArg = str(args, 'pcapng');
    const pcapng = pcapngArg === undefined ? undefined : fileToWrite(pcapngArg, '--pcapng');
    const server = await Adapter.open(transport, { name: 'btc echo server' });
    const client = await Adapter.open(transport, { name: 'btc client', btsnoop, ...(pcapng ? { pcapng } : {}) });
    const releases = [closeOnSignal(client), closeOnSignal(server)];
    let story: Story;
    try {
      console.log(`server ${server.address}  client ${client.address}  (${client.transport})`);
      if (flag(args, 'trace')) printTrace(client);
      story = await echoStory(server, client);
    } finally {
      for (const release of releases) release();
      await client.close();
      await server.close();
    }
    // Counted once both adapters are closed, so the count is the file's own.
    const packets = [...readCapture(readFileSync(btsnoop))].length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const echoed = story.received === 'Hello, world!';
    const ok = story.servedWell && echoed;
    console.log(
      [
        '',
        'Summary',
        `  discovery  found "${story.name}" at ${story.address}`,
        `  SDP        "${story.service}" on RFCOMM channel ${story.channel}`,
        `  RFCOMM     sent "Hello, world!" (13 bytes), ${echoed ? `${Buffer.byteLength(story.received)} bytes echoed back` : `got ${JSON.stringify(story.received)} back`}`,
        `  close      ${story.servedWell ? 'in order (DISC), link down' : 'NOT in order'}`,
        `  trace      ${packets} HCI packets in ${btsnoop}${pcapng ? ` and ${pcapng}` : ''} (btc decode ${btsnoop}; Wireshark; btmon -r)${flag(args, 'trace') ? '' : '; btc demo --trace prints them decoded'}`,
        `  time       ${seconds} s`,
        `  result     ${ok ? 'OK' : 'FAILED'}`,
      ].join('\n'),
    );
    return ok ? 0 : 1;
  },
};

/** What the demo saw, for its summary. */
interface Story {
  name: string;
  address: string;
  service: string;
  channel: number;
  received: string;
  servedWell: boolean;
}

/** The server advertises and echoes; the client discovers it, finds its channel by SDP, connects,
 * sends "Hello, world!", reads the echo and closes, then waits for the link to go down. */
async function echoStory(server: Adapter, client: Adapter): Promise<Story> {
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
  const received = (await sock.recv(1024)).toString();
  console.log(`Received data: ${received}`);
  sock.close();
  const servedWell = await served;
  await client.waitFor((e) => (e.type === 'link-down' ? true : undefined), 10_000, 'the link to close');
  return { name: target.name ?? '', address: target.address, service: service.name ?? '', channel: service.port, received, servedWell };
}

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
