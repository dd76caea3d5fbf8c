/**
 * Model-based test of the data path (fast-check `commands`): two stacks on virtual controllers
 * with air time open RFCOMM channels, write, read slowly (credits are granted only as the reader
 * consumes), let time pass and close, in random interleavings. The model is what a user is owed:
 * every byte written is delivered once, in order, or the channel reports why not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StackEvent } from '../../src/stack/events.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';
import { patternBytes } from '../support/bulk.js';

type Side = 'a' | 'b';
const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

interface Direction {
  /** Bytes the writer's stack accepted. */
  written: number;
  delivered: number;
  /** Delivered but not yet consumed by the reader (holds the peer's credits back). */
  unconsumed: number;
}

interface Channel {
  ids: Partial<Record<Side, number>>;
  open: boolean;
  /** The sides that asked to close it. */
  closing: Set<Side>;
  /** What each side's 'rfcomm-closed' said. */
  closed: Partial<Record<Side, { reason: string; unsent: number; count: number }>>;
  /** a→b as 'a', b→a as 'b': indexed by the writing side. */
  dirs: Record<Side, Direction>;
}

interface System {
  net: VirtualNet;
  nodes: Record<Side, NetNode>;
  channels: Map<number, Channel>;
  errors: string[];
}

function setup(cfg: Config): System {
  const net = new VirtualNet(cfg.seed);
  const stack = { rfcomm: { creditBasedFlowControl: cfg.cbfc, maxRxBytes: cfg.window, maxTxBytes: cfg.txQueue } };
  const controller = { aclSize: cfg.aclSize, aclCount: cfg.aclCount, aclAirTimeMs: cfg.airTimeMs };
  const nodes = { a: net.add({ stack, controller }), b: net.add({ stack, controller }) };
  net.ready(nodes.a, nodes.b);
  for (let ch = 1; ch <= 3; ch++) nodes.b.stack.listenRfcomm(ch);
  const sys: System = { net, nodes, channels: new Map(), errors: [] };
  for (const side of ['a', 'b'] as const) nodes[side].listeners.push((e) => onEvent(sys, side, e));
  // Channel 1 is open from the start; the commands may open 2 and 3.
  new Open(1).run({}, sys);
  net.runUntil(() => sys.channels.get(1)!.open && sys.channels.get(1)!.ids.b !== undefined, 10_000, 'channel 1 to open');
  return sys;
}

function channelOf(sys: System, side: Side, id: number): Channel | undefined {
  for (const ch of sys.channels.values()) if (ch.ids[side] === id) return ch;
  return undefined;
}

function onEvent(sys: System, side: Side, e: StackEvent): void {
  if (e.type === 'rfcomm-open' && side === 'b') {
    const ch = sys.channels.get(e.channel);
    if (ch) ch.ids.b = e.id;
    return;
  }
  if (e.type === 'rfcomm-open' && side === 'a') {
    const ch = channelOf(sys, 'a', e.id);
    if (ch) ch.open = true;
    return;
  }
  if (e.type === 'rfcomm-data') {
    const ch = channelOf(sys, side, e.id);
    if (!ch) return void sys.errors.push(`data for unknown channel ${side}/${e.id}`);
    const dir = ch.dirs[other(side)];
    const want = patternBytes(dir.delivered, e.data.length);
    if (e.data.some((v, i) => v !== want[i])) sys.errors.push(`${other(side)}→${side}: bytes at ${dir.delivered} differ`);
    dir.delivered += e.data.length;
    dir.unconsumed += e.data.length;
    if (dir.delivered > dir.written) sys.errors.push(`${other(side)}→${side}: ${dir.delivered} delivered, ${dir.written} written`);
    return;
  }
  if (e.type === 'rfcomm-closed') {
    const ch = channelOf(sys, side, e.id);
    if (!ch) return;
    const prev = ch.closed[side];
    ch.closed[side] = { reason: e.reason, unsent: e.unsent, count: (prev?.count ?? 0) + 1 };
    ch.open = false;
    return;
  }
  if (e.type === 'rfcomm-dropped') sys.errors.push(`${side}: ${e.message}`);
}

/** The side may still write on the channel: open, and not closed by anyone it knows of. */
function writable(ch: Channel, side: Side): boolean {
  return ch.open && ch.ids[side] !== undefined && ch.closing.size === 0 && ch.closed[side] === undefined;
}

type Cmd = fc.Command<object, System>;

class Open implements Cmd {
  constructor(readonly channel: number) {}
  check = () => true;
  run(_: object, sys: System): void {
    if (sys.channels.has(this.channel)) return;
    const id = sys.nodes.a.stack.connectRfcomm(sys.nodes.b.stack.address, this.channel, sys.net.now);
    sys.channels.set(this.channel, { ids: { a: id }, open: false, closing: new Set(), closed: {}, dirs: { a: fresh(), b: fresh() } });
  }
  toString = () => `open(${this.channel})`;
}

class Write implements Cmd {
  constructor(
    readonly channel: number,
    readonly side: Side,
    readonly length: number,
  ) {}
  check = () => true;
  run(_: object, sys: System): void {
    const ch = sys.channels.get(this.channel);
    if (!ch || !writable(ch, this.side)) return;
    const dir = ch.dirs[this.side];
    const n = sys.nodes[this.side].stack.writeRfcomm(ch.ids[this.side]!, patternBytes(dir.written, this.length), sys.net.now);
    expect(n).toBeLessThanOrEqual(this.length);
    dir.written += n;
  }
  toString = () => `write(${this.channel}, ${this.side}, ${this.length})`;
}

