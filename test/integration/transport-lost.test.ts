/**
 * When the transport to the controller goes away (closed, or its H4 byte stream broke framing), no
 * controller will ever report the end of a link, so the stack ends everything itself: each link
 * goes down as lost (reason 0x08), each channel on it closes as 'link-lost', each page in flight
 * fails. Two stacks on the virtual controller, a manual clock.
 */
import { describe, expect, it } from 'vitest';
import type { StackEvent } from '../../src/stack/events.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';

/** a with an RFCOMM channel and a raw L2CAP channel open to b, and a page to nobody in flight. */
function busy(): { net: VirtualNet; a: NetNode; rfcomm: number; l2cap: number; paging: number } {
  const net = new VirtualNet();
  const a = net.add();
  const b = net.add();
  net.ready(a, b);
  const channel = b.stack.listenRfcomm(0);
  const rfcomm = a.stack.connectRfcomm(b.stack.address, channel, net.now);
  net.expect(a, 'rfcomm-open', (e) => e.id === rfcomm);
  const psm = b.stack.listenL2cap(0);
  const l2cap = a.stack.connectL2cap(b.stack.address, psm, net.now);
  net.expect(a, 'l2cap-open', (e) => e.id === l2cap);
  const paging = a.stack.connectRfcomm('00:11:22:33:44:55', 1, net.now);
  net.settle();
  a.events.length = 0;
  return { net, a, rfcomm, l2cap, paging };
}

/** What a reports next, without the trace packets. */
function drain(a: NetNode): StackEvent[] {
  const out: StackEvent[] = [];
  for (let e = a.stack.pollEvent(); e; e = a.stack.pollEvent()) if (e.type !== 'packet') out.push(e);
  return out;
}

function summary(events: StackEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'rfcomm-closed':
      case 'l2cap-closed':
        return `${e.type} ${e.id} ${e.reason}`;
      case 'link-down':
        return `link-down 0x${e.reason.toString(16).padStart(2, '0')}`;
      case 'error':
        return `error${e.fatal ? ' fatal' : ''}`;
      default:
        return e.type;
    }
  });
}

describe('the transport to the controller is lost', () => {
  it('transportLost ends every channel as link-lost, the link with reason 0x08, and fails the page in flight', () => {
    const { net, a, rfcomm, l2cap, paging } = busy();
    a.stack.transportLost(net.now);
    const events = summary(drain(a));
    expect(events).toContain(`rfcomm-closed ${rfcomm} link-lost`);
    expect(events).toContain(`l2cap-closed ${l2cap} link-lost`);
    expect(events).toContain(`rfcomm-closed ${paging} page-failed`);
    expect(events.filter((e) => e.startsWith('link-down'))).toEqual(['link-down 0x08']);
    expect(a.stack.linkCount).toBe(0);
  });

  it('an unknown H4 packet indicator is fatal: the same endings, then one fatal error naming the framing fault', () => {
    const { net, a, rfcomm, l2cap, paging } = busy();
    a.stack.receive(Uint8Array.of(0xff, 0x00, 0x01), net.now);
    const events = drain(a);
    const names = summary(events);
    expect(names).toContain(`rfcomm-closed ${rfcomm} link-lost`);
    expect(names).toContain(`l2cap-closed ${l2cap} link-lost`);
    expect(names).toContain(`rfcomm-closed ${paging} page-failed`);
    expect(names.at(-1)).toBe('error fatal');
    const error = events.at(-1) as Extract<StackEvent, { type: 'error' }>;
    expect(error.error).toMatchObject({ code: 'BT_DECODE', layer: 'hci', structure: 'H4 stream' });
    expect(a.stack.linkCount).toBe(0);
  });

  it('a non-fatal controller error (Hardware Error) leaves the links up', () => {
    const { net, a } = busy();
    a.stack.receive(Uint8Array.of(0x04, 0x10, 0x01, 0x42), net.now);
    const names = summary(drain(a));
    expect(names).toEqual(['error']);
    expect(a.stack.linkCount).toBe(1);
  });
});
