/**
 * Several sans-I/O stacks on virtual controllers sharing one `VirtualLink`, driven by a manual
 * clock: `settle()` moves bytes until nothing moves at the current time, `step()` jumps to the
 * next deadline, `runUntil(cond)` steps until the condition holds. Deterministic: no real time.
 */
import { Stack, type StackOptions } from '../../src/stack/stack.js';
import type { StackEvent } from '../../src/stack/events.js';
import { VirtualController, type VirtualControllerOptions } from '../../src/transport/virtual/controller.js';
import { VirtualLink } from '../../src/transport/virtual/link.js';
import { earliest, TimerSet } from '../../src/core/index.js';

export interface NetNode {
  stack: Stack;
  controller: VirtualController;
  /** Every event but 'packet', in order (tests shift from it), unless `keepEvents` is false. */
  events: StackEvent[];
  /** Keep events in `events` (default true); benchmarks that only listen turn it off. */
  keepEvents: boolean;
  /**
   * Nobody calls this node's stack from outside any more (`park`): it is looked at only when its
   * controller has something for it or a deadline of its falls due, so that a net of many idle
   * nodes costs what its busy ones do.
   */
  parked: boolean;
  /** Called for every event as it happens, before it is queued in `events`. */
  listeners: ((e: StackEvent) => void)[];
  /** The H4 packets the host sent and received (only when `trace` was set). */
  packets?: { direction: 'tx' | 'rx'; bytes: Uint8Array }[];
}

export class VirtualNet {
  readonly link: VirtualLink;
  readonly nodes: NetNode[] = [];
  now = 0;
  /** The nodes that are not parked. */
  private readonly active: NetNode[] = [];
  /** Parked nodes whose controller woke or whose deadline fell due. */
  private readonly woken = new Set<NetNode>();
  /**
   * Each parked node's next deadline, noted whenever it was looked at: only then can its stack's
   * deadlines change, and a new one of its controller wakes it (`onWake`). So finding the next
   * deadline never asks every parked node.
   */
  private readonly parkedDue = new TimerSet<NetNode>();

  constructor(seed = 1) {
    this.link = new VirtualLink({ seed });
  }

  add(options: { stack?: StackOptions; controller?: VirtualControllerOptions; trace?: boolean } = {}): NetNode {
    const controller = new VirtualController(this.link, options.controller ?? {});
    const node: NetNode = { stack: new Stack(options.stack ?? {}), controller, events: [], keepEvents: true, parked: false, listeners: [], ...(options.trace ? { packets: [] } : {}) };
    node.stack.tracing = options.trace ?? false;
    controller.onWake = () => {
      if (node.parked) this.woken.add(node);
    };
    this.nodes.push(node);
    this.active.push(node);
    node.stack.start(this.now);
    return node;
  }

  /** Adds nodes and runs until every one reported 'ready'. */
  ready(...nodes: NetNode[]): void {
    this.runUntil(() => nodes.every((n) => n.stack.address !== '00:00:00:00:00:00' && this.seen(n, 'ready')), 10_000);
  }

  seen(node: NetNode, type: StackEvent['type']): boolean {
    return node.events.some((e) => e.type === type);
  }

  /** The first queued event of `type` (removed from the queue), or undefined. */
  take<T extends StackEvent['type']>(node: NetNode, type: T, match: (e: Extract<StackEvent, { type: T }>) => boolean = () => true): Extract<StackEvent, { type: T }> | undefined {
    const i = node.events.findIndex((e) => e.type === type && match(e as Extract<StackEvent, { type: T }>));
    if (i < 0) return undefined;
    return node.events.splice(i, 1)[0] as Extract<StackEvent, { type: T }>;
  }

  /** Runs until an event of `type` matching `match` arrives at `node`, and returns it. */
  expect<T extends StackEvent['type']>(node: NetNode, type: T, match?: (e: Extract<StackEvent, { type: T }>) => boolean, maxMs = 60_000): Extract<StackEvent, { type: T }> {
    let found: Extract<StackEvent, { type: T }> | undefined;
    this.runUntil(() => (found = this.take(node, type, match)) !== undefined, maxMs, `a '${type}' event`);
    return found!;
  }

