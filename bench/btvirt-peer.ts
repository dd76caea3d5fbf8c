/**
 * One end of the over-btvirt benchmarks: this stack in its own process, with the defaults a user
 * gets (`Adapter.open(spec)`), driven by lines on stdin and answering with JSON lines on stdout.
 *
 *   tsx bench/btvirt-peer.ts SPEC rfcomm|l2cap listen            → {"address"}, then {"connected"}
 *   tsx bench/btvirt-peer.ts SPEC rfcomm|l2cap connect ADDR PORT → {"address"}, then {"connected"}
 *
 * For exploring other defaults, BENCH_RX_WINDOW and BENCH_L2CAP_MTU (environment) set the RFCOMM
 * receive window and the L2CAP MTU the adapter offers; BENCH_BTSNOOP=PREFIX records each peer's
 * HCI traffic to PREFIX-listen.btsnoop and PREFIX-connect.btsnoop.
 *
 * Commands: `send N BASE` sends N bytes of the pattern from offset BASE ({"sent"}); `recv N BASE`
 * reads and checks N bytes ({"bytes","ms","firstPacket"} or {"error"}); `echo-serve` echoes until
 * the peer closes; `echo K` times K round trips of 16 bytes ({"median","p99"} in µs).
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Adapter, BluetoothSocket, L2CAP, RFCOMM } from '../src/socket/index.js';
import { echoRoundTrips, serveEcho } from './echo.js';
import { PatternCheck, patternAt } from './pattern.js';

const [spec, protoName, role, peer, port] = process.argv.slice(2);
// The orchestrator stops a profiling peer with SIGINT: exit normally, so that node writes the profile.
process.on('SIGINT', () => process.exit(0));
const proto = protoName === 'l2cap' ? L2CAP : RFCOMM;
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const window = process.env.BENCH_RX_WINDOW;
const mtu = process.env.BENCH_L2CAP_MTU;
const adapter = await Adapter.open(spec, {
  ...(window ? { rxWindow: Number(window) } : {}),
  ...(mtu ? { stack: { l2cap: { defaultMtu: Number(mtu) } } } : {}),
  ...(process.env.BENCH_BTSNOOP ? { btsnoop: `${process.env.BENCH_BTSNOOP}-${role}.btsnoop` } : {}),
});
say({ address: adapter.address });
let sock: BluetoothSocket;
if (role === 'listen') {
  const server = new BluetoothSocket(proto, { adapter });
  server.bind(['', proto === RFCOMM ? 1 : 0x1001]);
  server.listen(1);
  [sock] = await server.accept();
} else {
  sock = new BluetoothSocket(proto, { adapter });
  await sock.connect([peer, Number(port)]);
}
say({ connected: true, frameSize: sock.frameSize });
// Data lost on the way (btvirt drops what a late reader does not take): the transfer has failed.
sock.on('dropped', ({ message }: { message: string }) => say({ error: `data lost on the way: ${message}` }));

async function send(total: number, base: number): Promise<void> {
  const chunk = proto === RFCOMM ? 65536 : sock.frameSize;
  for (let at = 0; at < total; at += chunk) await sock.sendall(patternAt(base + at, Math.min(chunk, total - at)));
  say({ sent: total });
}

async function recv(total: number, base: number): Promise<void> {
  const check = new PatternCheck(total, base);
  let first = 0;
  let firstPacket = 0;
  let last = 0;
  while (!check.done) {
    const part = await sock.recv(65536);
    if (part.length === 0) break;
    last = performance.now();
    if (check.received === 0) {
      first = last;
      firstPacket = part.length;
    }
    check.add(part);
  }
  try {
    check.verify('transfer');
    say({ bytes: check.received, ms: last - first, firstPacket });
  } catch (error) {
    say({ error: (error as Error).message });
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const [verb, a, b] = line.split(' ');
  try {
    if (verb === 'send') await send(Number(a), Number(b));
    else if (verb === 'recv') await recv(Number(a), Number(b));
    else if (verb === 'echo-serve') void serveEcho(sock);
    else if (verb === 'echo') say(await echoRoundTrips(sock, Number(a)));
    else if (verb === 'close') break;
  } catch (error) {
    // The channel failed (the link was lost, say): the orchestrator counts it; this peer is done.
    say({ error: (error as Error).message });
    process.exit(1);
  }
}
await sock.close();
await adapter.close();
process.exit(0);
