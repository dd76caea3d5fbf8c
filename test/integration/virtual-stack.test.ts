/**
 * Two composed stacks on the virtual controller, manual clock: SDP finds a Serial Port record, RFCOMM
 * connects and echoes, bulk data crosses both ways without loss or reordering, channels close from
 * either side, a refused channel and a lost link are reported.
 */
import { describe, expect, it } from 'vitest';
import { Uuid, UUID16, utf8, fromUtf8 } from '../../src/core/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';
import { encodeRfcommFrame, PN_CL } from '../../src/rfcomm/index.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';
import { patternBytes, Sink } from '../support/bulk.js';

function pair(aclSize = 1021, aclCount = 8): { net: VirtualNet; a: NetNode; b: NetNode } {
  const net = new VirtualNet();
  const a = net.add({ controller: { aclSize, aclCount } });
  const b = net.add({ controller: { aclSize, aclCount } });
  net.ready(a, b);
  return { net, a, b };
}

/** Opens an RFCOMM channel from a to b's `channel`; returns both stack ids. */
function openRfcomm(net: VirtualNet, a: NetNode, b: NetNode, channel: number): { ida: number; idb: number } {
  const ida = a.stack.connectRfcomm(b.stack.address, channel, net.now);
  const opened = net.expect(a, 'rfcomm-open', (e) => e.id === ida);
  expect(opened.channel).toBe(channel);
  const incoming = net.expect(b, 'rfcomm-open');
  expect(incoming.incoming).toBe(true);
  return { ida, idb: incoming.id };
}

describe('two stacks on the virtual controller', () => {
  it('initialise and report their addresses', () => {
    const { a, b } = pair();
    expect(a.stack.address).not.toBe(b.stack.address);
    expect(a.stack.address).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
  });

  it('find a Serial Port service by SDP, connect over RFCOMM and echo "Hello, world!"', () => {
    const { net, a, b } = pair();
    const channel = b.stack.listenRfcomm(0);
    b.stack.advertise(serialPortRecord({ channel, name: 'Echo' }));

    const q = a.stack.sdpQuery(b.stack.address, [Uuid.from16(UUID16.SerialPort)], net.now);
    const result = net.expect(a, 'sdp-result', (e) => e.id === q);
    expect(result.services.map((s) => [s.name, s.protocol, s.channel])).toEqual([['Echo', 'RFCOMM', channel]]);

    const { ida, idb } = openRfcomm(net, a, b, channel);
    expect(a.stack.writeRfcomm(ida, utf8('Hello, world!'), net.now)).toBe(13);
    const got = net.expect(b, 'rfcomm-data', (e) => e.id === idb);
    b.stack.consumeRfcomm(idb, got.data.length, net.now);
    b.stack.writeRfcomm(idb, got.data, net.now);
    const echo = net.expect(a, 'rfcomm-data', (e) => e.id === ida);
    expect(fromUtf8(echo.data)).toBe('Hello, world!');

    a.stack.closeRfcomm(ida, net.now);
    expect(net.expect(b, 'rfcomm-closed', (e) => e.id === idb).reason).toBe('disconnected');
    net.expect(a, 'rfcomm-closed', (e) => e.id === ida);
    // The RFCOMM session, then the link this side paged, go away once idle.
    net.expect(a, 'link-down');
    net.expect(b, 'link-down');
  });

  it('refuses a channel nobody listens on with a reason', () => {
    const { net, a, b } = pair();
    const id = a.stack.connectRfcomm(b.stack.address, 9, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === id);
    expect(closed).toMatchObject({ reason: 'refused', frame: 'DM' });
    expect(closed.message).not.toBe('');
  });

  it('reports a page failure for an address nobody has', () => {
    const { net, a } = pair();
    const id = a.stack.connectRfcomm('00:11:22:33:44:55', 1, net.now);
    expect(net.expect(a, 'rfcomm-closed', (e) => e.id === id)).toMatchObject({ reason: 'page-failed', hciStatus: 0x04 });
  });

  it('closes from the accepting side too', () => {
    const { net, a, b } = pair();
    b.stack.listenRfcomm(3);
    const { ida, idb } = openRfcomm(net, a, b, 3);
    b.stack.closeRfcomm(idb, net.now);
    expect(net.expect(a, 'rfcomm-closed', (e) => e.id === ida).reason).toBe('disconnected');
  });

  it('reports link loss mid-transfer as link-lost on both sides', () => {
    const { net, a, b } = pair();
    b.stack.listenRfcomm(1);
    const { ida, idb } = openRfcomm(net, a, b, 1);
    a.stack.writeRfcomm(ida, patternBytes(0, 5000), net.now);
    net.link.loseConnection(a.stack.address, b.stack.address, net.now);
    expect(net.expect(a, 'rfcomm-closed', (e) => e.id === ida).reason).toBe('link-lost');
    expect(net.expect(b, 'rfcomm-closed', (e) => e.id === idb).reason).toBe('link-lost');
  });

  it.each([27, 100, 339, 1021])('moves 1 MiB each way over RFCOMM with ACL size %i, nothing lost or reordered', (aclSize) => {
    const { net, a, b } = pair(aclSize, 4);
    b.stack.listenRfcomm(1);
    const sinks = sendBothWays(net, a, b, openRfcomm(net, a, b, 1), 1 << 20);
    net.runUntil(() => sinks.every((s) => s.done), 600_000, '1 MiB both ways');
    expect(sinks.flatMap((s) => s.errors)).toEqual([]);
  });

  it.each([2, 30])('%i DLCs at once on one session, 1 MiB each way on each', (count) => {
    const { net, a, b } = pair(1021, 8);
    const sinks: Sink[] = [];
    for (let ch = 1; ch <= count; ch++) b.stack.listenRfcomm(ch);
    for (let ch = 1; ch <= count; ch++) sinks.push(...sendBothWays(net, a, b, openRfcomm(net, a, b, ch), 1 << 20));
    net.runUntil(() => sinks.every((s) => s.done), 3_600_000, `${count} DLCs to deliver 1 MiB each way`);
    expect(sinks.flatMap((s) => s.errors)).toEqual([]);
  });

  it('a slow reader starves the sender of credits without losing a byte', () => {
    const { net, a, b } = pair(100, 4);
    b.stack.listenRfcomm(1);
    const { ida, idb } = openRfcomm(net, a, b, 1);
    const total = 200_000;
    const sink = new Sink(net, b, idb, total, 0);
    const sender = new Sender(a, ida, total);
    a.listeners.push((e) => e.type === 'rfcomm-writable' && e.id === ida && sender.pump(net.now));
    sender.pump(net.now);
    net.advance(5_000);
    // Nothing was consumed: the sender stopped within the receive window.
    expect(sink.received).toBeLessThan(total);
    expect(sink.received).toBeGreaterThan(0);
    const stalled = sink.received;
    net.advance(5_000);
    expect(sink.received).toBe(stalled);
    sink.consumeAll();
    net.runUntil(() => sink.done, 600_000, 'the slow reader to catch up');
    expect(sink.errors).toEqual([]);
  });
});

