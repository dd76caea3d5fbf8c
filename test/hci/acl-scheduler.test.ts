/**
 * ACL scheduler: controller buffer credits are never exceeded, NOCP is clamped, links share
 * fairly, and producers get turns only while their link has room (the can-send-now token).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AclScheduler, AclTxPdu, decodeHciPacket, type AclPacket } from '../../src/hci/index.js';
import { ArgumentError, concat, InvalidStateError } from '../../src/core/index.js';

/** A PDU of `length` octets whose byte i is (seed + i) mod 256, written and queued on `handle`. */
function queue(s: AclScheduler, handle: number, length: number, seed = 0): boolean {
  const pdu = s.allocate(handle, length);
  for (let i = 0; i < length; i++) pdu.u8(seed + i);
  return s.enqueue(pdu);
}

function acl(packet: Uint8Array | undefined): AclPacket {
  const p = decodeHciPacket(packet!);
  if (p.type !== 'acl') throw new Error('not an ACL packet');
  return p.acl;
}

describe('AclTxPdu', () => {
  it('lays a PDU out as whole H4 ACL packets, written once through any mix of u8, u16 and put', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), (length, fragmentLength, pieces) => {
        const pdu = new AclTxPdu(0x123, length, fragmentLength);
        const want = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
        let at = 0;
        for (const n of pieces) {
          if (at >= length) break;
          const k = Math.min(n, length - at);
          if (k === 1) pdu.u8(want[at]);
          else pdu.put(want.subarray(at, at + k));
          at += k;
        }
        if (at < length) pdu.put(want.subarray(at));
        expect(pdu.complete).toBe(true);
        expect(pdu.fragments).toBe(Math.ceil(length / fragmentLength));
        const packets = Array.from({ length: pdu.fragments }, (_, i) => acl(pdu.fragment(i)));
        expect(packets.map((p) => p.handle)).toEqual(packets.map(() => 0x123));
        expect(packets.map((p) => p.pb)).toEqual(packets.map((_, i) => (i === 0 ? 0b10 : 0b01)));
        expect(packets.slice(0, -1).every((p) => p.data.length === fragmentLength)).toBe(true);
        expect(concat(...packets.map((p) => p.data))).toEqual(want);
        expect(concat(...packets.map((_, i) => pdu.fragment(i)))).toEqual(pdu.bytes);
      }),
    );
  });

  it('refuses an octet past its length; a PDU with octets missing cannot be queued', () => {
    const pdu = new AclTxPdu(1, 3, 2);
    pdu.u16le(0x0201);
    pdu.u8(3);
    expect(() => pdu.u8(4)).toThrow(ArgumentError);
    const s = new AclScheduler();
    s.setBuffers(27, 1);
    s.addLink(1);
    const short = s.allocate(1, 10);
    short.u8(1);
    expect(() => s.enqueue(short)).toThrow(ArgumentError);
  });

  it('marks the first fragment non-flushable when asked', () => {
    const pdu = new AclTxPdu(1, 4, 27, true);
    pdu.put(Uint8Array.of(0, 0, 0x40, 0));
    expect(acl(pdu.fragment(0)).pb).toBe(0b00);
  });
});