class Read implements Cmd {
  constructor(
    readonly channel: number,
    readonly side: Side,
    readonly length: number,
  ) {}
  check = () => true;
  run(_: object, sys: System): void {
    const ch = sys.channels.get(this.channel);
    const id = ch?.ids[this.side];
    if (!ch || id === undefined) return;
    const dir = ch.dirs[other(this.side)];
    const n = Math.min(this.length, dir.unconsumed);
    dir.unconsumed -= n;
    if (n > 0) sys.nodes[this.side].stack.consumeRfcomm(id, n, sys.net.now);
  }
  toString = () => `read(${this.channel}, ${this.side}, ${this.length})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  run(_: object, sys: System): void {
    sys.net.advance(this.ms);
  }
  toString = () => `advance(${this.ms})`;
}

class Close implements Cmd {
  constructor(
    readonly channel: number,
    readonly side: Side,
  ) {}
  check = () => true;
  run(_: object, sys: System): void {
    const ch = sys.channels.get(this.channel);
    const id = ch?.ids[this.side];
    if (!ch || id === undefined || ch.closed[this.side]) return;
    ch.closing.add(this.side);
    sys.nodes[this.side].stack.closeRfcomm(id, sys.net.now);
  }
  toString = () => `close(${this.channel}, ${this.side})`;
}

function fresh(): Direction {
  return { written: 0, delivered: 0, unconsumed: 0 };
}

interface Config {
  seed: number;
  cbfc: boolean;
  window: number;
  txQueue: number;
  aclSize: number;
  aclCount: number;
  airTimeMs: number;
}

const config: fc.Arbitrary<Config> = fc.record({
  seed: fc.integer({ min: 1, max: 1000 }),
  cbfc: fc.boolean(),
  window: fc.integer({ min: 1000, max: 8000 }),
  txQueue: fc.integer({ min: 500, max: 8000 }),
  aclSize: fc.constantFrom(27, 192, 1021),
  aclCount: fc.integer({ min: 1, max: 8 }),
  airTimeMs: fc.integer({ min: 0, max: 3 }),
});

const side = fc.constantFrom<Side>('a', 'b');
const channel = fc.integer({ min: 1, max: 3 });
const write = fc.tuple(channel, side, fc.integer({ min: 1, max: 6000 })).map(([c, s, n]) => new Write(c, s, n));
const read = fc.tuple(channel, side, fc.integer({ min: 1, max: 6000 })).map(([c, s, n]) => new Read(c, s, n));
const advance = fc.integer({ min: 1, max: 400 }).map((ms) => new Advance(ms));
const commands = fc.commands(
  [
    fc.integer({ min: 2, max: 3 }).map((c) => new Open(c)),
    write,
    write,
    write,
    read,
    read,
    advance,
    advance,
    fc.tuple(channel, side).map(([c, s]) => new Close(c, s)),
  ],
  { maxCommands: 50, size: 'medium' },
);

/** Readers read everything from now on, and time runs until nothing is left to do. */
function finish(sys: System): void {
  const drain = (): void => {
    for (const ch of sys.channels.values()) {
      for (const s of ['a', 'b'] as const) {
        const id = ch.ids[s];
        const dir = ch.dirs[other(s)];
        if (id !== undefined && dir.unconsumed > 0) {
          const n = dir.unconsumed;
          dir.unconsumed = 0;
          sys.nodes[s].stack.consumeRfcomm(id, n, sys.net.now);
        }
      }
    }
  };
  for (const s of ['a', 'b'] as const) sys.nodes[s].listeners.push(() => queueMicrotask(drain));
  for (let i = 0; i < 400; i++) {
    drain();
    sys.net.advance(500);
  }
}

describe('the data path as a user sees it (model)', () => {
  it('every byte written is delivered once, in order, or the channel reports why not', () => {
    fc.assert(
      fc.property(config, commands, (cfg, cmds) => {
        const sys = setup(cfg);
        fc.modelRun(() => ({ model: {}, real: sys }), cmds);
        finish(sys);
        expect(sys.errors).toEqual([]);
        for (const [n, ch] of sys.channels) {
          for (const s of ['a', 'b'] as const) {
            const dir = ch.dirs[s];
            const what = `channel ${n}, ${s}→${other(s)}`;
            if (!ch.closing.has(other(s))) {
              // The reader never closed: everything arrived but what the writer's close says it never sent.
              expect(dir.delivered + (ch.closed[s]?.unsent ?? 0), what).toBe(dir.written);
            } else {
              // The reader closed, dropping what was on its way (as a TCP reset does): a prefix
              // arrived, and the writer heard of the close.
              expect(dir.delivered, what).toBeLessThanOrEqual(dir.written);
              if (ch.ids[s] !== undefined && dir.written > 0) expect(ch.closed[s], what).toBeDefined();
            }
          }
          for (const s of ['a', 'b'] as const) if (ch.closed[s]) expect(ch.closed[s]!.count, `one close per side`).toBe(1);
        }
      }),
      { numRuns: 150 },
    );
  });
});