describe('RFCOMM over L2CAP channels with unequal MTUs', () => {
  /** The local CID of the node's L2CAP channel on PSM 3 (its RFCOMM session). */
  function sessionCid(node: NetNode): number {
    for (let cid = 0x40; cid < 0x140; cid++) if (node.stack.l2cap.channelInfo(cid)?.psm === 3) return cid;
    throw new Error('no RFCOMM session');
  }

  function unequal(): { net: VirtualNet; a: NetNode; b: NetNode } {
    const net = new VirtualNet();
    const a = net.add({ stack: { l2cap: { defaultMtu: 1000 } } });
    const b = net.add({ stack: { l2cap: { defaultMtu: 200 } } });
    net.ready(a, b);
    return { net, a, b };
  }

  it('N1 fits the smaller MTU on both sides and data crosses without over-mtu drops', () => {
    const { net, a, b } = unequal();
    b.stack.listenRfcomm(1);
    const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const opened = net.expect(a, 'rfcomm-open', (e) => e.id === ida);
    const incoming = net.expect(b, 'rfcomm-open');
    for (const [node, cid] of [[a, sessionCid(a)], [b, sessionCid(b)]] as const) {
      expect(node.stack.rfcomm.sessionInfo(cid)!.l2capMtu).toBe(200);
    }
    expect(opened.n1).toBeLessThanOrEqual(200 - 6);
    expect(incoming.n1).toBe(opened.n1);
    const sinks = sendBothWays(net, a, b, { ida, idb: incoming.id }, 20_000);
    net.runUntil(() => sinks.every((s) => s.done), 600_000, '20 kB both ways');
    expect(sinks.flatMap((s) => s.errors)).toEqual([]);
    expect(a.stack.l2cap.stats()!.drops['over-mtu'] + b.stack.l2cap.stats()!.drops['over-mtu']).toBe(0);
  });

  it('the side with the smaller receive MTU lowers an N1 offered above it (a foreign PN initiator)', () => {
    const { net, a, b } = unequal();
    b.stack.listenRfcomm(1);
    b.stack.listenRfcomm(2);
    openRfcomm(net, a, b, 1);
    // a's multiplexer, driven by hand, offers N1 994 for b's channel 2 (DLCI 4) and opens it. No
    // credit-based flow control: a has no DLC there and would answer b's credit frames with DM.
    const cid = sessionCid(a);
    a.stack.rfcomm.sendMcc(cid, { type: 'PN', cr: true, dlci: 4, frameType: 0, cl: PN_CL.NONE, priority: 0, ackTimer: 0, n1: 994, maxRetransmissions: 0, k: 0 }, net.now);
    a.stack.rfcomm.inject(cid, encodeRfcommFrame({ type: 'SABM', dlci: 4, cr: true, pf: true, info: new Uint8Array(0) }));
    a.stack.handleTimeout(net.now);
    const opened = net.expect(b, 'rfcomm-open', (e) => e.channel === 2);
    expect(opened.n1).toBe(200 - 5);
    // A frame of the N1 b agreed to reaches it.
    a.stack.rfcomm.inject(cid, encodeRfcommFrame({ type: 'UIH', dlci: 4, cr: true, pf: false, info: patternBytes(0, opened.n1) }));
    a.stack.handleTimeout(net.now);
    const got = net.expect(b, 'rfcomm-data', (e) => e.id === opened.id);
    expect(got.data).toEqual(patternBytes(0, opened.n1));
    expect(b.stack.l2cap.stats()!.drops['over-mtu']).toBe(0);
  });
});

