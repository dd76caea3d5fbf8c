/**
 * The ceiling for the over-btvirt figures: a minimal host that speaks HCI (H4) to a btvirt
 * controller with nothing on top. It resets the controller, reads its ACL buffers and address,
 * and then either accepts one connection and counts the ACL data bytes that arrive, or pages a
 * given address and sends ACL packets of the controller's full length as fast as Number Of
 * Completed Packets lets it (Core v5.4 Vol 4 Part E §4.1.1). No L2CAP, no copies beyond one
 * packet buffer, no queues: what it reaches is what btvirt and the kernel allow.
 *
 *   raw-acl-host SOCKET          → prints {"address"}; then, for every transfer, counts the ACL
 *                                  data bytes up to its end marker and prints {"bytes","ms","firstPacket"}
 *   raw-acl-host SOCKET ADDRESS  → pages ADDRESS, prints {"connected"}; then per line "send N"
 *                                  sends N bytes and the end marker, and prints {"sent"}
 *
 * For the echo floor, "echo-serve" makes a host send every data packet back as it came, and
 * "echo K" times K round trips of one 16-octet packet ({"median","p99"} in µs): the least an echo
 * through btvirt between two processes costs, and how much it varies.
 *
 * A transfer ends with a one-octet packet 0xEE (data packets are full of 0x5A), so that a packet
 * btvirt drops on the way (it does, when a reader is late) shortens the count instead of stalling
 * the measure: the ceiling is a rate, and needs no host above it to be lossless.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { percentile } from './measure.js';

const [socketPath, peer] = process.argv.slice(2);
const sock: Socket = connect(socketPath);
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

let pending: Buffer = Buffer.alloc(0);
let aclLength = 0;
let freeBuffers = 0;
let handle = -1;
const completions = new Map<number, (params: Buffer) => void>();

function command(opcode: number, params: number[] = []): Promise<Buffer> {
  return new Promise((resolve) => {
    completions.set(opcode, resolve);
    sock.write(Buffer.from([0x01, opcode & 0xff, opcode >> 8, params.length, ...params]));
  });
}

function addressBytes(text: string): number[] {
  return text.split(':').reverse().map((h) => parseInt(h, 16));
}

// Receiving: the bytes of the current transfer, its first packet and when it came.
let got = 0;
let first = 0;
let firstLength = 0;
const END_MARKER = 0xee;

// Sending: bytes still to send in the current "send", and who waits for the end.
let toSend = 0;
let sent = 0;
let sendDone: (() => void) | undefined;
let markerSent = false;
let packet = Buffer.alloc(0);

// Echo: whether this host sends data back, who waits for the answer, and packets waiting for a buffer.
let echoing = false;
let answered: (() => void) | undefined;
const outbox: Buffer[] = [];

function sendData(data: Buffer): void {
  const out = Buffer.allocUnsafe(5 + data.length);
  out[0] = 0x02;
  out.writeUInt16LE(handle | (0b10 << 12), 1);
  out.writeUInt16LE(data.length, 3);
  data.copy(out, 5);
  if (freeBuffers > 0 && outbox.length === 0) {
    sock.write(out);
    freeBuffers--;
  } else outbox.push(out);
}

function pumpAcl(): void {
  while (toSend > 0 && freeBuffers > 0) {
    const n = Math.min(aclLength, toSend);
    // A buffer per packet: the socket may keep it until the kernel takes it.
    const out = Buffer.allocUnsafe(5 + n);
    packet.copy(out, 0, 0, 5 + n);
    out.writeUInt16LE(handle | (0b10 << 12), 1);
    out.writeUInt16LE(n, 3);
    sock.write(out);
    freeBuffers--;
    toSend -= n;
    sent += n;
  }
  if (toSend === 0 && sendDone && !markerSent && freeBuffers > 0) {
    const marker = Buffer.from([0x02, 0, 0, 1, 0, END_MARKER]);
    marker.writeUInt16LE(handle | (0b10 << 12), 1);
    sock.write(marker);
    freeBuffers--;
    markerSent = true;
  }
  if (toSend === 0 && markerSent && sendDone) {
    const done = sendDone;
    sendDone = undefined;
    done();
  }
}

function onEvent(code: number, p: Buffer): void {
  if (code === 0x0e) completions.get(p.readUInt16LE(1))?.(p.subarray(3));
  else if (code === 0x0f && p[0] !== 0) throw new Error(`command 0x${p.readUInt16LE(2).toString(16)} failed with status 0x${p[0].toString(16)}`);
  else if (code === 0x04) void command(0x0409, [...p.subarray(0, 6), 0x01]);
  else if (code === 0x03) {
    if (p[0] !== 0) throw new Error(`connection failed with status 0x${p[0].toString(16)}`);
    handle = p.readUInt16LE(1);
    onConnected?.();
  } else if (code === 0x13) {
    for (let i = 0; i < p[0]; i++) freeBuffers += p.readUInt16LE(1 + 2 * p[0] + 2 * i);
    for (; freeBuffers > 0 && outbox.length > 0; freeBuffers--) sock.write(outbox.shift()!);
    pumpAcl();
  }
}

function onAcl(data: Buffer): void {
  if (echoing) return sendData(data);
  if (answered) {
    const done = answered;
    answered = undefined;
    return done();
  }
  const now = performance.now();
  if (data.length === 1 && data[0] === END_MARKER) {
    say({ bytes: got, ms: now - first, firstPacket: firstLength });
    got = 0;
    return;
  }
  if (got === 0) {
    first = now;
    firstLength = data.length;
  }
  got += data.length;
}

sock.on('data', (chunk: Buffer) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let at = 0;
  for (;;) {
    if (pending.length - at < 3) break;
    const indicator = pending[at];
    if (indicator === 0x04) {
      const len = pending[at + 2];
      if (pending.length - at < 3 + len) break;
      onEvent(pending[at + 1], pending.subarray(at + 3, at + 3 + len));
      at += 3 + len;
    } else if (indicator === 0x02) {
      if (pending.length - at < 5) break;
      const len = pending.readUInt16LE(at + 3);
      if (pending.length - at < 5 + len) break;
      onAcl(pending.subarray(at + 5, at + 5 + len));
      at += 5 + len;
    } else throw new Error(`unexpected H4 indicator 0x${indicator.toString(16)}`);
  }
  pending = pending.subarray(at);
});

let onConnected: (() => void) | undefined;

async function echo(trips: number): Promise<void> {
  const msg = Buffer.from('0123456789abcdef');
  const rtts: number[] = [];
  for (let i = 0; i < trips; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      answered = resolve;
      sendData(msg);
    });
    rtts.push((performance.now() - t0) * 1000);
  }
  say({ median: percentile(rtts, 50), p99: percentile(rtts, 99) });
}

sock.once('connect', async () => {
  await command(0x0c03);
  const buffers = await command(0x1005);
  aclLength = buffers.readUInt16LE(1);
  freeBuffers = buffers.readUInt16LE(4);
  packet = Buffer.alloc(5 + aclLength, 0x5a);
  packet[0] = 0x02;
  const bd = await command(0x1009);
  const address = [...bd.subarray(1, 7)].reverse().map((b) => b.toString(16).padStart(2, '0')).join(':').toUpperCase();
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  if (!peer) {
    await command(0x0c1a, [0x02]);
    say({ address, aclLength, aclCount: freeBuffers });
  } else {
    // Create Connection answers with Command Status, then Connection Complete.
    void command(0x0405, [...addressBytes(peer), 0x18, 0xcc, 0x01, 0x00, 0x00, 0x00, 0x01]);
  }
  await connected;
  if (peer) say({ connected: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const [verb, n] = line.split(' ');
    if (verb === 'send') {
      await new Promise<void>((resolve) => {
        sendDone = resolve;
        markerSent = false;
        toSend = Number(n);
        pumpAcl();
      });
      say({ sent });
    } else if (verb === 'echo-serve') echoing = true;
    else if (verb === 'echo') await echo(Number(n));
  }
  sock.destroy();
});
sock.on('error', (e) => {
  console.error(e.message);
  process.exit(1);
});
