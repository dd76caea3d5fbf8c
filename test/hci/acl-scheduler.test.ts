/** ACL scheduler: controller buffer credits are never exceeded, NOCP is clamped, links share fairly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AclScheduler } from '../../src/hci/index.js';

describe('AclScheduler', () => {
  it('sends nothing before Read Buffer Size, then only while buffers are free', () => {
    const s = new AclScheduler();
    s.addLink(1);
    s.enqueue(1, new Uint8Array(100));
    expect(s.poll()).toBeUndefined();
    s.setBuffers(27, 2);
    expect(s.poll()?.data.length).toBe(27);
    expect(s.poll()?.data.length).toBe(27);
    expect(s.poll()).toBeUndefined();
    s.completed(1, 1);
    expect(s.poll()?.pb).toBe(1);
  });

  it('clamps an over-counting NOCP and ignores unknown handles', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 3);
    s.addLink(1);
    s.enqueue(1, new Uint8Array(50));
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
    s.enqueue(1, new Uint8Array(50));
    s.poll();
    s.poll();
    expect(s.freeBuffers).toBe(0);
    s.removeLink(1);
    expect(s.freeBuffers).toBe(2);
    expect(s.enqueue(1, new Uint8Array(5))).toBe(false);
    expect(s.stats.noLink).toBe(1);
  });

  it('refuses PDUs beyond the per-link byte cap', () => {
    const s = new AclScheduler({ maxQueuedBytes: 100 });
    s.addLink(1);
    expect(s.enqueue(1, new Uint8Array(60))).toBe(true);
    expect(s.enqueue(1, new Uint8Array(41))).toBe(false);
    expect(s.enqueue(1, new Uint8Array(40))).toBe(true);
    expect(s.stats.overflows).toBe(1);
    expect(s.queuedBytes(1)).toBe(100);
  });

  it('round robin: two busy links alternate fragments', () => {
    const s = new AclScheduler();
    s.setBuffers(10, 100);
    s.addLink(1);
    s.addLink(2);
    s.enqueue(1, new Uint8Array(100));
    s.enqueue(2, new Uint8Array(100));
    const order = Array.from({ length: 8 }, () => s.poll()!.handle);
    expect(order).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
  });

  it('model: outstanding never exceeds the controller buffers, every queued byte goes out exactly once', () => {
    type Op = { kind: 'enqueue'; link: number; len: number } | { kind: 'poll' } | { kind: 'nocp'; link: number; n: number } | { kind: 'drop'; link: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('enqueue' as const), link: fc.integer({ min: 1, max: 3 }), len: fc.integer({ min: 0, max: 300 }) }),
      fc.constant({ kind: 'poll' as const }),
      fc.constant({ kind: 'poll' as const }),
      fc.record({ kind: fc.constant('nocp' as const), link: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('drop' as const), link: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (mtu, buffers, ops) => {
        const s = new AclScheduler({ maxQueuedBytes: 1000 });
        s.setBuffers(mtu, buffers);
        const live = new Set<number>();
        const sent = new Map<number, number>();
        const queued = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'enqueue') {
            if (!live.has(o.link)) {
              s.addLink(o.link);
              live.add(o.link);
            }
            if (s.enqueue(o.link, new Uint8Array(o.len))) queued.set(o.link, (queued.get(o.link) ?? 0) + o.len);
          } else if (o.kind === 'poll') {
            const p = s.poll();
            if (p) {
              expect(p.data.length).toBeLessThanOrEqual(mtu);
              sent.set(p.handle, (sent.get(p.handle) ?? 0) + p.data.length);
            }
          } else if (o.kind === 'nocp') s.completed(o.link, o.n);
          else {
            s.removeLink(o.link);
            live.delete(o.link);
            queued.delete(o.link);
            sent.delete(o.link);
          }
          expect(s.outstanding).toBeLessThanOrEqual(buffers);
          expect(s.outstanding).toBeGreaterThanOrEqual(0);
          for (const l of live) expect(sent.get(l) ?? 0).toBeLessThanOrEqual(queued.get(l) ?? 0);
        }
        for (let p = s.poll(); ; p = s.poll()) {
          if (p) sent.set(p.handle, (sent.get(p.handle) ?? 0) + p.data.length);
          else if (s.outstanding > 0) for (const l of live) s.completed(l, buffers);
          else break;
        }
        for (const l of live) expect(sent.get(l) ?? 0).toBe(queued.get(l) ?? 0);
      }),
      { numRuns: 200 },
    );
  });
});
