/**
 * The virtual net's parked nodes (test/support/virtual-net.ts): nobody calls their stacks from
 * outside, the net looks at them only when their controller wakes them or a deadline of theirs
 * falls due, and it keeps those deadlines itself rather than asking every parked node at each
 * step. A parked node must still see its own timers fire and its peers' traffic arrive.
 */
import { describe, expect, it } from 'vitest';
import { VirtualNet } from '../support/virtual-net.js';

describe('VirtualNet parked nodes', () => {
  it('runs a deadline of a parked node: a name request to nobody ends when the page times out', () => {
    const net = new VirtualNet();
    const lonely = net.add();
    const other = net.add();
    net.ready(lonely, other);
    lonely.stack.remoteName('00:11:22:33:44:55', net.now);
    net.settle(); // the request reaches the controller, which starts paging
    net.park(lonely);
    const before = net.now;
    net.runUntil(() => net.seen(lonely, 'remote-name'), 60_000, "the parked node's 'remote-name'");
    const e = lonely.events.find((x) => x.type === 'remote-name');
    expect(e).toMatchObject({ type: 'remote-name', address: '00:11:22:33:44:55' });
    expect(e && e.type === 'remote-name' && e.status).not.toBe(0);
    // Only the page timeout could end it: the clock had to move to the parked node's deadline.
    expect(net.now).toBeGreaterThan(before);
  });

  it("wakes a parked node for its peer's traffic: a parked listener accepts an RFCOMM channel and receives what is written", () => {
    const net = new VirtualNet();
    const server = net.add();
    const client = net.add();
    net.ready(server, client);
    server.stack.listenRfcomm(1);
    net.park(server);
    const id = client.stack.connectRfcomm(server.stack.address, 1, net.now);
    net.expect(client, 'rfcomm-open', (e) => e.id === id);
    expect(net.seen(server, 'rfcomm-open')).toBe(true);
    client.stack.writeRfcomm(id, new Uint8Array([1, 2, 3]), net.now);
    let got = 0;
    net.runUntil(() => {
      for (let e = net.take(server, 'rfcomm-data'); e; e = net.take(server, 'rfcomm-data')) got += e.data.length;
      return got === 3;
    });
    expect(got).toBe(3);
  });

  it('runs a deadline a parked node armed while it was woken: an unanswered pairing prompt times out', () => {
    const net = new VirtualNet();
    const yesNo = { security: { ioCapability: 'DisplayYesNo' as const } };
    const server = net.add({ stack: yesNo });
    const client = net.add({ stack: yesNo });
    net.ready(server, client);
    client.listeners.push((e) => {
      if (e.type === 'security' && e.event.type === 'confirm-request') client.stack.answerConfirm(e.event.id, true, net.now);
    });
    server.stack.listenRfcomm(1, 'mitm');
    net.park(server);
    // The client's SABM wakes the server, which starts pairing and waits for its user; nobody answers.
    const id = client.stack.connectRfcomm(server.stack.address, 1, net.now);
    const closed = net.expect(client, 'rfcomm-closed', (e) => e.id === id, 300_000);
    expect(closed).toMatchObject({ reason: 'refused' });
    expect(server.events.some((e) => e.type === 'security' && e.event.type === 'pairing-failed' && e.event.failure === 'user-timeout')).toBe(true);
  });
});
