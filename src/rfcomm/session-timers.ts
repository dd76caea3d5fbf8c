/**
 * The timers of one RFCOMM session, kept in its manager's single `TimerSet` under keys
 * `<sessionId>|<key>` (DESIGN.md rule 10): the manager's next deadline then costs O(1), and a
 * timeout touches only the session it is for, however many sessions exist. The session arms and
 * clears its own keys; the manager hands each expired key back to its session.
 */
import type { TimerSet } from '../core/index.js';

export class SessionTimers {
  private readonly keys = new Set<string>();
  private readonly prefix: string;

  constructor(
    private readonly shared: TimerSet<string>,
    sessionId: number,
  ) {
    this.prefix = `${sessionId}|`;
  }

  set(key: string, deadline: number): void {
    this.keys.add(key);
    this.shared.set(this.prefix + key, deadline);
  }

  clear(key: string): void {
    if (this.keys.delete(key)) this.shared.clear(this.prefix + key);
  }

  /** Every timer of the session. */
  clearAll(): void {
    for (const key of this.keys) this.shared.clear(this.prefix + key);
    this.keys.clear();
  }

  /** The manager took `key` out of the shared set as expired. */
  expired(key: string): void {
    this.keys.delete(key);
  }
}

/** Splits a shared key into the session id and the session's own key. */
export function splitTimerKey(composite: string): { sessionId: number; key: string } {
  const bar = composite.indexOf('|');
  return { sessionId: Number(composite.slice(0, bar)), key: composite.slice(bar + 1) };
}
