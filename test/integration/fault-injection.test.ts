/**
 * Fault injection on the composed stack, one named test per fault, all on a manual clock: the
 * transport cut in the middle of a packet, a Hardware Error, an HCI command that never completes, a
 * Command Status with an error, and a peer that never answers an L2CAP configuration, a SABM or a
 * PN, or never grants RFCOMM credits. Each fault ends with an event that names it (an 'error', a
 * close reason and message, a command status), and nothing that was queued disappears silently: a
 * channel that closes with data still queued says how many bytes never left (`unsent`).
 *
 * Stacks run on the virtual controller (test/support/virtual-net.ts); where a controller must
 * misbehave, the stack talks to a scripted one instead (test/hci/scripted-controller.ts). A
 * silent peer is made by dropping its answers on their way into our stack.
 */
import { describe, expect, it } from 'vitest';
import { TimeoutError, utf8 } from '../../src/core/index.js';
import { commandOpcode, decodeHciPacket } from '../../src/hci/index.js';
import { decodeBasicFrame, decodeSignalingFrame, SIGNAL_CODE } from '../../src/l2cap/index.js';
import { decodeMcc, decodeRfcommFrame, type RfcommFrame } from '../../src/rfcomm/index.js';
import type { StackEvent } from '../../src/stack/events.js';
import { Stack } from '../../src/stack/stack.js';
import { answer, h4Event } from '../hci/scripted-controller.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';

type Closed = Extract<StackEvent, { type: 'rfcomm-closed' }>;

/** The L2CAP frame in an H4 ACL packet that starts one (pb 0b10) and carries it whole, else undefined. */
function l2capOf(h4: Uint8Array): { cid: number; payload: Uint8Array } | undefined {
  if (h4[0] !== 0x02 || h4.length < 9 || ((h4[2] >> 4) & 0x3) !== 0b10) return undefined;
  try {
    return decodeBasicFrame(h4.subarray(5));
  } catch {
    return undefined;
  }
}

/** The signaling codes in an H4 packet on the signaling channel (CID 1). */
function signalCodes(h4: Uint8Array): number[] {
  const f = l2capOf(h4);
  if (f?.cid !== 0x0001) return [];
  return decodeSignalingFrame(f.payload).commands.map((c) => c.bytes[0]);
}

/** The RFCOMM frame in an H4 packet on a dynamic channel, else undefined. */
function rfcommOf(h4: Uint8Array): RfcommFrame | undefined {
  const f = l2capOf(h4);
  if (!f || f.cid < 0x0040) return undefined;
  try {
    return decodeRfcommFrame(f.payload);
  } catch {
    return undefined;
  }
}

/** From now on, what `node`'s controller delivers and `drop` matches never reaches its stack. */
function dropIncoming(node: NetNode, drop: (h4: Uint8Array) => boolean): { dropped: number } {
  const counter = { dropped: 0 };
  const receive = node.stack.receive.bind(node.stack);
  node.stack.receive = (h4: Uint8Array, now: number) => {
    if (drop(h4)) counter.dropped++;
    else receive(h4, now);
  };
  return counter;
}

/** Two ready stacks; b listens on RFCOMM channel 1. */
function pair(): { net: VirtualNet; a: NetNode; b: NetNode } {
  const net = new VirtualNet();
  const a = net.add();
  const b = net.add();
  net.ready(a, b);
  b.stack.listenRfcomm(1);
  return { net, a, b };
}

/** a and b with an open RFCOMM channel: a's id and b's id. */
function open(): { net: VirtualNet; a: NetNode; b: NetNode; ida: number; idb: number } {
  const { net, a, b } = pair();
  const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
  net.expect(a, 'rfcomm-open', (e) => e.id === ida);
  const idb = net.expect(b, 'rfcomm-open').id;
  return { net, a, b, ida, idb };
}

/** Writes `total` bytes on `id` as far as the stack accepts them; returns how many it took. */
function writeAll(node: NetNode, id: number, total: number, now: number): number {
  let taken = 0;
  for (let n = 1; n > 0 && taken < total; taken += n) n = node.stack.writeRfcomm(id, new Uint8Array(Math.min(4096, total - taken)).fill(0x5a), now);
  return taken;
}

/** The bytes `node` received on RFCOMM channel `id` so far. */
function receivedBytes(node: NetNode, id: number): number {
  return node.events.reduce((n, e) => n + (e.type === 'rfcomm-data' && e.id === id ? e.data.length : 0), 0);
}

/**
 * One stack on a scripted controller: the host's commands are answered as a controller would,
 * except those named in `silent` (never answered) or `status` (Command Status with that error).
 */
