/**
 * `lastDynamicCid`: the L2CAP manager allocates local CIDs from 0x0040 up to it and wraps there,
 * leaving the CIDs above to someone else on the controller (the conformance tester's own channels).
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import { L2capManager } from '../../src/l2cap/index.js';

describe('L2CAP lastDynamicCid', () => {
  it('allocates 0x0040 up to the last CID, then wraps to the lowest one free, never above', () => {
    const m = new L2capManager({ lastDynamicCid: 0x0042 });
    m.linkUp(1, '00:11:22:33:44:55', 0);
    const cids = [0, 1, 2].map(() => m.connect(1, 0x1001, {}, 0));
    expect(cids).toEqual([0x40, 0x41, 0x42]);
    m.disconnect(0x41, 0);
    m.linkDown(1, 0);
    m.linkUp(2, '00:11:22:33:44:66', 0);
    const again = [0, 1, 2].map(() => m.connect(2, 0x1001, {}, 0));
    expect(again).toEqual([0x40, 0x41, 0x42]);
    expect(() => m.connect(2, 0x1001, {}, 0)).toThrow();
  });

  it.each([0x003f, 0x10000, 1.5, Number.NaN])('refuses %s', (last) => {
    expect(() => new L2capManager({ lastDynamicCid: last })).toThrow(ArgumentError);
  });
});
