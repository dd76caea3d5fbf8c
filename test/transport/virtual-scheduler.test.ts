/** The virtual controller's deadlines: order, cancelling, and actions that schedule more. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/transport/virtual/scheduler.js';

describe('virtual controller scheduler', () => {
  it('runs due actions by time, then in the order scheduled; later ones wait', () => {
    const s = new Scheduler();
    const ran: string[] = [];
    s.at(5, () => ran.push('b5'));
    s.at(3, () => ran.push('a3'));
    s.at(5, () => ran.push('c5'));
    s.at(9, () => ran.push('d9'));
    expect(s.next()).toBe(3);
    s.runDue(5);
    expect(ran).toEqual(['a3', 'b5', 'c5']);
    expect(s.next()).toBe(9);
    s.runDue(9);
    expect(ran).toEqual(['a3', 'b5', 'c5', 'd9']);
    expect(s.next()).toBeUndefined();
  });

  it('cancels one action wherever it sits, and runs what an action schedules for now', () => {
    const s = new Scheduler();
    const ran: number[] = [];
    const ids = [1, 2, 3, 4].map((n) => s.at(n, () => ran.push(n)));
    s.cancel(ids[1]);
    s.cancel(undefined);
    s.at(4, (now) => s.at(now, () => ran.push(40)));
    s.runDue(4);
    expect(ran).toEqual([1, 3, 4, 40]);
    s.at(1, () => ran.push(100));
    s.clear();
    s.runDue(10);
    expect(ran).toEqual([1, 3, 4, 40]);
  });

  it('runs every scheduled and not cancelled action once, in (time, scheduling) order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), cancel: fc.boolean() }), { maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (plan, until) => {
        const s = new Scheduler();
        const ran: number[] = [];
        const ids = plan.map((p, i) => s.at(p.at, () => ran.push(i)));
        plan.forEach((p, i) => p.cancel && s.cancel(ids[i]));
        s.runDue(until);
        const expected = plan
          .map((p, i) => ({ ...p, i }))
          .filter((p) => !p.cancel && p.at <= until)
          .sort((x, y) => x.at - y.at || x.i - y.i)
          .map((p) => p.i);
        expect(ran).toEqual(expected);
        const left = plan.filter((p) => !p.cancel && p.at > until).map((p) => p.at);
        expect(s.next()).toBe(left.length ? Math.min(...left) : undefined);
      }),
    );
  });
});
