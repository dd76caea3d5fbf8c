/**
 * The cell-by-cell half of every state-table test (src/core/state-machine.ts): each defined cell
 * of `table` moves a subject and records the change; each undefined cell is a fault that keeps the
 * state and records only the fault. The other half, driving each edge through the layer that owns
 * the machine, stays with each table's own test.
 */
import { describe, expect, it } from 'vitest';
import { StateMachine, tableEdges, type TransitionTable } from '../../src/core/index.js';

export function describeTableCells<S extends string, E extends string>(
  title: string,
  machine: string,
  table: TransitionTable<S, E>,
  states: readonly S[],
  events: readonly E[],
): void {
  describe(`${title}, cell by cell`, () => {
    it.each(tableEdges(table))('$from × $event → $to', ({ from, event, to }) => {
      const m = new StateMachine<S, E>(machine, table);
      const subject = { state: from };
      expect(m.transition(subject, 7, event, 4)).toBeUndefined();
      expect(subject.state).toBe(to);
      expect(m.history()).toEqual([{ kind: 'change', machine, subject: 7, from, event, to, at: 4 }]);
    });

    const undefinedCells = states.flatMap((state) => events.map((event) => ({ state, event }))).filter(({ state, event }) => table[state][event] === undefined);
    it.each(undefinedCells)('$state × $event is undefined: a fault, the state kept', ({ state, event }) => {
      const m = new StateMachine<S, E>(machine, table);
      const subject = { state };
      const fault = m.transition(subject, 8, event, 9);
      expect(fault).toMatchObject({ kind: 'fault', machine, subject: 8, state, event, at: 9 });
      expect(subject.state).toBe(state);
      expect(m.history()).toEqual([fault]);
    });
  });
}
