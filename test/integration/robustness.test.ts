/**
 * The robustness goal of docs/conformance.md (RB) on the composed stack: whatever arrives from the
 * controller — random H4 bytes, malformed events, random L2CAP frames on the signaling channel, on
 * the RFCOMM channel and on unknown CIDs of a live link — no handler throws, and afterwards the
 * link still carries an RFCOMM echo. Nothing a controller sends throws out of `Stack.receive`: a
 * fault is an 'error' event and a count in `faults`, and the stack goes on.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { concat, fromUtf8, ProtocolError, utf8 } from '../../src/core/index.js';
import { encodeAcl, encodeHciPacket } from '../../src/hci/index.js';
import { EVENT_LIST } from '../../src/hci/wire/event.js';
import { eventArb, packetOfEvent } from '../hci/arbitraries.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';

interface Live {
  net: VirtualNet;
  a: NetNode;
  b: NetNode;
  ida: number;
  idb: number;
  handle: number;
  rfcommCid: number;
}

/** Two stacks with an open RFCOMM channel; `handle` and `rfcommCid` are b's view of it. */
function live(): Live {
  const net = new VirtualNet();
  const a = net.add();
  const b = net.add();
  net.ready(a, b);
  b.stack.listenRfcomm(1);
  const ida = a.stack.connectRfcomm(b.stack.address, 1, net.now);
  net.expect(a, 'rfcomm-open', (e) => e.id === ida);
  const idb = net.expect(b, 'rfcomm-open').id;
  const up = b.events.find((e) => e.type === 'link-up');
  if (up?.type !== 'link-up') throw new Error('no link-up at b');
  // b opened no channel of its own, so the peer's RFCOMM channel got b's first dynamic CID.
  const rfcommCid = 0x0040;
  expect(b.stack.rfcomm.sessionInfo(rfcommCid)).toBeDefined();
  return { net, a, b, ida, idb, handle: up.handle, rfcommCid };
}

function echoStillWorks(l: Live): void {
  l.a.stack.writeRfcomm(l.ida, utf8('still alive'), l.net.now);
  const got = l.net.expect(l.b, 'rfcomm-data', (e) => e.id === l.idb, 60_000);
  expect(fromUtf8(got.data)).toBe('still alive');
}

const l2capFrame = (cid: number, payload: Uint8Array) => concat(Uint8Array.of(payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8), payload);

