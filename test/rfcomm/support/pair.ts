/**
 * Two RfcommManagers back to back over one pretend L2CAP channel, with a little pump that moves
 * one SDU each way per step, collects events and (optionally) lets a reader consume.
 */
import { concat } from '../../../src/core/index.js';
import { RfcommManager, type RfcommEvent, type RfcommOptions } from '../../../src/rfcomm/index.js';

export const SID_A = 0x40;
export const SID_B = 0x41;

export interface Side {
  readonly rf: RfcommManager;
  readonly sid: number;
  readonly events: RfcommEvent[];
  /** Bytes received per dlcId, in order. */
  readonly received: Map<number, Uint8Array[]>;
  /** Bytes received but not yet consumed, per dlcId. */
  readonly unread: Map<number, number>;
  /** How many bytes the reader consumes per step and DLC (Infinity = all at once). */
  readRate: number;
}

export class Pair {
  readonly a: Side;
  readonly b: Side;
  now = 0;
  steps = 0;
  /** Called after every step (invariant checks). */
  onStep: () => void = () => {};

  constructor(optsA: RfcommOptions = {}, optsB: RfcommOptions = {}, l2capMtu = 672) {
    this.a = side(new RfcommManager(optsA), SID_A);
    this.b = side(new RfcommManager(optsB), SID_B);
    this.a.rf.sessionUp(SID_A, { initiator: true, l2capMtu }, this.now);
    this.b.rf.sessionUp(SID_B, { initiator: false, l2capMtu }, this.now);
  }

  /** One step: at most one SDU each way, events drained, readers consume. True if anything moved or was read. */
  step(): boolean {
    let moved = false;
    const ab = this.a.rf.pollTransmit();
    if (ab) {
      this.b.rf.receive(SID_B, ab.sdu, this.now);
      moved = true;
    }
    const ba = this.b.rf.pollTransmit();
    if (ba) {
      this.a.rf.receive(SID_A, ba.sdu, this.now);
      moved = true;
    }
    for (const s of [this.a, this.b]) {
      drain(s);
      for (const [dlcId, n] of s.unread) {
        const k = Math.min(n, s.readRate);
        if (k > 0) {
          s.unread.set(dlcId, n - k);
          s.rf.consume(dlcId, k, this.now);
          moved = true;
        }
      }
    }
    this.steps++;
    this.onStep();
    return moved;
  }

  /** Steps until nothing moves and no reader consumes any more (or the cap). */
  run(maxSteps = 1_000_000): void {
    for (let i = 0; i < maxSteps; i++) {
      if (!this.step()) return;
    }
    throw new Error(`pump did not settle in ${maxSteps} steps`);
  }

  /** Advances the clock and fires due timers on both sides. */
  advance(ms: number): void {
    this.now += ms;
    for (const s of [this.a, this.b]) {
      const t = s.rf.pollTimeout();
      if (t !== undefined && t <= this.now) s.rf.handleTimeout(this.now);
      drain(s);
    }
  }

  data(s: Side, dlcId: number): Uint8Array {
    return concat(...(s.received.get(dlcId) ?? []));
  }

  opened(s: Side): Extract<RfcommEvent, { type: 'dlc-open' }>[] {
    return s.events.filter((e): e is Extract<RfcommEvent, { type: 'dlc-open' }> => e.type === 'dlc-open');
  }
}

function side(rf: RfcommManager, sid: number): Side {
  return { rf, sid, events: [], received: new Map(), unread: new Map(), readRate: Infinity };
}

function drain(s: Side): void {
  for (let e = s.rf.pollEvent(); e; e = s.rf.pollEvent()) {
    s.events.push(e);
    if (e.type === 'dlc-data') {
      const list = s.received.get(e.dlcId) ?? [];
      list.push(e.data);
      s.received.set(e.dlcId, list);
      s.unread.set(e.dlcId, (s.unread.get(e.dlcId) ?? 0) + e.data.length);
    }
  }
}

/** A deterministic pattern that differs per DLC, so reordering or mixing shows. */
export function pattern(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes all of `bytes` as the tx queue accepts it, stepping the pump in between. */
export function writeAll(p: Pair, s: Side, dlcId: number, bytes: Uint8Array): void {
  let off = 0;
  let guard = 0;
  while (off < bytes.length) {
    off += s.rf.write(dlcId, bytes.subarray(off));
    if (off < bytes.length) {
      if (!p.step() && ++guard > 1000) throw new Error('writer stuck: no progress');
    }
  }
}
