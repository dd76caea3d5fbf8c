/**
 * Where the tester runs: a stack, its clock, and a way to let time pass until something happened.
 * `VirtualBench` is fully deterministic (a tester stack and the implementation under test on the
 * virtual controller, a manual clock); `DriverMedium` runs on a real transport with the driver's
 * monotonic clock.
 */
import { earliest } from '../core/index.js';
import { Driver, type PacketSink } from '../node/index.js';
import { Stack, type StackOptions } from '../stack/index.js';
import type { StackEvent } from '../stack/index.js';
import type { Transport } from '../transport/index.js';
import { VirtualController, type VirtualControllerOptions } from '../transport/index.js';
import { VirtualLink } from '../transport/index.js';
import { LinkTap, type LinkTapHooks } from './link-tap.js';

export interface TesterMedium {
  readonly stack: Stack;
  readonly tap: LinkTap;
  /** The stack's clock, ms. */
  now(): number;
  /** Runs an operation on the stack at the current time and moves what it produced. */
  run<T>(fn: (now: number) => T): T;
  /** Lets bytes move and time pass until `done()` holds or the clock reaches `deadline`. */
  wait(done: () => boolean, deadline: number): Promise<void>;
  /** Stack events as they happen. */
  onEvent(listener: (e: StackEvent) => void): void;
}

/**
 * Stack options for the tester's own stack: links it pages stay up while a script runs, and its
 * L2CAP never allocates a CID from 0xFF00 on, where the tester's own channels live when it shares
 * the link with the stack (tester.ts `standAside('channels')`).
 */
export const TESTER_STACK_OPTIONS: StackOptions = { linkIdleMs: 24 * 3600 * 1000, l2cap: { lastDynamicCid: 0xfeff } };

type TapWiring = Omit<LinkTapHooks, 'toController' | 'toHost'>;

/** A tester stack and an implementation under test on one virtual link, with a manual clock. */
export class VirtualBench implements TesterMedium {
  readonly link: VirtualLink;
  readonly stack: Stack;
  readonly tap: LinkTap;
  readonly iut: Stack;
  /** Events of the implementation under test, in order. */
  readonly iutEvents: StackEvent[] = [];
  private readonly testerController: VirtualController;
  private readonly iutController: VirtualController;
  private readonly listeners: ((e: StackEvent) => void)[] = [];
  private readonly iutListeners: ((e: StackEvent, now: number) => void)[] = [];
  private clock = 0;
  /** Rewrites what the implementation under test sends toward its controller (a deliberately wrong peer); undefined drops it. */
  iutOutput: ((h4: Uint8Array) => Uint8Array | undefined) | undefined;
  /** Rewrites what the implementation under test receives from its controller (a peer that misreads); undefined drops it. */
  iutInput: ((h4: Uint8Array) => Uint8Array | undefined) | undefined;

  constructor(wiring: TapWiring, options: { iut?: StackOptions; controller?: VirtualControllerOptions; seed?: number } = {}) {
    this.link = new VirtualLink({ seed: options.seed ?? 1 });
    this.testerController = new VirtualController(this.link, { ...options.controller, name: 'conformance tester' });
    this.iutController = new VirtualController(this.link, { ...options.controller, name: 'implementation under test' });
    this.stack = new Stack(TESTER_STACK_OPTIONS);
    this.iut = new Stack(options.iut ?? {});
    this.tap = new LinkTap({
      ...wiring,
      toController: (h4) => this.testerController.receive(h4, this.clock),
      toHost: (h4) => this.stack.receive(h4, this.clock),
    });
    this.stack.start(0);
    this.iut.start(0);
  }

  now(): number {
    return this.clock;
  }

  onEvent(listener: (e: StackEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Events of the implementation under test as they happen (a test makes it write on 'rfcomm-open', say). */
  onIutEvent(listener: (e: StackEvent, now: number) => void): void {
    this.iutListeners.push(listener);
  }

  run<T>(fn: (now: number) => T): T {
    const r = fn(this.clock);
    this.settle();
    return r;
  }

  /** Runs until both stacks reported 'ready'. */
  async ready(): Promise<void> {
    let tester = false;
    let iut = false;
    this.onEvent((e) => (tester ||= e.type === 'ready'));
    const start = this.iutEvents.length;
    await this.wait(() => {
      iut ||= this.iutEvents.slice(start).some((e) => e.type === 'ready');
      return tester && iut;
    }, this.clock + 10_000);
    if (!tester || !iut) throw new Error('the virtual controllers did not become ready');
  }

  wait(done: () => boolean, deadline: number): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      if (rounds > 1_000_000) throw new Error('the virtual bench does not settle');
      this.settle();
      if (done()) break;
      const next = earliest(earliest(this.stack.pollTimeout(), this.iut.pollTimeout()), earliest(this.testerController.pollTimeout(), this.iutController.pollTimeout()));
      if (next === undefined || next > deadline) {
        this.clock = Math.max(this.clock, deadline);
        this.settle();
        break;
      }
      this.clock = Math.max(this.clock, next);
    }
    return Promise.resolve();
  }

