/**
 * A `Transport` over a `VirtualController` with a real clock: host bytes go into the controller at
 * once; its output is drained in a microtask (never inside `write`, so a host cannot re-enter
 * itself). A deadline already due when the output is drained (the packets a host wrote in one
 * turn, sent together) is handled there and then, up to `INLINE_DEADLINES` times before the event
 * loop gets a turn: an exchange does not wait for a loop iteration per hop, while timers, I/O and
 * V8's own tasks (which need the loop to turn; starving them for milliseconds made every exchange
 * slower) still run; a later deadline is armed with one setTimeout. Output produced before
 * `onData` is registered waits in the controller. `close()` powers the controller off, so peers on
 * the link see their connections end.
 *
 * `unref()` lets the process end while the transport is open. Controllers on one link answer each
 * other through their own deadlines (a page, a connection accept), so the timers of every
 * transport on a link keep the process alive while any transport on it is held (`ref()`, the
 * initial state): an idle adapter's controller still answers a busy neighbour.
 */
import { performance } from 'node:perf_hooks';
import { InvalidStateError } from '../../core/index.js';
import type { Transport } from '../transport.js';
import type { VirtualController } from './controller.js';
import type { VirtualLink } from './link.js';

/**
 * Due deadlines are handled in microtasks until one of these runs out; the next is left to
 * setImmediate, so the event loop turns and other I/O in the process is served. The time bound
 * keeps that wait short; the count bounds it when the clock stands still. A loop turn costs tens
 * of microseconds: after every 64 deadlines (the bound before) it fell on every 65th echo round
 * trip between two virtual adapters, and set their 99th percentile (docs/performance.md).
 */
const INLINE_DEADLINES = 1024;
const INLINE_MS = 4;

const RESOLVED = Promise.resolve();

/** The transports on one link: those open, and those of them held (not unref'd). */
interface Air {
  readonly open: Set<VirtualTransport>;
  readonly held: Set<VirtualTransport>;
}

const airs = new WeakMap<VirtualLink, Air>();

function airOf(link: VirtualLink): Air {
  let air = airs.get(link);
  if (!air) airs.set(link, (air = { open: new Set(), held: new Set() }));
  return air;
}

export class VirtualTransport implements Transport {
  readonly description: string;
  readonly vendorPackets = false;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private drainQueued = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timerAt: number | undefined;
  private closed = false;
  /** Due deadlines that may still be handled in microtasks before the loop must turn. */
  private inlineLeft = INLINE_DEADLINES;
  /** When the event loop last turned for this transport (its clock). */
  private turnedAt: number;
  private readonly air: Air;

  constructor(
    readonly controller: VirtualController,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.description = `virtual ${controller.address}`;
    this.turnedAt = clock();
    controller.onWake = () => this.wake();
    this.air = airOf(controller.link);
    this.air.open.add(this);
    this.air.held.add(this);
  }

  ref(): void {
    this.hold(true);
  }

  unref(): void {
    this.hold(false);
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new InvalidStateError(`${this.description} is closed`);
    this.controller.receive(bytes, this.clock());
    this.wake();
  }

  onData(handler: (bytes: Uint8Array) => void): void {
    this.dataHandler = handler;
    this.wake();
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    this.hold(false);
    this.air.open.delete(this);
    this.controller.onWake = undefined;
    this.controller.detach(this.clock());
    this.closeHandler?.();
  }

  private wake(): void {
    if (this.closed || this.drainQueued) return;
    this.drainQueued = true;
    // A promise job rather than queueMicrotask, which wraps every callback in an async resource
    // and a bound function (about 600 bytes each, several per echo round trip).
    RESOLVED.then(this.drainTask);
  }

  private readonly drainTask = (): void => this.drain();

  private drain(): void {
    this.drainQueued = false;
    if (this.closed) return;
    const handler = this.dataHandler;
    if (!handler) return this.arm();
    for (;;) {
      for (let p = this.controller.pollTransmit(); p && !this.closed; p = this.controller.pollTransmit()) handler(p);
      if (this.closed || this.inlineLeft === 0) break;
      const at = this.controller.pollTimeout();
      const now = this.clock();
      if (at === undefined || at > now || now - this.turnedAt > INLINE_MS) break;
      this.inlineLeft--;
      this.controller.handleTimeout(now);
    }
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    const at = this.controller.pollTimeout();
    if (at === this.timerAt) return;
    this.disarm();
    if (at === undefined) return;
    this.timerAt = at;
    const delay = at - this.clock();
    const fire = () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.inlineLeft = INLINE_DEADLINES;
      this.turnedAt = this.clock();
      if (this.closed) return;
      this.controller.handleTimeout(this.clock());
      this.wake();
    };
    this.timer = delay <= 0 ? setImmediate(fire) : setTimeout(fire, Math.ceil(delay));
    if (this.air.held.size === 0) this.timer.unref();
  }

  /** Holds or releases this transport; when the link's state changes, every timer on it follows. */
  private hold(on: boolean): void {
    const before = this.air.held.size > 0;
    if (on && !this.closed) this.air.held.add(this);
    else this.air.held.delete(this);
    const after = this.air.held.size > 0;
    if (before !== after) for (const t of this.air.open) t.timer?.[after ? 'ref' : 'unref']();
  }

  private disarm(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    this.timerAt = undefined;
  }
}
