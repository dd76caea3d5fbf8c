/**
 * A `Transport` over a `VirtualController` with a real clock: host bytes go into the controller at
 * once; its output is drained in a microtask (never inside `write`, so a host cannot re-enter
 * itself); its next deadline is armed with one setTimeout (setImmediate when already due). Output
 * produced before `onData` is registered waits in the controller. `close()` powers the controller
 * off, so peers on the link see their connections end.
 */
import { performance } from 'node:perf_hooks';
import { InvalidStateError } from '../../core/index.js';
import type { Transport } from '../transport.js';
import type { VirtualController } from './controller.js';

export class VirtualTransport implements Transport {
  readonly description: string;
  readonly vendorPackets = false;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private drainQueued = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timerAt: number | undefined;
  private closed = false;

  constructor(
    readonly controller: VirtualController,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.description = `virtual ${controller.address}`;
    controller.onWake = () => this.wake();
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
    this.controller.onWake = undefined;
    this.controller.detach(this.clock());
    this.closeHandler?.();
  }

  private wake(): void {
    if (this.closed || this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.drainQueued = false;
    if (this.closed) return;
    const handler = this.dataHandler;
    if (handler) {
      for (let p = this.controller.pollTransmit(); p && !this.closed; p = this.controller.pollTransmit()) handler(p);
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
      if (this.closed) return;
      this.controller.handleTimeout(this.clock());
      this.wake();
    };
    this.timer = delay <= 0 ? setImmediate(fire) : setTimeout(fire, Math.ceil(delay));
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
