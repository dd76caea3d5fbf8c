/**
 * Benchmarks (`npm run bench`): prints a table, asserts nothing. Codec throughput on real-capture
 * shaped frames, and bulk RFCOMM transfer between two stacks on the virtual controller (manual
 * clock, so the number is the stack's own CPU cost per byte), raw L2CAP likewise, and RFCOMM between
 * two sockets on the real clock (what an application sees, Node streams and timers included).
 */
import { performance } from 'node:perf_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { decodeHciPacket, encodeHciPacket } from '../src/hci/index.js';
import { decodeRfcommFrame, encodeRfcommFrame } from '../src/rfcomm/index.js';
import { readCapture, PacketDecoder } from '../src/trace/index.js';
import { VirtualNet } from '../test/support/virtual-net.js';
import { patternBytes, Sink } from '../test/support/bulk.js';
import { Adapter, BluetoothSocket, PORT_ANY, RFCOMM } from '../src/socket/index.js';

interface Row {
  name: string;
  ops: number;
  ms: number;
  unit: string;
  bytes?: number;
}

const rows: Row[] = [];

function time(name: string, unit: string, fn: () => { ops: number; bytes?: number }): void {
  fn();
  const t0 = performance.now();
  const { ops, bytes } = fn();
  rows.push({ name, ops, ms: performance.now() - t0, unit, bytes });
}

const uih = encodeRfcommFrame({ type: 'UIH', dlci: 2, cr: true, pf: true, credits: 7, info: patternBytes(0, 127) });
time('RFCOMM UIH decode (127 B + credits)', 'frames', () => {
  for (let i = 0; i < 200_000; i++) decodeRfcommFrame(uih);
  return { ops: 200_000, bytes: 200_000 * uih.length };
});
time('RFCOMM UIH encode (127 B + credits)', 'frames', () => {
  const info = patternBytes(0, 127);
  for (let i = 0; i < 200_000; i++) encodeRfcommFrame({ type: 'UIH', dlci: 2, cr: true, pf: true, credits: 7, info });
  return { ops: 200_000, bytes: 200_000 * uih.length };
});

const trace = '../shared/traces/HappyLeaf__btsnoop_hci@d1c631f.log';
if (existsSync(trace)) {
  const bytes = readFileSync(trace);
  const records = [...readCapture(bytes)];
  time('capture read (btsnoop, 76k records)', 'records', () => ({ ops: [...readCapture(bytes)].length, bytes: bytes.length }));
  time('HCI decode + re-encode (same capture)', 'packets', () => {
    for (const r of records) encodeHciPacket(decodeHciPacket(r.h4));
    return { ops: records.length };
  });
  time('decode every layer (same capture)', 'packets', () => {
    const d = new PacketDecoder();
    for (const r of records) d.decode(r.direction, r.h4);
    return { ops: records.length };
  });
}

for (const aclSize of [27, 1021]) {
  time(`RFCOMM 4 MiB one way, virtual pair, ACL ${aclSize}`, 'MiB', () => {
    const net = new VirtualNet();
    const a = net.add({ controller: { aclSize, aclCount: 8 } });
    const b = net.add({ controller: { aclSize, aclCount: 8 } });
    net.ready(a, b);
    b.stack.listenRfcomm(1);
    const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    net.expect(a, 'rfcomm-open', (e) => e.id === ida);
    const idb = net.expect(b, 'rfcomm-open').id;
    const total = 4 << 20;
    const sink = new Sink(net, b, idb, total);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = a.stack.writeRfcomm(ida, patternBytes(sent, Math.min(16384, total - sent)), net.now);
        sent += n;
        if (n === 0) return;
      }
    };
    a.listeners.push((e) => e.type === 'rfcomm-writable' && pump());
    pump();
    net.runUntil(() => sink.done, 3_600_000);
    if (sink.errors.length) throw new Error(sink.errors.join('; '));
    return { ops: 4, bytes: total };
  });
}

time('raw L2CAP 4 MiB one way, virtual pair, ACL 1021, MTU 672', 'MiB', () => {
  const net = new VirtualNet();
  const a = net.add({ controller: { aclSize: 1021, aclCount: 8 } });
  const b = net.add({ controller: { aclSize: 1021, aclCount: 8 } });
  net.ready(a, b);
  const psm = b.stack.listenL2cap(0);
  const ida = a.stack.connectL2cap(b.stack.address, psm, net.now);
  const mtu = net.expect(a, 'l2cap-open', (e) => e.id === ida).remoteMtu;
  const idb = net.expect(b, 'l2cap-open').id;
  const total = 4 << 20;
  let received = 0;
  b.listeners.push((e) => {
    if (e.type === 'l2cap-data' && e.id === idb) received += e.sdu.length;
  });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(mtu, total - sent);
      if (!a.stack.sendL2cap(ida, patternBytes(sent, n), net.now)) return;
      sent += n;
    }
  };
  a.listeners.push((e) => e.type === 'l2cap-writable' && pump());
  pump();
  net.runUntil(() => received === total, 3_600_000);
  return { ops: 4, bytes: total };
});

/** End to end as a user sees it: two sockets on two virtual adapters, real clock, Node streams. */
async function socketBulk(total: number): Promise<void> {
  const [server, client] = [await Adapter.open('virtual'), await Adapter.open('virtual')];
  const listener = new BluetoothSocket(RFCOMM, { adapter: server });
  listener.bind(['', PORT_ANY]);
  listener.listen(1);
  const accepted = listener.accept();
  const sock = new BluetoothSocket(RFCOMM, { adapter: client });
  await sock.connect([server.address, listener.getsockname()[1]]);
  const [conn] = await accepted;
  const t0 = performance.now();
  const reading = (async () => {
    let got = 0;
    while (got < total) got += (await conn.recv(65536)).length;
  })();
  const chunk = patternBytes(0, 65536);
  for (let sent = 0; sent < total; sent += chunk.length) await sock.sendall(chunk);
  await reading;
  rows.push({ name: `socket RFCOMM ${total >> 20} MiB, two virtual adapters, real clock`, ops: total >> 20, ms: performance.now() - t0, unit: 'MiB', bytes: total });
  await sock.close();
  await conn.close();
  await client.close();
  await server.close();
}
await socketBulk(16 << 20);

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
console.log('| benchmark | count | time (ms) | per second | MiB/s |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  const perSec = (r.ops / r.ms) * 1000;
  const mibs = r.bytes ? fmt(r.bytes / 1048576 / (r.ms / 1000)) : '';
  console.log(`| ${r.name} | ${r.ops} ${r.unit} | ${fmt(r.ms)} | ${fmt(perSec)} | ${mibs} |`);
}
