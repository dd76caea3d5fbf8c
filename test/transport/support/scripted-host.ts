/**
 * A scripted host for virtual-controller tests: sends commands and ACL as H4 bytes with a manual
 * clock, drains and parses what the controller sends back.
 */
import { bdAddrFromBytes, bdAddrToBytes, concat, u16le, u32le, type BdAddr } from '../../../src/core/index.js';
import { VirtualController, type VirtualControllerOptions } from '../../../src/transport/virtual/controller.js';
import { encodeAcl, encodeCommand } from '../../../src/transport/virtual/h4.js';
import { VirtualLink } from '../../../src/transport/virtual/link.js';
import { OP } from '../../../src/transport/virtual/constants.js';

export type Received =
  | { kind: 'event'; code: number; params: Uint8Array }
  | { kind: 'acl'; handle: number; pb: number; data: Uint8Array };

export function parse(packet: Uint8Array): Received {
  if (packet[0] === 0x04) return { kind: 'event', code: packet[1], params: packet.slice(3) };
  if (packet[0] === 0x02) return { kind: 'acl', handle: u16le(packet, 1) & 0xfff, pb: (packet[2] >> 4) & 3, data: packet.slice(5) };
  throw new Error(`unexpected H4 indicator ${packet[0]}`);
}

export class Clock {
  now = 1000;
}

/** Enables every event of page 1 (the default mask hides the SSP events). */
export const ALL_EVENTS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f);

export class ScriptedHost {
  readonly received: Received[] = [];
  constructor(
    readonly c: VirtualController,
    readonly clock: Clock,
  ) {}

  get address(): BdAddr {
    return this.c.address;
  }

  send(opcode: number, ...params: (number | Uint8Array)[]): void {
    const bytes = concat(...params.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : p)));
    this.c.receive(encodeCommand(opcode, bytes), this.clock.now);
  }

  sendAcl(handle: number, data: Uint8Array, pb = 0b10): void {
    this.c.receive(encodeAcl(handle, pb, 0, data), this.clock.now);
  }

  /** Everything the controller has for the host now, also kept in `received`. */
  drain(): Received[] {
    const out: Received[] = [];
    for (let p = this.c.pollTransmit(); p; p = this.c.pollTransmit()) out.push(parse(p));
    this.received.push(...out);
    return out;
  }

  events(): { code: number; params: Uint8Array }[] {
    return this.drain().flatMap((r) => (r.kind === 'event' ? [{ code: r.code, params: r.params }] : []));
  }

  /** Sends a command and returns the Command Complete return parameters (status first). */
  command(opcode: number, ...params: (number | Uint8Array)[]): Uint8Array {
    this.send(opcode, ...params);
    const evs = this.events();
    const cc = evs.find((e) => e.code === 0x0e && u16le(e.params, 1) === opcode);
    if (!cc) throw new Error(`no Command Complete for 0x${opcode.toString(16)}: ${evs.map((e) => e.code.toString(16)).join(',')}`);
    return cc.params.slice(3);
  }

  /** Reset, all events, page and inquiry scan, SSP as asked. */
  init(options: { ssp?: boolean; sc?: boolean; scan?: number; inquiryMode?: number } = {}): void {
    this.command(OP.RESET);
    this.command(OP.SET_EVENT_MASK, ALL_EVENTS);
    this.command(OP.WRITE_SCAN_ENABLE, options.scan ?? 3);
    if (options.ssp ?? true) this.command(OP.WRITE_SIMPLE_PAIRING_MODE, 1);
    if (options.sc) this.command(OP.WRITE_SECURE_CONNECTIONS_HOST_SUPPORT, 1);
    if (options.inquiryMode !== undefined) this.command(OP.WRITE_INQUIRY_MODE, options.inquiryMode);
  }
}

export function addrParam(a: BdAddr): Uint8Array {
  return bdAddrToBytes(a);
}

export function createConnectionParams(a: BdAddr): (number | Uint8Array)[] {
  return [bdAddrToBytes(a), Uint8Array.of(0x18, 0xcc), 0x01, 0x00, Uint8Array.of(0, 0), 0x01];
}

export function le16(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, v >> 8);
}

export function eventAddr(params: Uint8Array, off: number): BdAddr {
  return bdAddrFromBytes(params, off);
}

export { u16le, u32le };

export interface Bench {
  link: VirtualLink;
  clock: Clock;
  a: ScriptedHost;
  b: ScriptedHost;
  /** Advances the clock by `ms`, running both controllers' due deadlines. */
  advance(ms: number): void;
  /** Runs both controllers' deadlines that are due now. */
  tick(): void;
}

export type BenchOptions = VirtualControllerOptions & { seed?: number };

export function bench(options: BenchOptions = {}): Bench {
  const { seed, ...opts } = options;
  const link = new VirtualLink({ seed });
  const clock = new Clock();
  const a = new ScriptedHost(new VirtualController(link, { ...opts, address: '00:AA:01:01:00:01', name: 'alpha' }), clock);
  const b = new ScriptedHost(new VirtualController(link, { ...opts, address: '00:AA:01:01:00:02', name: 'bravo' }), clock);
  const tick = () => {
    for (let i = 0; i < 100; i++) {
      const due = [a.c, b.c].filter((c) => (c.pollTimeout() ?? Infinity) <= clock.now);
      if (due.length === 0) return;
      for (const c of due) c.handleTimeout(clock.now);
    }
  };
  const advance = (ms: number) => {
    const end = clock.now + ms;
    for (;;) {
      const next = Math.min(a.c.pollTimeout() ?? Infinity, b.c.pollTimeout() ?? Infinity);
      if (next > end) break;
      clock.now = Math.max(clock.now, next);
      tick();
    }
    clock.now = end;
  };
  return { link, clock, a, b, advance, tick };
}

/** A bench whose two hosts have both run `init()` with its defaults. */
export function initialisedBench(options: BenchOptions = {}): Bench {
  const t = bench(options);
  t.a.init();
  t.b.init();
  return t;
}

/** An initialised bench with a connected to b (see `connect`), and both handles. */
export function connectedBench(options: BenchOptions = {}): Bench & { ha: number; hb: number } {
  const t = initialisedBench(options);
  return Object.assign(t, connect(t));
}

/** a pages b with Create Connection; drains both queues, so b's Connection Request is consumed. */
export function page(t: Bench): void {
  t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
  t.a.drain();
  t.b.drain();
}

/** Pages b from a, b accepts; returns both handles. Leaves queues drained. */
export function connect(t: Bench): { ha: number; hb: number } {
  page(t);
  t.b.send(OP.ACCEPT_CONNECTION_REQUEST, addrParam(t.a.address), 0x01);
  const ea = t.a.events().find((e) => e.code === 0x03)!;
  const eb = t.b.events().find((e) => e.code === 0x03)!;
  if (!ea || !eb || ea.params[0] !== 0 || eb.params[0] !== 0) throw new Error('connection failed');
  return { ha: u16le(ea.params, 1), hb: u16le(eb.params, 1) };
}