  /** From now on `node` is only looked at when its controller or a deadline wakes it (see `parked`). */
  park(...nodes: NetNode[]): void {
    for (const n of nodes) {
      if (n.parked) continue;
      n.parked = true;
      this.active.splice(this.active.indexOf(n), 1);
      this.noteDue(n);
    }
  }

  /** The earliest deadline of a node's stack and controller. */
  private due(node: NetNode): number | undefined {
    return earliest(node.stack.pollTimeout(), node.controller.pollTimeout());
  }

  private noteDue(node: NetNode): void {
    const due = this.due(node);
    if (due === undefined) this.parkedDue.clear(node);
    else this.parkedDue.set(node, due);
  }

  /** The earliest deadline in the net. */
  private nextDue(): number | undefined {
    let next = this.parkedDue.next();
    for (const n of this.active) next = earliest(next, this.due(n));
    return next;
  }

  /** Moves bytes between every stack and its controller until nothing moves at `now`. */
  settle(): void {
    for (let moved = true, rounds = 0; moved; rounds++) {
      if (rounds > 1_000_000) throw new Error('the virtual net does not settle');
      moved = false;
      if (this.settleAll(this.active)) moved = true;
      if (this.woken.size === 0) continue;
      const woken = [...this.woken];
      this.woken.clear();
      if (this.settleAll(woken)) moved = true;
    }
  }

  /** One round for each of `nodes`: true when anything moved. A parked node that moved is looked at again. */
  private settleAll(nodes: readonly NetNode[]): boolean {
    let moved = false;
    for (const node of nodes) {
      const nodeMoved = this.settleNode(node);
      if (node.parked) {
        if (nodeMoved) this.woken.add(node);
        this.noteDue(node);
      }
      moved ||= nodeMoved;
    }
    return moved;
  }

  /** One round for one node: true when anything moved. */
  private settleNode(node: NetNode): boolean {
    let moved = false;
    for (let b = node.stack.pollTransmit(this.now); b; b = node.stack.pollTransmit(this.now)) {
      moved = true;
      node.controller.receive(b, this.now);
    }
    for (let b = node.controller.pollTransmit(); b; b = node.controller.pollTransmit()) {
      moved = true;
      node.stack.receive(b, this.now);
    }
    for (let e = node.stack.pollEvent(); e; e = node.stack.pollEvent()) {
      moved = true;
      if (e.type === 'packet') {
        node.packets?.push({ direction: e.direction, bytes: e.bytes });
        continue;
      }
      for (const l of node.listeners) l(e);
      if (node.keepEvents) node.events.push(e);
    }
    const controllerDue = node.controller.pollTimeout();
    if (controllerDue !== undefined && controllerDue <= this.now) {
      moved = true;
      node.controller.handleTimeout(this.now);
    }
    const stackDue = node.stack.pollTimeout();
    if (stackDue !== undefined && stackDue <= this.now) {
      moved = true;
      node.stack.handleTimeout(this.now);
    }
    return moved;
  }

  /** Jumps the clock to the next deadline and settles; false when nothing is scheduled. */
  step(): boolean {
    this.settle();
    const next = this.nextDue();
    if (next === undefined) return false;
    this.now = Math.max(this.now, next);
    this.wakeDue();
    this.settle();
    return true;
  }

  /** Parked nodes with a deadline now due are looked at. */
  private wakeDue(): void {
    for (const n of this.parkedDue.expire(this.now)) this.woken.add(n);
  }

  /** Steps until `cond()` holds; throws after `maxMs` of virtual time or when nothing is left to do. */
  runUntil(cond: () => boolean, maxMs = 60_000, what = 'the condition'): void {
    const limit = this.now + maxMs;
    this.settle();
    while (!cond()) {
      if (this.now > limit) throw new Error(`virtual time ran ${maxMs} ms without ${what}`);
      if (!this.step()) {
        if (cond()) return;
        throw new Error(`nothing left to do and still no ${what}`);
      }
    }
  }

  /** Advances virtual time by `ms`, firing every deadline on the way. */
  advance(ms: number): void {
    const until = this.now + ms;
    this.settle();
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next > until) break;
      this.now = Math.max(this.now, next);
      this.wakeDue();
      this.settle();
    }
    this.now = until;
    this.wakeDue();
    this.settle();
  }
}
