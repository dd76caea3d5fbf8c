/**
 * Bulk transfer between two stacks on virtual controllers, driven by the manual clock of
 * `VirtualNet`: nothing waits, so the CPU time a transfer takes is the stacks' (and the emulated
 * controllers') own cost per byte. Every transfer checks its bytes.
 */
import type { StackEvent } from '../src/stack/events.js';
import { channelOnPsm } from '../test/support/acl-damage.js';
import { VirtualNet, type NetNode } from '../test/support/virtual-net.js';
import { PatternCheck, patternAt } from './pattern.js';

const CHUNK = 65536;
/** A dynamic PSM for the raw L2CAP runs (odd, high octet even). */
export const BENCH_PSM = 0x1001;

export interface Pair {
  net: VirtualNet;
  a: NetNode;
  b: NetNode;
}

export function pair(aclSize: number, aclCount = 8): Pair {
  const net = new VirtualNet();
  const a = net.add({ controller: { aclSize, aclCount } });
  const b = net.add({ controller: { aclSize, aclCount } });
  net.ready(a, b);
  return { net, a, b };
}

/** An open RFCOMM channel from `from` to `to` on server channel `channel` (registered on `to` unless told). */
export function openRfcomm(net: VirtualNet, from: NetNode, to: NetNode, channel = 1, listen = true): { ida: number; idb: number } {
  if (listen) to.stack.listenRfcomm(channel);
  const ida = from.stack.connectRfcomm(to.stack.address, channel, net.now);
  net.expect(from, 'rfcomm-open', (e) => e.id === ida);
  const idb = net.expect(to, 'rfcomm-open', (e) => e.channel === channel && e.address === from.stack.address).id;
  return { ida, idb };
}

/** The MTUs of the L2CAP channel carrying `node`'s RFCOMM session (found by PSM among its channels). */
export function rfcommL2capMtu(node: NetNode): { localMtu: number; remoteMtu: number } {
  const { localMtu, remoteMtu } = channelOnPsm(node.stack, 3);
  return { localMtu, remoteMtu };
}

/** An open raw L2CAP channel from a to b with `mtu` both ways; `sdu` is the largest SDU a may send. */
export function openL2cap(p: Pair, mtu: number): { ida: number; idb: number; sdu: number } {
  p.b.stack.listenL2cap(BENCH_PSM, mtu);
  const ida = p.a.stack.connectL2cap(p.b.stack.address, BENCH_PSM, p.net.now, mtu);
  const open = p.net.expect(p.a, 'l2cap-open', (e) => e.id === ida);
  const idb = p.net.expect(p.b, 'l2cap-open').id;
  return { ida, idb, sdu: open.remoteMtu };
}

type Listener = (e: StackEvent) => void;

/** Runs `body` with listeners on two nodes, removing them afterwards. */
function listening(a: NetNode, onA: Listener, b: NetNode, onB: Listener, body: () => void): void {
  a.listeners.push(onA);
  b.listeners.push(onB);
  try {
    body();
  } finally {
    a.listeners.splice(a.listeners.indexOf(onA), 1);
    b.listeners.splice(b.listeners.indexOf(onB), 1);
    a.events.length = 0;
    b.events.length = 0;
  }
}

/** Nodes whose events are only listened to, not kept (a transfer's data events would pile up otherwise). */
export function listenOnly(...nodes: NetNode[]): void {
  for (const n of nodes) n.keepEvents = false;
}

/** Streams of bytes over open RFCOMM channels; each `transfer` continues the pattern where the last ended. */
export class RfcommStreams {
  private readonly offsets: number[];

  constructor(
    private readonly net: VirtualNet,
    private readonly channels: readonly { from: NetNode; to: NetNode; ida: number; idb: number }[],
  ) {
    this.offsets = channels.map(() => 0);
  }

  /** Sends `perChannel` bytes on every channel at once; returns when all arrived, checked. */
  transfer(perChannel: number): void {
    const checks = this.channels.map((_, i) => new PatternCheck(perChannel, this.offsets[i]));
    const sent = this.channels.map(() => 0);
    const write = (i: number): void => {
      const ch = this.channels[i];
      while (sent[i] < perChannel) {
        const n = ch.from.stack.writeRfcomm(ch.ida, patternAt(this.offsets[i] + sent[i], Math.min(CHUNK, perChannel - sent[i])), this.net.now);
        sent[i] += n;
        if (n === 0) return;
      }
    };
    const nodes = [...new Set(this.channels.flatMap((c) => [c.from, c.to]))];
    listenOnly(...nodes);
    // Per node: channel index by the node's id for it, as sender and as receiver.
    const bySender = nodes.map((n) => new Map(this.channels.flatMap((c, i) => (c.from === n ? [[c.ida, i] as const] : []))));
    const byReceiver = nodes.map((n) => new Map(this.channels.flatMap((c, i) => (c.to === n ? [[c.idb, i] as const] : []))));
    const listeners = nodes.map((node, k): Listener => (e) => {
      if (e.type === 'rfcomm-writable') {
        const i = bySender[k].get(e.id);
        if (i !== undefined) write(i);
      } else if (e.type === 'rfcomm-data') {
        const i = byReceiver[k].get(e.id);
        if (i === undefined) return;
        checks[i].add(e.data);
        node.stack.consumeRfcomm(e.id, e.data.length, this.net.now);
      }
    });
    nodes.forEach((n, k) => n.listeners.push(listeners[k]));
    try {
      this.channels.forEach((_, i) => write(i));
      this.net.runUntil(() => checks.every((c) => c.done), 3_600_000, 'the RFCOMM transfers');
    } finally {
      nodes.forEach((n, k) => {
        n.listeners.splice(n.listeners.indexOf(listeners[k]), 1);
        n.events.length = 0;
      });
    }
    checks.forEach((c, i) => c.verify(`RFCOMM channel ${i}`));
    this.offsets.forEach((_, i) => (this.offsets[i] += perChannel));
  }
}

/** A stream of SDUs over an open raw L2CAP channel. */
export class L2capStream {
  private offset = 0;

  constructor(
    private readonly p: Pair,
    private readonly ch: { ida: number; idb: number; sdu: number },
  ) {}

  transfer(total: number): void {
    const { net, a, b } = this.p;
    const check = new PatternCheck(total, this.offset);
    let sent = 0;
    const send = (): void => {
      while (sent < total) {
        const n = Math.min(this.ch.sdu, total - sent);
        if (!a.stack.sendL2cap(this.ch.ida, patternAt(this.offset + sent, n), net.now)) return;
        sent += n;
      }
    };
    listenOnly(a, b);
    listening(
      a,
      (e) => {
        if (e.type === 'l2cap-writable' && e.id === this.ch.ida) send();
      },
      b,
      (e) => {
        if (e.type === 'l2cap-data' && e.id === this.ch.idb) check.add(e.sdu);
      },
      () => {
        send();
        net.runUntil(() => check.done, 3_600_000, `${total} bytes over L2CAP`);
      },
    );
    check.verify('L2CAP transfer');
    this.offset += total;
  }
}