describe('RFCOMM V.24 signals', () => {
  it("reach the other stack as 'rfcomm-signals', with a break's length", () => {
    const { net, a, b } = pair();
    b.stack.listenRfcomm(1);
    const { ida, idb } = openRfcomm(net, a, b, 1);
    // Each side's MSC at open: EA, RTC, RTR, DV.
    expect(net.expect(a, 'rfcomm-signals', (e) => e.id === ida)).toEqual({ type: 'rfcomm-signals', id: ida, signals: 0x8d });
    expect(net.expect(b, 'rfcomm-signals', (e) => e.id === idb)).toEqual({ type: 'rfcomm-signals', id: idb, signals: 0x8d });
    let cid = 0x40;
    while (a.stack.l2cap.channelInfo(cid)?.psm !== 3) cid++;
    const dlci = (1 << 1) | 0; // channel 1 on the responder, a being the multiplexer initiator
    a.stack.rfcomm.sendMsc(cid, dlci, 0xcd, 0x53, net.now); // IC on; break B1 set, 5 × 200 ms
    a.stack.handleTimeout(net.now);
    expect(net.expect(b, 'rfcomm-signals', (e) => e.id === idb)).toEqual({ type: 'rfcomm-signals', id: idb, signals: 0xcd, breakMs: 1000 });
  });
});

/** Starts `total` bytes each way on the DLC pair; the sinks check what arrives. */
function sendBothWays(net: VirtualNet, a: NetNode, b: NetNode, { ida, idb }: { ida: number; idb: number }, total: number): Sink[] {
  const sinks = [new Sink(net, b, idb, total), new Sink(net, a, ida, total)];
  for (const [node, id] of [[a, ida], [b, idb]] as const) {
    const sender = new Sender(node, id, total);
    node.listeners.push((e) => e.type === 'rfcomm-writable' && e.id === id && sender.pump(net.now));
    sender.pump(net.now);
  }
  return sinks;
}

/** Writes a numbered byte pattern as fast as the DLC accepts it. */
class Sender {
  sent = 0;
  constructor(
    private readonly node: NetNode,
    private readonly id: number,
    private readonly total: number,
  ) {}
  pump(now: number): void {
    while (this.sent < this.total) {
      const chunk = patternBytes(this.sent, Math.min(4096, this.total - this.sent));
      const n = this.node.stack.writeRfcomm(this.id, chunk, now);
      this.sent += n;
      if (n < chunk.length) return;
    }
  }
}
