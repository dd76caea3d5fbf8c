/**
 * The driver runs a sans-I/O `Stack` on a `Transport` with a real monotonic clock: bytes from the
 * transport go into `stack.receive`, H4 packets out of `stack.pollTransmit` go to the transport,
 * events go to listeners, and one timer follows `stack.pollTimeout()`. It is the only place where
 * the stack meets I/O and wall-clock time (DESIGN.md rules 1–3). Optionally it records every
 * packet to a btsnoop file.
 */
import { performance } from 'node:perf_hooks';
import { BluetoothError, TransportError } from '../core/index.js';
import type { Transport } from '../transport/index.js';
import type { Stack } from '../stack/index.js';
import type { StackEvent } from '../stack/index.js';

/** Receives every H4 packet that crosses the transport (a btsnoop recorder, a live decoder). */
export interface PacketSink {
  record(direction: 'tx' | 'rx', h4: Uint8Array, timestampMs: number): void;
}

export type StackListener = (event: StackEvent, now: number) => void;

export class Driver {
  private readonly listeners = new Set<StackListener>();
  private readonly sinks = new Set<PacketSink>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private flushing = false;
  private again = false;
  /** Inputs asked for by listeners while events were dispatched (`runAfterDispatch`), in order. */
  private readonly deferred: ((now: number) => void)[] = [];
  private closed = false;
  /** Whether the timer and the transport keep the process alive (`keepAlive`). */
  private held = true;
  private readonly origin = performance.now();

  constructor(
    readonly stack: Stack,
    readonly transport: Transport,
  ) {
    transport.onData((bytes) => this.receive(bytes));
    transport.onClose((error) => this.onTransportClose(error));
  }

  /** Monotonic milliseconds since the driver started. */
  now(): number {
    return performance.now() - this.origin;
  }

  start(): void {
    this.run((now) => this.stack.start(now));
  }

  /** Runs one input or command on the stack, then drains its outputs. */
  run<T>(fn: (now: number) => T): T {
    this.ensureOpen();
    const now = this.now();
    const result = fn(now);
    this.flush(now);
    return result;
  }

  /**
   * Like `run` for an input that returns nothing, but never from inside the driver's own dispatch:
   * called by a listener while events are dispatched, `fn` runs once the events of that round have
   * all been dispatched, so the stack is not entered in the middle of draining its events.
   */
  runAfterDispatch(fn: (now: number) => void): void {
    this.ensureOpen();
    if (!this.flushing) {
      this.run(fn);
      return;
    }
    this.deferred.push(fn);
    this.again = true;
  }

  /**
   * Like `run`, but calls `attach(result)` before the outputs are drained: an operation that
   * returns an id can register the owner of that id before any event about it is dispatched.
   */
  runAttached<T>(fn: (now: number) => T, attach: (result: T) => void): T {
    this.ensureOpen();
    const now = this.now();
    const result = fn(now);
    attach(result);
    this.flush(now);
    return result;
  }

  on(listener: StackListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records every H4 packet from now on (turns the stack's tracing on). */
  addSink(sink: PacketSink): void {
    this.sinks.add(sink);
    this.stack.tracing = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Whether the driver keeps the process alive (Node's ref/unref of its timer and its transport).
   * Held from the start; the adapter releases it while nothing uses it, so that a program whose
   * sockets are closed ends (a released driver still runs its timer and reads its transport).
   */
  keepAlive(on: boolean): void {
    if (on === this.held || this.closed) return;
    this.held = on;
    this.timer?.[on ? 'ref' : 'unref']();
    if (on) this.transport.ref?.();
    else this.transport.unref?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.markClosed();
    await this.transport.close();
  }

  private markClosed(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drains the stack's packets and events; `at` is the time of the input that called it, if it just read the clock. */
  private flush(at?: number): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        // Once the transport is gone, what the stack still has to send goes nowhere.
        const now = at ?? this.now();
        at = undefined;
        for (let b = this.stack.pollTransmit(now); b; b = this.stack.pollTransmit(now)) if (!this.closed) this.transport.write(b);
        for (let e = this.stack.pollEvent(); e; e = this.stack.pollEvent()) this.dispatch(e, now);
        for (let fn = this.deferred.shift(); fn; fn = this.deferred.shift()) {
          this.again = true;
          if (!this.closed) fn(this.now());
        }
      } while (this.again);
    } finally {
      this.flushing = false;
      // Even when a listener threw: the stack's timers must keep running.
      this.schedule();
    }
  }

  /**
   * Runs work started by the transport or the timer, whose callers cannot handle a throw: the stack
   * itself never throws from `receive` or `handleTimeout`, so what is caught here came from a
   * listener or the transport's write. It is reported as an 'error' event, and if a listener throws
   * on that too, as a process warning: nothing escapes into the transport's data handler.
   */
  private fromTransport(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.reportInputError(err);
    }
  }

  /** Bytes from the transport, as `fromTransport(() => this.run(…))` without a closure per chunk. */
  private receive(bytes: Uint8Array): void {
    try {
      this.ensureOpen();
      const now = this.now();
      this.stack.receive(bytes, now);
      this.flush(now);
    } catch (err) {
      this.reportInputError(err);
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new TransportError(`the transport ${this.transport.description} is closed`);
  }

  private reportInputError(err: unknown): void {
    const error = new BluetoothError(`while handling input from ${this.transport.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    try {
      this.dispatch({ type: 'error', error });
    } catch {
      process.emitWarning(error);
    }
  }

  private dispatch(e: StackEvent, at?: number): void {
    // A traced packet reads the clock for itself (a trace keeps each packet's own time); other events take the input's.
    const now = at === undefined || e.type === 'packet' ? this.now() : at;
    if (e.type === 'packet') for (const s of this.sinks) s.record(e.direction, e.bytes, now);
    // The byte stream broke framing: the stack has ended everything; the transport goes too.
    if (e.type === 'error' && e.fatal && !this.closed) this.stop();
    for (const l of this.listeners) l(e, now);
  }

  /** Marks the driver closed and lets the transport go (its own close is not reported again). */
  private stop(): void {
    this.markClosed();
    void this.transport.close().catch(() => undefined);
  }

  private schedule(): void {
    if (this.closed) return;
    const at = this.stack.pollTimeout();
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      if (!this.closed) this.fromTransport(() => this.run((now) => this.stack.handleTimeout(now)));
    }, Math.max(0, Math.ceil(at - this.now())));
    if (!this.held) this.timer.unref();
  }

  /** The transport closed under us: the stack ends every link and channel, then one fatal TransportError. */
  private onTransportClose(error?: Error): void {
    if (this.closed) return;
    this.markClosed();
    this.stack.transportLost(this.now());
    this.flush();
    const described =
      error instanceof TransportError
        ? error
        : new TransportError(error ? `transport ${this.transport.description} failed: ${error.message}` : `transport ${this.transport.description} closed`, { cause: error });
    this.dispatch({ type: 'error', error: described, fatal: true });
  }
}
