/**
 * The robustness goal of conformance.md B3 on the composed stack: whatever arrives from the
 * controller — random H4 bytes, malformed events, random L2CAP frames on the signaling channel, on
 * the RFCOMM channel and on unknown CIDs of a live link — no handler throws, and afterwards the
 * link still carries an RFCOMM echo.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromUtf8, utf8 } from '../../src/core/index.js';
import { encodeAcl } from '../../src/hci/index.js';
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
