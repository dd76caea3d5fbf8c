/** The L2CAP MTU of RFCOMM sessions follows the controller's ACL length: whole fragments, about 1 KiB. */
import { describe, expect, it } from 'vitest';
import { rfcommMtuFor } from '../../src/stack/rfcomm-mtu.js';
import { VirtualNet } from '../support/virtual-net.js';

describe('rfcommMtuFor', () => {
  it.each([
    [192, 956],
    [1021, 1017],
    [27, 1022],
    [339, 1013],
    [672, 1340],
    [1500, 1496],
  ])('ACL length %i → MTU %i: whole fragments, at least 672', (fragment, mtu) => {
    expect(rfcommMtuFor(fragment)).toBe(mtu);
    expect((mtu + 4) % fragment).toBe(0);
    expect(mtu).toBeGreaterThanOrEqual(672);
  });

  it.each([
    ['follows the ACL length', { controller: { aclSize: 192 } }, 956],
    ['rfcommMtu names it', { stack: { rfcommMtu: 800 } }, 800],
    ['l2cap.defaultMtu names it', { stack: { l2cap: { defaultMtu: 900 } } }, 900],
  ] as const)('a stack offers it on the RFCOMM sessions it opens and accepts once it knows the controller: %s', (_, options, mtu) => {
    const net = new VirtualNet();
    const node = net.add(options);
    const peer = net.add();
    const other = net.add();
    net.ready(node, peer, other);
    const sessionMtu = (): number[] => {
      const out: number[] = [];
      for (let cid = 0x40; cid < 0x80; cid++) {
        const info = node.stack.l2cap.channelInfo(cid);
        if (info?.psm === 3) out.push(info.localMtu);
      }
      return out;
    };
    node.stack.listenRfcomm(1);
    const id = peer.stack.connectRfcomm(node.stack.address, 1, net.now);
    net.expect(peer, 'rfcomm-open', (e) => e.id === id);
    other.stack.listenRfcomm(1);
    const out = node.stack.connectRfcomm(other.stack.address, 1, net.now);
    net.expect(node, 'rfcomm-open', (e) => e.id === out);
    expect(sessionMtu()).toEqual([mtu, mtu]);
  });
});
