/**
 * The data path between two stacks on virtual controllers that take real air time (manual clock):
 * backpressure runs from the controller's buffers up to the writer, so nothing is dropped between
 * the layers whatever the flow control, the HCI queue of a link never holds more than its room,
 * and a writer is told it may write only when its frames actually leave.
 */
import { describe, expect, it } from 'vitest';
import type { StackOptions } from '../../src/stack/stack.js';
import { HCI_STATUS } from '../../src/hci/index.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';
import { patternBytes, Sink } from '../support/bulk.js';

const MiB = 1 << 20;

function pair(stack: StackOptions, airTimeMs: number): { net: VirtualNet; a: NetNode; b: NetNode } {
  const net = new VirtualNet();
  const controller = { aclSize: 1021, aclCount: 8, aclAirTimeMs: airTimeMs };
  const a = net.add({ stack, controller });
  const b = net.add({ stack, controller });
  net.ready(a, b);
  return { net, a, b };
}

/** An open DLC from a to b on server channel 1, with its id on each side. */
function openDlc(net: VirtualNet, a: NetNode, b: NetNode): { ida: number; idb: number } {
  b.stack.listenRfcomm(1);
  const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
  net.expect(a, 'rfcomm-open', (e) => e.id === ida);
  return { ida, idb: net.expect(b, 'rfcomm-open').id };
}

/**
 * A writer of `total` pattern bytes on DLC `id` of `node` that writes whenever the stack says
 * 'rfcomm-writable' (and once at the start): `after` runs after each burst; `accepted()` is what the
 * stack has taken so far.
 */
function patternWriter(net: VirtualNet, node: NetNode, id: number, total: number, after: (accepted: number) => void = () => undefined): { accepted: () => number } {
  let accepted = 0;
  const write = (): void => {
    while (accepted < total) {
      const n = node.stack.writeRfcomm(id, patternBytes(accepted, Math.min(32768, total - accepted)), net.now);
      accepted += n;
      if (n === 0) break;
    }
    after(accepted);
  };
  node.listeners.push((e) => {
    if (e.type === 'rfcomm-writable' && e.id === id) write();
  });
  write();
  return { accepted: () => accepted };
}

describe('backpressure from the controller to the writer', () => {
  it.each([
    ['credit-based flow control', true],
    ['TS 07.10 flow control (no credits: the peer paces with MSC FC)', false],
  ])('8 MiB with 2 ms of air time per ACL packet and a writer that waits for rfcomm-writable (%s): every byte, in order, none held past the room', (_, cbfc) => {
    const { net, a, b } = pair({ rfcomm: { creditBasedFlowControl: cbfc } }, 2);
    const { ida, idb } = openDlc(net, a, b);
    const total = 8 * MiB;
    const sink = new Sink(net, b, idb, total);
    const maxTx = a.stack.rfcomm.options.maxTxBytes;
    const window = b.stack.rfcomm.options.maxRxBytes;
    let widest = 0;
    // What the writer got rid of and the reader has not seen: the DLC's queue, the window, and
    // what the controller and the air hold. Never the whole transfer.
    const writer = patternWriter(net, a, ida, total, (accepted) => (widest = Math.max(widest, accepted - sink.received)));
    let mostQueued = 0;
    const links = a.stack.host.connections();
    net.runUntil(() => {
      for (const h of links.keys()) mostQueued = Math.max(mostQueued, a.stack.host.queuedBytes(h));
      return sink.done;
    }, 600_000, `${total} bytes`);
    expect(sink.errors).toEqual([]);
    expect(sink.received).toBe(total);
    expect(writer.accepted()).toBe(total);
    expect(widest).toBeLessThanOrEqual(maxTx + window + 16 * 1024);
    // A link holds at most two PDUs for the controller (its room), whatever the writer does.
    expect(mostQueued).toBeGreaterThan(0);
    expect(mostQueued).toBeLessThanOrEqual(2 * (a.stack.l2cap.channelInfo(firstSession(a))!.remoteMtu + 4));
    expect(a.stack.rfcomm.stats(firstSession(a))?.drops).toMatchObject({ controlOverflow: 0 });
  });

  it('signaling is never stuck behind data: with a DLC writing as fast as it may, a raw L2CAP channel opens on the same link within a few air times, and the peer closing the session is answered at once', () => {
    const { net, a, b } = pair({ rfcomm: { creditBasedFlowControl: false } }, 2);
    b.stack.listenL2cap(0x1001);
    const { ida, idb } = openDlc(net, a, b);
    const total = 4 * MiB;
    const sink = new Sink(net, b, idb, total);
    patternWriter(net, a, ida, total);
    net.advance(200);
    const started = net.now;
    const raw = a.stack.connectL2cap(b.stack.address, 0x1001, net.now);
    net.expect(a, 'l2cap-open', (e) => e.id === raw, 5_000);
    // Connection Request, Response, two Configuration Requests and Responses: each waits at most
    // for the two PDUs already queued on the link and the controller's eight buffers.
    expect(net.now - started).toBeLessThanOrEqual(40);
    expect(sink.received).toBeLessThan(total);
    // The receiver closes its RFCOMM session mid-transfer: the sender answers and stops at once.
    b.stack.closeRfcomm(idb, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === ida, 5_000);
    expect(closed.reason).toBe('disconnected');
    expect(closed.unsent).toBeGreaterThan(0);
    expect(closed.message).toContain(`${closed.unsent} byte(s) written were never sent`);
    expect(sink.errors).toEqual([]);
  });
});

function firstSession(node: NetNode): number {
  for (let cid = 0x40; cid < 0x80; cid++) if (node.stack.l2cap.channelInfo(cid)?.psm === 3) return cid;
  throw new Error('no RFCOMM session');
}

describe('connection handles of the virtual controller', () => {
  it('refuses a link past maxConnections with Connection Limit Exceeded (0x09), and the stack gives that status', () => {
    const net = new VirtualNet();
    const hub = net.add({ controller: { maxConnections: 2 } });
    const peers = [net.add(), net.add(), net.add()];
    net.ready(hub, ...peers);
    for (const p of peers) p.stack.listenL2cap(0x1001);
    for (const p of peers.slice(0, 2)) {
      const id = hub.stack.connectL2cap(p.stack.address, 0x1001, net.now);
      expect(net.expect(hub, 'l2cap-open', (e) => e.id === id).address).toBe(p.stack.address);
    }
    const third = hub.stack.connectL2cap(peers[2].stack.address, 0x1001, net.now);
    const refused = net.expect(hub, 'l2cap-closed', (e) => e.id === third);
    expect(refused).toMatchObject({ reason: 'page-failed', hciStatus: HCI_STATUS.CONNECTION_LIMIT_EXCEEDED });
  });
});
