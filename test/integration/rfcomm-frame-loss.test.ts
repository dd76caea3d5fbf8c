/**
 * An RFCOMM frame lost between the controllers (its L2CAP PDU cut short, as BlueZ's btvirt does to a
 * reader that falls behind): the DLC reports the gap with the frame's length, its credits stay in
 * step with the sender's, and what follows arrives.
 */
import { describe, expect, it } from 'vitest';
import { concat } from '../../src/core/index.js';
import { patternBytes } from '../support/bulk.js';
import { VirtualNet } from '../support/virtual-net.js';

describe('an RFCOMM frame lost on the way', () => {
  it("is reported by its DLC ('rfcomm-dropped'), gives back the credit it spent, and the frames after it arrive", () => {
    const net = new VirtualNet();
    const controller = { aclSize: 192, aclCount: 1 };
    const a = net.add({ controller });
    const b = net.add({ controller });
    net.ready(a, b);
    b.stack.listenRfcomm(1);
    const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const { n1 } = net.expect(a, 'rfcomm-open', (e) => e.id === ida);
    const idb = net.expect(b, 'rfcomm-open').id;
    expect(n1).toBeGreaterThan(3 * 192);
    const received: Uint8Array[] = [];
    b.listeners.push((e) => {
      if (e.type !== 'rfcomm-data' || e.id !== idb) return;
      received.push(e.data);
      b.stack.consumeRfcomm(idb, e.data.length, net.now);
    });
    // The air loses the second ACL packet a sends from now on: the middle of its first frame.
    const carry = net.link.carryAcl.bind(net.link);
    let fromA = 0;
    net.link.carryAcl = (from, to, pb, data, now) => {
      if (from === a.controller && ++fromA === 2) return;
      carry(from, to, pb, data, now);
    };

    a.stack.writeRfcomm(ida, patternBytes(0, 3 * n1), net.now);
    const dropped = net.expect(b, 'rfcomm-dropped');
    expect(dropped).toMatchObject({ id: idb, bytes: n1 });
    expect(dropped.message).toContain('lost on the way');
    net.runUntil(() => received.reduce((n, d) => n + d.length, 0) >= 2 * n1, 10_000, 'the two frames after it');
    net.settle();
    expect(concat(...received)).toEqual(patternBytes(n1, 2 * n1));
    expect(b.stack.rfcomm.dlcStats(idb)).toMatchObject({ drops: { lost: 1 }, bytesLost: n1 });
    // The credits the receiver thinks the sender holds are those the sender does hold.
    expect(b.stack.rfcomm.dlcInfo(idb)!.rxCredits).toBe(a.stack.rfcomm.dlcInfo(ida)!.txCredits);
  });
});
