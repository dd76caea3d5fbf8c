/**
 * Bulk-transfer helpers: a position-dependent byte pattern (so a lost, duplicated or reordered byte
 * shows at its offset) and a sink that checks it as RFCOMM data arrives.
 */
import type { StackEvent } from '../../src/stack/events.js';
import type { NetNode, VirtualNet } from './virtual-net.js';

/** Byte i of the stream is a function of i alone, with a period (251) prime to every frame size. */
export function patternBytes(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = ((offset + i) * 31 + ((offset + i) >>> 8)) % 251;
  return out;
}

/** Receives RFCOMM data for one id, checks the pattern, and consumes at once unless told to wait. */
export class Sink {
  received = 0;
  unconsumed = 0;
  readonly errors: string[] = [];

  constructor(
    private readonly net: VirtualNet,
    private readonly node: NetNode,
    private readonly id: number,
    private readonly total: number,
    /** Bytes consumed per chunk received; Infinity = all at once, 0 = none until consumeAll(). */
    private consumeRate = Infinity,
  ) {
    node.listeners.push((e: StackEvent) => {
      if (e.type !== 'rfcomm-data' || e.id !== id) return;
      this.check(e.data);
    });
  }

  get done(): boolean {
    return this.received >= this.total;
  }

  consumeAll(): void {
    this.consumeRate = Infinity;
    if (this.unconsumed > 0) this.node.stack.consumeRfcomm(this.id, this.unconsumed, this.net.now);
    this.unconsumed = 0;
  }

  private check(data: Uint8Array): void {
    const want = patternBytes(this.received, data.length);
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== want[i]) {
        if (this.errors.length < 5) this.errors.push(`byte ${this.received + i}: got ${data[i]}, want ${want[i]}`);
        break;
      }
    }
    this.received += data.length;
    this.unconsumed += data.length;
    const n = Math.min(this.unconsumed, this.consumeRate);
    if (n > 0) {
      this.unconsumed -= n;
      this.node.stack.consumeRfcomm(this.id, n, this.net.now);
    }
  }
}
