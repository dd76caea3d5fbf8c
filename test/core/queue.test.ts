/** src/core/queue.ts: the bounded FIFO behind every output queue (DESIGN.md rule 6). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, BoundedQueue } from '../../src/core/index.js';

describe('BoundedQueue', () => {
  it('refuses a push at capacity and leaves the queue unchanged', () => {
    const q = new BoundedQueue<number>(2);
    expect(q.push(1)).toBe(true);
    expect(q.push(2)).toBe(true);
    expect(q.full).toBe(true);
    expect(q.push(3)).toBe(false);
    expect([...q]).toEqual([1, 2]);
    expect(q.shift()).toBe(1);
    expect(q.push(3)).toBe(true);
    expect([...q]).toEqual([2, 3]);
    expect(q.peek()).toBe(2);
    expect(q.length).toBe(2);
  });

  it('capacity 0 refuses every push', () => {
    const q = new BoundedQueue<number>(0);
    expect(q.push(1)).toBe(false);
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('refuses a capacity that would make it unbounded or meaningless', () => {
    for (const c of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) expect(() => new BoundedQueue(c)).toThrow(ArgumentError);
    expect(new BoundedQueue(Number.MAX_SAFE_INTEGER).capacity).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('clear empties it', () => {
    const q = new BoundedQueue<string>(3);
    q.push('a');
    q.push('b');
    q.clear();
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.push('c')).toBe(true);
    expect([...q]).toEqual(['c']);
  });

  it('stays FIFO and within its cap across compaction (long runs of push/shift)', () => {
    const q = new BoundedQueue<number>(3000);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 5; round++) {
      while (q.push(next)) next++;
      for (let i = 0; i < 2500; i++) expect(q.shift()).toBe(expected++);
    }
    expect(q.length).toBe(next - expected);
    expect([...q][0]).toBe(expected);
  });

  it('matches an array model for any sequence of push, shift and clear', () => {
    const op = fc.oneof(fc.nat().map((v) => ({ op: 'push' as const, v })), fc.constant({ op: 'shift' as const, v: 0 }), fc.constant({ op: 'clear' as const, v: 0 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(op, { maxLength: 3000 }), (cap, ops) => {
        const q = new BoundedQueue<number>(cap);
        const model: number[] = [];
        for (const o of ops) {
          if (o.op === 'push') {
            const ok = q.push(o.v);
            expect(ok).toBe(model.length < cap);
            if (ok) model.push(o.v);
          } else if (o.op === 'shift') {
            expect(q.shift()).toBe(model.shift());
          } else {
            q.clear();
            model.length = 0;
          }
          expect(q.length).toBe(model.length);
          expect(q.length).toBeLessThanOrEqual(cap);
          expect(q.full).toBe(model.length >= cap);
          expect(q.peek()).toBe(model[0]);
        }
        expect([...q]).toEqual(model);
      }),
      { numRuns: 50 },
    );
  });
});
