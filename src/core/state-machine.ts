/**
 * State machines as tables (DESIGN.md rule 9). A machine is its transition table, state × event →
 * next state, written once in the file that owns it (l2cap/channel-state.ts, rfcomm/dlc-state.ts …).
 * `StateMachine.transition` is the only writer of a subject's `state`:
 * - a defined edge moves the subject and is recorded as a `StateChange`;
 * - an undefined edge leaves the state as it is, is recorded as a `StateFault` and returned, and
 *   the owner turns it into its layer's error event. It never throws: the edge may have been driven
 *   by remote input (DESIGN.md rule 7).
 * The record is bounded: the latest `capacity` entries, oldest dropped first (DESIGN.md rule 6).
 * Tests and traces read it with `history()`.
 */
import { ArgumentError } from './errors.js';

export type TransitionTable<S extends string, E extends string> = { readonly [state in S]: { readonly [event in E]?: S } };

export interface StateChange<S extends string, E extends string> {
  readonly kind: 'change';
  readonly machine: string;
  /** The subject's id in its layer (a local CID, a DLC id, an ACL handle …). */
  readonly subject: number;
  readonly from: S;
  readonly event: E;
  readonly to: S;
  readonly at: number;
}

/** An event that the table does not define in the subject's state. */
export interface StateFault<S extends string, E extends string> {
  readonly kind: 'fault';
  readonly machine: string;
  readonly subject: number;
  readonly state: S;
  readonly event: E;
  readonly at: number;
  /** One line for the layer's error event. */
  readonly message: string;
}

export type StateRecord<S extends string, E extends string> = StateChange<S, E> | StateFault<S, E>;

/** Entries a machine keeps in its history unless told otherwise. */
export const DEFAULT_STATE_HISTORY = 256;

export class StateMachine<S extends string, E extends string> {
  private readonly records: (StateRecord<S, E> | undefined)[];
  private head = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly table: TransitionTable<S, E>,
    readonly capacity: number = DEFAULT_STATE_HISTORY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new ArgumentError(`a state history keeps at least one entry, not ${capacity}`);
    this.records = new Array(capacity);
  }

  /** The state `event` leads to from `state`, or undefined when the table has no such edge. */
  next(state: S, event: E): S | undefined {
    return this.table[state][event];
  }

  /** Moves `subject` along the edge (`state`, `event`); returns the fault, without moving it, when the edge is undefined. */
  transition(subject: { state: S }, id: number, event: E, at: number): StateFault<S, E> | undefined {
    const from = subject.state;
    const to = this.next(from, event);
    if (to === undefined) {
      const fault: StateFault<S, E> = { kind: 'fault', machine: this.name, subject: id, state: from, event, at, message: `${this.name} ${id}: event ${event} is not defined in state ${from}` };
      this.record(fault);
      return fault;
    }
    subject.state = to;
    this.record({ kind: 'change', machine: this.name, subject: id, from, event, to, at });
    return undefined;
  }

  /** The latest records, oldest first. */
  history(): StateRecord<S, E>[] {
    const out: StateRecord<S, E>[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.records[(this.head + i) % this.capacity]!);
    return out;
  }

  private record(r: StateRecord<S, E>): void {
    if (this.count === this.capacity) {
      this.records[this.head] = r;
      this.head = (this.head + 1) % this.capacity;
      return;
    }
    this.records[(this.head + this.count) % this.capacity] = r;
    this.count++;
  }
}

/** Every defined edge of `table`, in table order (for tests and for drawing the table). */
export function tableEdges<S extends string, E extends string>(table: TransitionTable<S, E>): { from: S; event: E; to: S }[] {
  const edges: { from: S; event: E; to: S }[] = [];
  for (const from of Object.keys(table) as S[]) {
    const row = table[from];
    for (const event of Object.keys(row) as E[]) edges.push({ from, event, to: row[event]! });
  }
  return edges;
}
