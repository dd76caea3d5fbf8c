/**
 * The tester stack's own RFCOMM channel to the device, for scenarios that share the link
 * (`standAside: 'channels'`): it opens the stack's session beside the DLC the tester takes, and
 * shows afterwards that the stack's DLC still carries data both ways (the device echoes what it
 * gets on that channel). Its events come from the medium; one watcher per medium, however many
 * scenarios run.
 */
import type { StackEvent } from '../stack/index.js';
import type { TesterMedium } from './medium.js';

interface Watched {
  opened: Set<number>;
  closed: Map<number, string>;
  received: Map<number, number[]>;
}

const watched = new WeakMap<TesterMedium, Watched>();

function watch(medium: TesterMedium): Watched {
  let w = watched.get(medium);
  if (w) return w;
  const state: Watched = { opened: new Set(), closed: new Map(), received: new Map() };
  medium.onEvent((e: StackEvent) => {
    if (e.type === 'rfcomm-open') state.opened.add(e.id);
    else if (e.type === 'rfcomm-closed') state.closed.set(e.id, e.message);
    else if (e.type === 'rfcomm-data') state.received.get(e.id)?.push(...e.data);
  });
  watched.set(medium, (w = state));
  return w;
}

export class StackChannel {
  private constructor(
    private readonly medium: TesterMedium,
    private readonly w: Watched,
    readonly id: number,
  ) {}

  /** Opens the stack's RFCOMM channel to `channel` on `address`; a sentence saying why not when it cannot. */
  static async open(medium: TesterMedium, address: string, channel: number, timeoutMs: number): Promise<StackChannel | string> {
    const w = watch(medium);
    const id = medium.run((now) => medium.stack.connectRfcomm(address, channel, now));
    w.received.set(id, []);
    await medium.wait(() => w.opened.has(id) || w.closed.has(id), medium.now() + timeoutMs);
    if (w.opened.has(id)) return new StackChannel(medium, w, id);
    w.received.delete(id);
    return `the stack's own RFCOMM channel to server channel ${channel} did not open: ${w.closed.get(id) ?? `no answer within ${timeoutMs} ms`}`;
  }

  /** Why the channel closed, when it did. */
  get closedWhy(): string | undefined {
    return this.w.closed.get(this.id);
  }

  /** Writes `bytes` and waits until the device sent them back; a sentence saying what happened instead. */
  async echo(bytes: Uint8Array, timeoutMs: number): Promise<string | undefined> {
    const got = this.w.received.get(this.id)!;
    got.length = 0;
    if (this.closedWhy !== undefined) return `the stack's own channel closed: ${this.closedWhy}`;
    const accepted = this.medium.run((now) => this.medium.stack.writeRfcomm(this.id, bytes, now));
    if (accepted !== bytes.length) return `the stack's own channel took ${accepted} of ${bytes.length} bytes`;
    await this.medium.wait(() => got.length >= bytes.length || this.closedWhy !== undefined, this.medium.now() + timeoutMs);
    if (this.closedWhy !== undefined) return `the stack's own channel closed: ${this.closedWhy}`;
    if (got.length < bytes.length) return `the stack's own channel echoed ${got.length} of ${bytes.length} bytes within ${timeoutMs} ms`;
    const same = bytes.every((b, i) => got[i] === b);
    return same ? undefined : "the stack's own channel echoed other bytes than it sent";
  }

  /** Closes the stack's channel and waits for it to end. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closedWhy === undefined) this.medium.run((now) => this.medium.stack.closeRfcomm(this.id, now));
    await this.medium.wait(() => this.closedWhy !== undefined, this.medium.now() + timeoutMs);
    this.w.opened.delete(this.id);
    this.w.closed.delete(this.id);
    this.w.received.delete(this.id);
  }
}