class ScriptedStack {
  readonly stack = new Stack();
  readonly events: StackEvent[] = [];
  readonly silent = new Set<string>();
  readonly status = new Map<string, number>();
  now = 0;

  constructor() {
    this.stack.start(this.now);
    this.pump();
  }

  pump(): void {
    for (let round = 0; round < 1000; round++) {
      const out = this.stack.pollTransmit(this.now);
      for (let e = this.stack.pollEvent(); e; e = this.stack.pollEvent()) if (e.type !== 'packet') this.events.push(e);
      if (!out) return;
      const p = decodeHciPacket(out);
      if (p.type !== 'command') continue;
      if (this.silent.has(p.command.name)) continue;
      const status = this.status.get(p.command.name);
      const ev = status === undefined ? answer(p.command) : { name: 'Command Status' as const, status, numHciCommandPackets: 1, opcode: commandOpcode(p.command) };
      if (ev) this.stack.receive(h4Event(ev), this.now);
    }
    throw new Error('the stack never stopped sending');
  }

  /** Moves the clock to `until`, running every deadline on the way. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let due = this.stack.pollTimeout(); due !== undefined && due <= until; due = this.stack.pollTimeout()) {
      this.now = Math.max(this.now, due);
      this.stack.handleTimeout(this.now);
      this.pump();
    }
    this.now = until;
  }

  take<T extends StackEvent['type']>(type: T): Extract<StackEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<StackEvent, { type: T }>[];
  }
}

describe('fault injection', () => {
  it('transport cut mid-packet: the partial packet is dropped, every channel ends as link-lost and the queued bytes are counted as unsent', () => {
    const { net, a, b, ida, idb } = open();
    // More than the peer's credits allow, so some bytes are still queued at a when the transport goes.
    const written = writeAll(a, ida, 200_000, net.now);
    net.settle();
    a.events.length = 0;
    // The controller had started an ACL packet toward a (b's data) when the transport broke.
    const held: Uint8Array[] = [];
    dropIncoming(a, (h4) => h4[0] === 0x02 && held.push(h4) > 0);
    b.stack.writeRfcomm(idb, utf8('never arrives'), net.now);
    net.runUntil(() => held.length > 0, 1_000, 'an ACL packet toward a');
    const partial = held[0];
    Stack.prototype.receive.call(a.stack, partial.subarray(0, 6), net.now);
    a.stack.transportLost(net.now);
    const events: StackEvent[] = [];
    for (let e = a.stack.pollEvent(); e; e = a.stack.pollEvent()) if (e.type !== 'packet') events.push(e);
    expect(events.some((e) => e.type === 'rfcomm-data')).toBe(false);
    const closed = events.find((e): e is Closed => e.type === 'rfcomm-closed' && e.id === ida);
    expect(closed?.reason).toBe('link-lost');
    expect(closed!.unsent).toBeGreaterThan(0);
    // Every byte written either reached b before the cut or is counted as unsent.
    expect(receivedBytes(b, idb) + closed!.unsent).toBe(written);
    expect(closed!.message).toContain(`${closed!.unsent} byte(s) written were never sent`);
    expect(events.find((e) => e.type === 'link-down')).toMatchObject({ reason: 0x08 });
    expect(a.stack.linkCount).toBe(0);
  });

  it('Hardware Error from the controller: an error event names the hardware code and says to reset; the link and its queued data go on', () => {
    const { net, a, b, ida, idb } = open();
    a.events.length = 0;
    a.stack.receive(h4Event({ name: 'Hardware Error', hardwareCode: 0x42 }), net.now);
    net.settle();
    const error = net.take(a, 'error');
    expect(error?.error).toMatchObject({ code: 'BT_CONTROLLER', event: 'Hardware Error', value: 0x42 });
    expect(error?.fatal).toBeUndefined();
    expect(a.stack.linkCount).toBe(1);
    a.stack.writeRfcomm(ida, utf8('after the hardware error'), net.now);
    expect(new TextDecoder().decode(net.expect(b, 'rfcomm-data', (e) => e.id === idb).data)).toBe('after the hardware error');
  });

  it('an HCI command that never completes: after the command timeout an error names it and its token completes with a failure status', () => {
    const c = new ScriptedStack();
    expect(c.take('ready')).toHaveLength(1);
    c.silent.add('Write Local Name');
    const token = c.stack.command({ name: 'Write Local Name', localName: 'never' }, c.now);
    c.pump();
    c.advance(9_999);
    expect(c.take('command-complete')).toEqual([]);
    c.advance(1);
    const error = c.take('error').at(-1)?.error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'BT_TIMEOUT', timer: 'HCI command Write Local Name' });
    expect(c.take('command-complete')).toEqual([{ type: 'command-complete', token, opcode: commandOpcode({ name: 'Write Local Name', localName: '' }), status: 0x1f, timedOut: true }]);
    // The command queue moves on: the next command is sent and answered.
    const next = c.stack.command({ name: 'Write Class of Device', classOfDevice: 0x000100 }, c.now);
    c.pump();
    expect(c.take('command-complete').find((e) => e.token === next)?.status).toBe(0);
  });

  it('an HCI command that never completes: a page (Create Connection) without an answer fails the channel waiting for it', () => {
    const c = new ScriptedStack();
    c.silent.add('Create Connection');
    const id = c.stack.connectRfcomm('00:11:22:33:44:55', 1, c.now);
    c.pump();
    c.advance(10_000);
    const closed = c.take('rfcomm-closed').find((e) => e.id === id);
    expect(closed).toMatchObject({ reason: 'page-failed', unsent: 0, hciStatus: 0x1f });
    expect(c.take('error').map((e) => e.error)).toContainEqual(expect.objectContaining({ code: 'BT_TIMEOUT', timer: 'HCI command Create Connection' }));
  });

  it('a Command Status with an error: the page fails at once with the status named; a command of the user completes with that status', () => {
    const c = new ScriptedStack();
    c.status.set('Create Connection', 0x07);
    const id = c.stack.connectRfcomm('00:11:22:33:44:55', 1, c.now);
    c.pump();
    const closed = c.take('rfcomm-closed').find((e) => e.id === id);
    expect(closed).toMatchObject({ reason: 'page-failed', unsent: 0, hciStatus: 0x07 });
    c.status.set('Remote Name Request', 0x0c);
    c.stack.remoteName('00:11:22:33:44:55', c.now);
    c.pump();
    expect(c.take('remote-name')).toEqual([{ type: 'remote-name', address: '00:11:22:33:44:55', status: 0x0c, name: '' }]);
    c.status.set('Authentication Requested', 0x12);
    const token = c.stack.command({ name: 'Authentication Requested', handle: 0x0042 }, c.now);
    c.pump();
    expect(c.take('command-complete').find((e) => e.token === token)?.status).toBe(0x12);
  });

  it('a peer that never answers an L2CAP configuration: the channel is closed as a configuration timeout and the RFCOMM channel on it fails with reason timeout', () => {
    const { net, a, b } = pair();
    const dropped = dropIncoming(a, (h4) => signalCodes(h4).includes(SIGNAL_CODE.CONFIGURATION_RESPONSE));
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === id, 300_000);
    expect(dropped.dropped).toBeGreaterThan(0);
    // Our Configuration Request, sent again and again unanswered: RTX ends the channel (Core v5.4 Vol 3 Part A §6.2.1).
    expect(closed).toMatchObject({ reason: 'timeout', timer: 'RTX', unsent: 0 });
    expect(a.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
  });

  /** A PN command on DLCI 0, as the peer would receive it. */
  const isPn = (h4: Uint8Array): boolean => {
    const f = rfcommOf(h4);
    if (f?.type !== 'UIH' || f.dlci !== 0) return false;
    try {
      return decodeMcc(f.info).type === 'PN';
    } catch {
      return false;
    }
  };