  private settle(): void {
    for (let moved = true, rounds = 0; moved; rounds++) {
      if (rounds > 1_000_000) throw new Error('the virtual bench does not settle');
      moved = false;
      for (let b = this.stack.pollTransmit(this.clock); b; b = this.stack.pollTransmit(this.clock)) {
        moved = true;
        this.tap.fromHost(b);
      }
      for (let b = this.testerController.pollTransmit(); b; b = this.testerController.pollTransmit()) {
        moved = true;
        this.tap.fromController(b);
      }
      for (let e = this.stack.pollEvent(); e; e = this.stack.pollEvent()) {
        moved = true;
        for (const l of this.listeners) l(e);
      }
      for (let b = this.iut.pollTransmit(this.clock); b; b = this.iut.pollTransmit(this.clock)) {
        moved = true;
        const out = this.iutOutput ? this.iutOutput(b) : b;
        if (out) this.iutController.receive(out, this.clock);
      }
      for (let b = this.iutController.pollTransmit(); b; b = this.iutController.pollTransmit()) {
        moved = true;
        const input = this.iutInput ? this.iutInput(b) : b;
        if (input) this.iut.receive(input, this.clock);
      }
      for (let e = this.iut.pollEvent(); e; e = this.iut.pollEvent()) {
        moved = true;
        if (e.type !== 'packet') this.iutEvents.push(e);
        for (const l of this.iutListeners) l(e, this.clock);
      }
      for (const [due, fire] of [
        [this.testerController.pollTimeout(), () => this.testerController.handleTimeout(this.clock)],
        [this.iutController.pollTimeout(), () => this.iutController.handleTimeout(this.clock)],
        [this.stack.pollTimeout(), () => this.stack.handleTimeout(this.clock)],
        [this.iut.pollTimeout(), () => this.iut.handleTimeout(this.clock)],
      ] as const) {
        if (due !== undefined && due <= this.clock) {
          moved = true;
          fire();
        }
      }
    }
  }
}

/** The tester's transport: the driver writes through the tap, and reads what the tap lets pass. */
class TapTransport implements Transport {
  readonly description: string;
  readonly vendorPackets = false;
  readonly byteStream: boolean | undefined;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  tap!: LinkTap;

  constructor(readonly inner: Transport) {
    this.description = `${inner.description} (conformance tester)`;
    this.byteStream = false;
  }

  write(bytes: Uint8Array): void {
    this.tap.fromHost(bytes);
  }
  onData(handler: (bytes: Uint8Array) => void): void {
    this.dataHandler = handler;
  }
  deliver(bytes: Uint8Array): void {
    this.dataHandler?.(bytes);
  }
  onClose(handler: (error?: Error) => void): void {
    this.inner.onClose(handler);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A tester stack on a real transport, run by a Driver with the monotonic clock. */
export class DriverMedium implements TesterMedium {
  readonly stack: Stack;
  readonly tap: LinkTap;
  readonly driver: Driver;
  private readonly waiters = new Set<() => void>();

  /** `sink` records every packet crossing, the tester's own included. */
  constructor(transport: Transport, wiring: TapWiring, sink?: PacketSink) {
    const tapped = new TapTransport(transport);
    this.tap = new LinkTap({
      ...wiring,
      ...(sink ? { onPacket: (direction: 'tx' | 'rx', h4: Uint8Array) => sink.record(direction, h4, this.now()) } : {}),
      onFrame: (h, f) => {
        wiring.onFrame(h, f);
        this.poke();
      },
      onLinkUp: (l, e) => {
        wiring.onLinkUp(l, e);
        this.poke();
      },
      onLinkDown: (h, e) => {
        wiring.onLinkDown(h, e);
        this.poke();
      },
      onEvent: (e) => {
        wiring.onEvent?.(e);
        this.poke();
      },
      toController: (h4) => transport.write(h4),
      toHost: (h4) => {
        tapped.deliver(h4);
        // The stack's state may have moved (a channel of its own closed, say): waits are checked again.
        this.poke();
      },
    });
    tapped.tap = this.tap;
    transport.onData((bytes) => this.tap.fromController(bytes));
    this.stack = new Stack(TESTER_STACK_OPTIONS);
    this.driver = new Driver(this.stack, tapped);
    this.driver.on(() => this.poke());
  }

  /** Starts the stack and waits for 'ready'. */
  async ready(timeoutMs = 10_000): Promise<void> {
    let ready = false;
    this.onEvent((e) => (ready ||= e.type === 'ready'));
    this.driver.start();
    await this.wait(() => ready, this.now() + timeoutMs);
    if (!ready) throw new Error(`the controller on ${this.driver.transport.description} did not become ready`);
  }

  now(): number {
    return this.driver.now();
  }

  run<T>(fn: (now: number) => T): T {
    return this.driver.run(fn);
  }

  /** `listener` hears each event, then waits whose condition it may have met are checked. */
  onEvent(listener: (e: StackEvent) => void): void {
    this.driver.on((e) => {
      listener(e);
      this.poke();
    });
  }

  wait(done: () => boolean, deadline: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, Math.max(0, deadline - this.now()));
      this.waiters.add(check);
    });
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