describe('the composed stack under hostile input', () => {
  it('random H4 bytes from the controller never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const l = live();
        for (const c of chunks) l.b.stack.receive(c, l.net.now);
      }),
      { numRuns: 30 },
    );
  });

  it('random L2CAP frames on a live link (signaling, RFCOMM, unknown CIDs) never throw, and the link still echoes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cid: fc.constantFrom(0x0001, 0x0002, 0x0040, 0x0041, 0x0042, 0x1234),
            payload: fc.oneof(
              fc.uint8Array({ maxLength: 40 }),
              // Signaling-shaped: a known code with random identifier and body.
              fc.tuple(fc.integer({ min: 1, max: 0x11 }), fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([code, body]) =>
                concat(Uint8Array.of(code, body[0] || 1, (body.length - 1) & 0xff, 0), body.subarray(1)),
              ),
              // RFCOMM-shaped: an address octet with EA=1 on a DLCI of the session, random control and info.
              fc.tuple(fc.integer({ min: 0, max: 63 }), fc.constantFrom(0x2f, 0x3f, 0x43, 0x53, 0x63, 0x73, 0x0f, 0x1f, 0xef, 0xff), fc.uint8Array({ maxLength: 30 })).map(([dlci, ctrl, rest]) =>
                concat(Uint8Array.of((dlci << 2) | 0x03, ctrl, (rest.length << 1) | 1), rest),
              ),
            ),
          }),
          { minLength: 1, maxLength: 15 },
        ),
        (frames) => {
          const l = live();
          for (const f of frames) {
            const cid = f.cid === 0x0040 ? l.rfcommCid : f.cid;
            const acl = encodeAcl({ handle: l.handle, pb: 0b10, bc: 0, data: l2capFrame(cid, f.payload) });
            l.b.stack.receive(concat(Uint8Array.of(0x02), acl), l.net.now);
            l.net.settle();
          }
          // The peer may have been told to close by a random DISC/DM that happened to be valid;
          // only when the channel is still open must it carry data.
          const closed = l.b.events.some((e) => e.type === 'rfcomm-closed') || l.a.events.some((e) => e.type === 'rfcomm-closed' || e.type === 'link-down');
          if (!closed) echoStillWorks(l);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** A stack in each state hostile input may find it in, with its usability check. */
const STATES: { name: string; make(): { net: VirtualNet; node: NetNode; stillUsable(): void } }[] = [
  {
    name: 'initialising (no Command Complete yet)',
    make() {
      const net = new VirtualNet();
      const node = net.add();
      return { net, node, stillUsable: () => net.advance(5_000) };
    },
  },
  {
    name: 'ready, no link',
    make() {
      const net = new VirtualNet();
      const node = net.add();
      net.ready(node);
      return { net, node, stillUsable: () => net.advance(5_000) };
    },
  },
  {
    name: 'an RFCOMM channel open',
    make() {
      const l = live();
      return {
        net: l.net,
        node: l.b,
        stillUsable: () => {
          const ended = [...l.a.events, ...l.b.events].some((e) => e.type === 'rfcomm-closed' || e.type === 'link-down');
          if (!ended) echoStillWorks(l);
          l.net.advance(5_000);
        },
      };
    },
  },
];

describe('no fault escapes Stack.receive', () => {
  for (const state of STATES) {
    it(`every HCI event type, well-formed with random fields, is handled without a fault: ${state.name}`, () => {
      for (const spec of EVENT_LIST) {
        fc.assert(
          fc.property(eventArb(spec), (event) => {
            const { net, node, stillUsable } = state.make();
            node.stack.receive(encodeHciPacket(packetOfEvent(event)), net.now);
            net.settle();
            stillUsable();
            expect(node.stack.faults, `${spec.name}: ${node.events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.error.message : '')).join('; ')}`).toBe(0);
          }),
          { numRuns: 3 },
        );
      }
    });
  }

  it('a Connection Complete for a handle that is up ends the old link as lost and takes the new one', () => {
    const l = live();
    const stranger = '00:11:22:33:44:55';
    l.b.events.length = 0;
    l.b.stack.receive(
      encodeHciPacket(packetOfEvent({ name: 'Connection Complete', status: 0, handle: l.handle, bdaddr: stranger, linkType: 1, encryptionEnabled: 0 } as never)),
      l.net.now,
    );
    l.net.settle();
    expect(l.b.stack.faults).toBe(0);
    const error = l.net.take(l.b, 'error');
    expect(error?.error).toBeInstanceOf(ProtocolError);
    expect(error?.error.code).toBe('BT_PROTOCOL');
    expect(l.net.take(l.b, 'rfcomm-closed', (e) => e.id === l.idb)?.reason).toBe('link-lost');
    expect(l.net.take(l.b, 'link-down', (e) => e.handle === l.handle)?.reason).toBe(0x08);
    expect(l.net.take(l.b, 'link-up', (e) => e.handle === l.handle)?.address).toBe(stranger);
    expect(l.b.stack.linkCount).toBe(1);
  });

  it('a fault inside a layer becomes an error event and a count, and the link goes on', () => {
    const l = live();
    const broken = new Error('a layer broke its own invariant');
    const spy = vi.spyOn(l.b.stack.l2cap, 'receivePdu').mockImplementationOnce(() => {
      throw broken;
    });
    l.a.stack.writeRfcomm(l.ida, utf8('lost in the fault'), l.net.now);
    l.net.settle();
    spy.mockRestore();
    expect(l.b.stack.faults).toBe(1);
    const error = l.net.take(l.b, 'error');
    expect(error?.error).toBeInstanceOf(ProtocolError);
    expect(error?.error).toMatchObject({ code: 'BT_PROTOCOL', cause: broken });
    echoStillWorks(l);
  });
});