  it.each([
    ['a SABM', (h4: Uint8Array) => rfcommOf(h4)?.type === 'UA', 'T1'],
    ['a PN', isPn, 'T2'],
  ])('a peer that never answers %s: the RFCOMM channel closes with reason timeout and the timer that expired', (_, answer, timer) => {
    const { net, a, b } = pair();
    const dropped = dropIncoming(a, answer);
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === id, 300_000);
    expect(dropped.dropped).toBeGreaterThan(0);
    expect(closed).toMatchObject({ reason: 'timeout', unsent: 0, timer });
    expect(net.now).toBeGreaterThanOrEqual(20_000);
  });

  it('RFCOMM credits that never come: the writer stalls at the window, and closing reports every byte still queued as unsent', () => {
    const { net, a, b, ida, idb } = open();
    // b's reader never reads, so b grants no credits beyond its first window: once that is spent,
    // a minute of waiting moves nothing and the writer's queue stays full.
    let written = writeAll(a, ida, 200_000, net.now);
    net.advance(1_000);
    written += writeAll(a, ida, 200_000, net.now);
    const received = receivedBytes(b, idb);
    net.advance(60_000);
    expect(receivedBytes(b, idb)).toBe(received);
    expect(received).toBeGreaterThan(0);
    expect(a.stack.writeRfcomm(ida, utf8('no room'), net.now)).toBe(0);
    a.stack.closeRfcomm(ida, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === ida, 120_000);
    expect(closed.unsent).toBe(written - received);
    expect(closed.message).toContain(`${written - received} byte(s) written were never sent`);
  });
});