describe('AclScheduler', () => {
  it('allocates nothing before Read Buffer Size, then sends only while buffers are free', () => {
    const s = new AclScheduler();
    s.addLink(1);
    expect(() => s.allocate(1, 100)).toThrow(InvalidStateError);
    expect(s.poll()).toBeUndefined();
    s.setBuffers(27, 2);
    queue(s, 1, 100);
    expect(acl(s.poll()).data.length).toBe(27);
    expect(acl(s.poll()).data.length).toBe(27);
    expect(s.poll()).toBeUndefined();
    s.completed(1, 1);
    expect(acl(s.poll()).pb).toBe(0b01);
  });

  it('clamps an over-counting NOCP and ignores unknown handles', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 3);
    s.addLink(1);
    queue(s, 1, 50);
    s.poll();
    s.completed(1, 5);
    s.completed(9, 2);
    expect(s.outstanding).toBe(0);
    expect(s.freeBuffers).toBe(3);
    expect(s.stats.overCompletions).toBe(1);
    expect(s.stats.unknownHandleCompletions).toBe(1);
  });

  it('removing a link gives its outstanding buffers back and drops its queue', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 2);
    s.addLink(1);
    s.addLink(2);
    queue(s, 1, 50);
    s.poll();
    s.poll();
    expect(s.freeBuffers).toBe(0);
    s.removeLink(1);
    expect(s.freeBuffers).toBe(2);
    expect(s.poll()).toBeUndefined();
    expect(queue(s, 1, 5)).toBe(false);
    expect(s.stats.noLink).toBe(1);
  });

  it('gives a link a turn only when it asked and has room: at most maxQueuedPdus wait on it', () => {
    const s = new AclScheduler({ maxQueuedPdus: 2 });
    s.setBuffers(10, 1);
    s.addLink(1);
    expect(s.nextSendable()).toBeUndefined();
    s.requestSend(1);
    s.requestSend(1);
    expect(s.nextSendable()).toBe(1);
    expect(s.nextSendable()).toBeUndefined();
    queue(s, 1, 20);
    queue(s, 1, 20);
    s.requestSend(1);
    expect(s.hasRoom(1)).toBe(false);
    expect(s.nextSendable()).toBeUndefined();
    s.poll();
    expect(s.nextSendable()).toBeUndefined();
    s.completed(1, 1);
    s.poll();
    // The first PDU left in full: the link has room, and its pending request gets its turn.
    expect(s.hasRoom(1)).toBe(true);
    expect(s.nextSendable()).toBe(1);
  });

  it('links that asked take turns, one turn per request', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 10);
    for (const h of [1, 2, 3]) s.addLink(h);
    s.requestSend(2);
    s.requestSend(1);
    s.requestSend(3);
    const turns: number[] = [];
    for (let h = s.nextSendable(); h !== undefined; h = s.nextSendable()) {
      turns.push(h);
      if (turns.length < 5) s.requestSend(h);
    }
    expect(turns).toEqual([2, 1, 3, 2, 1, 3, 2]);
  });

  it('round robin: two busy links alternate fragments', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 100);
    s.addLink(1);
    s.addLink(2);
    queue(s, 1, 100);
    queue(s, 2, 100);
    const order = Array.from({ length: 8 }, () => acl(s.poll()).handle);
    expect(order).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
  });

  it('model: producers that send on their turns never exceed the room; outstanding never exceeds the buffers; every byte goes out once, in order', () => {
    type Op = { kind: 'want'; link: number; len: number } | { kind: 'turn' } | { kind: 'poll' } | { kind: 'nocp'; link: number; n: number } | { kind: 'drop'; link: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('want' as const), link: fc.integer({ min: 1, max: 3 }), len: fc.integer({ min: 1, max: 300 }) }),
      fc.constant({ kind: 'turn' as const }),
      fc.constant({ kind: 'poll' as const }),
      fc.constant({ kind: 'poll' as const }),
      fc.record({ kind: fc.constant('nocp' as const), link: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('drop' as const), link: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 200 }), (mtu, buffers, room, ops) => {
        const s = new AclScheduler({ maxQueuedPdus: room });
        s.setBuffers(mtu, buffers);
        /** Per live link: PDUs its producer still has, bytes it queued, bytes that went out. */
        const links = new Map<number, { waiting: number[]; queued: number[]; sent: number[]; seed: number }>();
        const produce = (h: number): void => {
          const l = links.get(h)!;
          const len = l.waiting.shift();
          if (len === undefined) return;
          const seed = l.seed++;
          expect(queue(s, h, len, seed)).toBe(true);
          for (let i = 0; i < len; i++) l.queued.push((seed + i) & 0xff);
          if (l.waiting.length > 0) s.requestSend(h);
        };
        for (const o of ops) {
          if (o.kind === 'want') {
            if (!links.has(o.link)) {
              s.addLink(o.link);
              links.set(o.link, { waiting: [], queued: [], sent: [], seed: o.link * 50 });
            }
            links.get(o.link)!.waiting.push(o.len);
            s.requestSend(o.link);
          } else if (o.kind === 'turn') {
            const h = s.nextSendable();
            if (h !== undefined) {
              expect(s.hasRoom(h)).toBe(true);
              produce(h);
            }
          } else if (o.kind === 'poll') {
            const p = s.poll();
            if (p) {
              const a = acl(p);
              expect(a.data.length).toBeLessThanOrEqual(mtu);
              links.get(a.handle)!.sent.push(...a.data);
            }
          } else if (o.kind === 'nocp') s.completed(o.link, o.n);
          else {
            s.removeLink(o.link);
            links.delete(o.link);
          }
          expect(s.outstanding).toBeLessThanOrEqual(buffers);
          expect(s.outstanding).toBeGreaterThanOrEqual(0);
        }
        // Drain: every turn taken, every fragment sent, every buffer returned.
        for (;;) {
          const h = s.nextSendable();
          if (h !== undefined) {
            produce(h);
            continue;
          }
          const p = s.poll();
          if (p) {
            const a = acl(p);
            links.get(a.handle)!.sent.push(...a.data);
          } else if (s.outstanding > 0) for (const l of links.keys()) s.completed(l, buffers);
          else break;
        }
        for (const l of links.values()) {
          expect(l.waiting).toEqual([]);
          expect(l.sent).toEqual(l.queued);
        }
      }),
      { numRuns: 200 },
    );
  });
});
