/** src/core/timers.ts: the named deadlines every sans-I/O layer reports through pollTimeout (DESIGN.md rule 2). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerSet, earliest } from '../../src/core/index.js';

describe('TimerSet', () => {
  it('reports the earliest deadline, and undefined when empty', () => {
    const t = new TimerSet<string>();
    expect(t.next()).toBeUndefined();
    t.set('rtx', 300);
    t.set('cfg', 100);
    t.set('idle', 200);
    expect(t.next()).toBe(100);
    expect(t.size).toBe(3);
  });

  it('re-arming a key replaces its deadline; clear removes it', () => {
    const t = new TimerSet<string>();
    t.set('a', 100);
    t.set('b', 200);
    t.set('a', 500);
    expect(t.get('a')).toBe(500);
    expect(t.next()).toBe(200);
    t.clear('b');
    expect(t.has('b')).toBe(false);
    expect(t.next()).toBe(500);
    t.clear('b');
    t.clear('a');
    expect(t.next()).toBeUndefined();
    expect(t.expire(1e9)).toEqual([]);
  });

  it('expire returns the due keys earliest first and removes only them', () => {
    const t = new TimerSet<string>();
    t.set('late', 30);
    t.set('due2', 20);
    t.set('due1', 10);
    t.set('exact', 25);
    expect(t.expire(9)).toEqual([]);
    expect(t.expire(25)).toEqual(['due1', 'due2', 'exact']);
    expect(t.has('due1')).toBe(false);
    expect(t.next()).toBe(30);
    expect(t.expire(25)).toEqual([]);
    expect(t.expire(31)).toEqual(['late']);
    expect(t.size).toBe(0);
  });

  it('matches a model: expire(now) = the keys with deadline ≤ now, sorted by deadline; next() = their minimum', () => {
    const cmd = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.integer({ min: 0, max: 5 }), at: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ op: fc.constant('clear' as const), key: fc.integer({ min: 0, max: 5 }), at: fc.constant(0) }),
      fc.record({ op: fc.constant('expire' as const), key: fc.constant(0), at: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
        const t = new TimerSet<number>();
        const model = new Map<number, number>();
        for (const c of cmds) {
          if (c.op === 'set') {
            t.set(c.key, c.at);
            model.set(c.key, c.at);
          } else if (c.op === 'clear') {
            t.clear(c.key);
            model.delete(c.key);
          } else {
            const got = t.expire(c.at);
            const due = [...model].filter(([, d]) => d <= c.at);
            expect(got.map((k) => model.get(k))).toEqual(due.map(([, d]) => d).sort((a, b) => a - b));
            expect(new Set(got)).toEqual(new Set(due.map(([k]) => k)));
            for (const [k] of due) model.delete(k);
          }
          const min = model.size ? Math.min(...model.values()) : undefined;
          expect(t.next()).toBe(min);
          expect(t.size).toBe(model.size);
        }
      }),
    );
  });
});

describe('earliest', () => {
  it('is the minimum of the defined deadlines', () => {
    expect(earliest(undefined, undefined)).toBeUndefined();
    expect(earliest(undefined, 30)).toBe(30);
    expect(earliest(30, undefined)).toBe(30);
    expect(earliest(30, 10)).toBe(10);
    expect(earliest(0, 5)).toBe(0);
    expect(earliest(-1, 0)).toBe(-1);
  });
});
