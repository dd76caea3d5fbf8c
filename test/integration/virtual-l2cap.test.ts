/**
 * Raw L2CAP channels between two composed stacks on the virtual controller (issue 4): a dynamic
 * PSM, 1 MiB each way at the ACL size boundaries and 64 KiB each way at every ACL size from 27 to
 * 1021, SDU boundaries kept, close from either side, an unknown PSM refused.
 */
import { describe, expect, it } from 'vitest';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';
import { patternBytes } from '../support/bulk.js';

function open(aclSize: number): { net: VirtualNet; a: NetNode; b: NetNode; ida: number; idb: number; mtu: number } {
  const net = new VirtualNet();
  const a = net.add({ controller: { aclSize, aclCount: 4 } });
  const b = net.add({ controller: { aclSize, aclCount: 4 } });
  net.ready(a, b);
  const psm = b.stack.listenL2cap(0);
  expect(psm).toBeGreaterThanOrEqual(0x1001);
  const ida = a.stack.connectL2cap(b.stack.address, psm, net.now);
  const opened = net.expect(a, 'l2cap-open', (e) => e.id === ida);
  const idb = net.expect(b, 'l2cap-open').id;
  return { net, a, b, ida, idb, mtu: opened.remoteMtu };
}

/** Sends `total` bytes each way in SDUs of the channel MTU and checks what arrives. */
function exchange(net: VirtualNet, a: NetNode, b: NetNode, ida: number, idb: number, mtu: number, total: number): void {
  // Ids are per stack, so a's and b's may be equal: count per receiving node.
  const got = new Map<NetNode, number>([
    [a, 0],
    [b, 0],
  ]);
  const errors: string[] = [];
  for (const [node, id] of [
    [a, ida],
    [b, idb],
  ] as const) {
    node.listeners.push((e) => {
      if (e.type !== 'l2cap-data' || e.id !== id) return;
      const at = got.get(node)!;
      const want = patternBytes(at, e.sdu.length);
      if (e.sdu.some((v, i) => v !== want[i]) && errors.length < 3) errors.push(`id ${id} at ${at}`);
      got.set(node, at + e.sdu.length);
    });
  }
  for (let off = 0; off < total; off += mtu) {
    const n = Math.min(mtu, total - off);
    a.stack.sendL2cap(ida, patternBytes(off, n), net.now);
    b.stack.sendL2cap(idb, patternBytes(off, n), net.now);
    if ((off / mtu) % 64 === 0) net.settle();
  }
  net.runUntil(() => got.get(a) === total && got.get(b) === total, 600_000, `${total} bytes each way`);
  expect(errors).toEqual([]);
}

describe('raw L2CAP between two stacks on the virtual controller', () => {
  it.each([27, 28, 251, 672, 1020, 1021])('1 MiB each way on a dynamic PSM, ACL size %i', (aclSize) => {
    const { net, a, b, ida, idb, mtu } = open(aclSize);
    exchange(net, a, b, ida, idb, mtu, 1 << 20);
    a.stack.closeL2cap(ida, net.now);
    net.expect(b, 'l2cap-closed', (e) => e.id === idb);
    net.expect(a, 'l2cap-closed', (e) => e.id === ida);
  });

  it('64 KiB each way at every ACL size from 27 to 1021', () => {
    for (let aclSize = 27; aclSize <= 1021; aclSize++) {
      const { net, a, b, ida, idb, mtu } = open(aclSize);
      exchange(net, a, b, ida, idb, mtu, 65536);
    }
  });

  it('closes from the accepting side', () => {
    const { net, a, b, ida, idb } = open(339);
    b.stack.closeL2cap(idb, net.now);
    expect(net.expect(a, 'l2cap-closed', (e) => e.id === ida).reason).toBe('disconnected');
  });

  it('keeps SDU boundaries', () => {
    const { net, a, b, ida, idb } = open(27);
    const sizes = [1, 2, 26, 27, 28, 100, 672];
    for (const n of sizes) a.stack.sendL2cap(ida, patternBytes(0, n), net.now);
    const seen: number[] = [];
    net.runUntil(() => {
      for (let e = net.take(b, 'l2cap-data', (x) => x.id === idb); e; e = net.take(b, 'l2cap-data', (x) => x.id === idb)) seen.push(e.sdu.length);
      return seen.length === sizes.length;
    });
    expect(seen).toEqual(sizes);
  });

  it('refuses a PSM nobody listens on', () => {
    const net = new VirtualNet();
    const a = net.add();
    const b = net.add();
    net.ready(a, b);
    const id = a.stack.connectL2cap(b.stack.address, 0x1235, net.now);
    const closed = net.expect(a, 'l2cap-closed', (e) => e.id === id);
    expect(closed.reason).toBe('refused');
  });
});
