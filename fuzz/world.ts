/**
 * The world a batch of fuzz cases runs in, and the oracle that judges it afterwards.
 *
 * Two stacks on the in-process virtual controller, driven by a manual clock: `peer` is well
 * behaved, `target` receives the hostile bytes as if from its controller (`stack.receive(h4, now)`).
 * Before the batch the peer holds an ACL link to the target with an open RFCOMM channel (server
 * channel 1) and an L2CAP channel to the target's SDP server (openSdpChannel), so that hostile
 * frames meet every layer in an open state. The usability checks page the target from a third,
 * fresh device, whose state the hostile input never touched. The world is built afresh for every batch from a fixed seed: the same
 * handles and CIDs every time, which is what makes a saved case replay.
 *
 * The oracle (checkWorld) after a batch:
 *   thrown     nothing threw out of a stack call, and the stacks' own fault counters did not move
 *              (a fault is a throw that `Stack` caught: still a bug in the layer that threw)
 *   ping-pong  no more than `pingPongLimit` packets crossed between stacks and controllers at one
 *              virtual instant (two stacks answering each other forever without the clock moving)
 *   caps       heap, L2CAP send queues, RFCOMM receive/transmit bytes, SDP continuation channels and
 *              events per input within their caps
 *   dead-link  a fresh device can still page the target and get an RFCOMM echo on a new DLC, an
 *              L2CAP Echo Response with the bytes it sent, and an SDP answer byte for byte the one a
 *              pristine target gives
 *   timer      no deadline stays due after `handleTimeout`, and the target's L2CAP RTX timer still
 *              fires (an Echo Request to a peer that went deaf counts a timeout)
 * After a fatal framing error (the H4 stream cannot be read any more, h4-framer.ts) the target must
 * have ended every link at once; the batch then goes on in a world built afresh (a new transport).
 * So it does, after the full oracle, when an input closed the link, the RFCOMM session or DLC, or
 * the SDP channel: the inputs after it still meet every layer in an open state.
 */
import { earliest, hex, Uuid, UUID16 } from '../src/core/index.js';
import { serialPortRecord } from '../src/sdp/index.js';
import { wholePacket } from './generate.js';
import { Stack, type StackOptions } from '../src/stack/stack.js';
import type { StackEvent } from '../src/stack/events.js';
import { VirtualController } from '../src/transport/virtual/controller.js';
import { VirtualLink } from '../src/transport/virtual/link.js';

export const ORACLES = ['thrown', 'ping-pong', 'caps', 'dead-link', 'timer'] as const;
export type OracleName = (typeof ORACLES)[number];

/** What an oracle found: thrown through the run and saved as a case. */
export class Finding extends Error {
  constructor(
    readonly oracle: OracleName,
    message: string,
  ) {
    super(`${oracle}: ${message}`);
    this.name = 'Finding';
  }
}

export interface WorldLimits {
  /** Packets that may cross between the stacks and their controllers at one virtual instant. */
  pingPongLimit: number;
  /** Heap in use after a batch, MiB. */
  heapMiB: number;
}

export const DEFAULT_LIMITS: WorldLimits = { pingPongLimit: 20_000, heapMiB: 1536 };

export interface Node {
  stack: Stack;
  controller: VirtualController;
  /** Events but 'packet' not taken yet. */
  events: StackEvent[];
  /** While true, nothing the controller sends reaches the stack (the timer check). */
  deaf: boolean;
  /** Packets the stack received, kept while `recording`. */
  received: Uint8Array[];
  recording: boolean;
}

/** The handles, CIDs and DLCI of the open link, as the target sees them: what generators aim at. */
export interface Aim {
  handle: number;
  peerAddress: string;
  targetAddress: string;
  /** The target's CID of the RFCOMM session, and the peer's. */
  rfcommCid: number;
  rfcommRemoteCid: number;
  /** The target's CID of the peer's channel to its SDP server, and the peer's. */
  sdpCid: number;
  sdpRemoteCid: number;
  /** The DLCI of the open RFCOMM channel and its N1. */
  dlci: number;
  n1: number;
}

function call<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Finding) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    throw new Finding('thrown', `${what} threw ${e.name}: ${e.message}`);
  }
}

export class FuzzNet {
  readonly link: VirtualLink;
  readonly nodes: Node[] = [];
  now = 0;
  private instant = 0;
  private movedAtInstant = 0;

  constructor(
    seed: number,
    readonly limits: WorldLimits,
  ) {
    this.link = new VirtualLink({ seed });
  }

  add(options: StackOptions = {}): Node {
    const controller = new VirtualController(this.link, {});
    const node: Node = { stack: new Stack(options), controller, events: [], deaf: false, received: [], recording: false };
    this.nodes.push(node);
    call('start', () => node.stack.start(this.now));
    return node;
  }

  /** Moves bytes between every stack and its controller until nothing moves at `now`. */
  settle(): void {
    if (this.instant !== this.now) {
      this.instant = this.now;
      this.movedAtInstant = 0;
    }
    for (let moved = true; moved; ) {
      moved = false;
      for (const node of this.nodes) if (this.settleNode(node)) moved = true;
    }
  }

  private count(): void {
    if (++this.movedAtInstant > this.limits.pingPongLimit)
      throw new Finding('ping-pong', `more than ${this.limits.pingPongLimit} packets crossed at t=${this.now} ms without the clock moving`);
  }

  private settleNode(node: Node): boolean {
    let moved = false;
    const { stack, controller } = node;
    for (let b = call('pollTransmit', () => stack.pollTransmit(this.now)); b; b = call('pollTransmit', () => stack.pollTransmit(this.now))) {
      moved = true;
      this.count();
      controller.receive(b, this.now);
    }
    if (!node.deaf) {
      for (let b = controller.pollTransmit(); b; b = controller.pollTransmit()) {
        moved = true;
        this.count();
        if (node.recording) node.received.push(b);
        call('receive', () => stack.receive(b, this.now));
      }
    }
    for (let e = call('pollEvent', () => stack.pollEvent()); e; e = call('pollEvent', () => stack.pollEvent())) {
      moved = true;
      if (e.type !== 'packet') node.events.push(e);
    }
    const controllerDue = controller.pollTimeout();
    if (controllerDue !== undefined && controllerDue <= this.now) {
      moved = true;
      controller.handleTimeout(this.now);
    }
    const stackDue = call('pollTimeout', () => stack.pollTimeout());
    if (stackDue !== undefined && stackDue <= this.now) {
      moved = true;
      call('handleTimeout', () => stack.handleTimeout(this.now));
      if (call('pollTimeout', () => stack.pollTimeout()) === stackDue)
        throw new Finding('timer', `the deadline t=${stackDue} ms stays due after handleTimeout(${this.now}): a timer that never fires`);
    }
    return moved;
  }

  /** Jumps to the next deadline (at most `until`) and settles; false when none is due by then. */
  step(until = Infinity): boolean {
    this.settle();
    let next: number | undefined;
    for (const n of this.nodes) next = earliest(next, earliest(n.stack.pollTimeout(), n.controller.pollTimeout()));
    if (next === undefined || next > until) return false;
    this.now = Math.max(this.now, next);
    this.settle();
    return true;
  }

  /** Advances the clock by `ms`, firing every deadline on the way. */
  advance(ms: number): void {
    const until = this.now + ms;
    while (this.step(until));
    this.now = until;
    this.settle();
  }

  /** Steps until `cond()` holds; a Finding of `oracle` after `maxMs` of virtual time. */
  runUntil(cond: () => boolean, maxMs: number, oracle: OracleName, what: string): void {
    const limit = this.now + maxMs;
    this.settle();
    while (!cond()) {
      if (this.now > limit || !this.step(limit)) {
        if (cond()) return;
        throw new Finding(oracle, `${what} within ${maxMs} ms of virtual time`);
      }
    }
  }

  take<T extends StackEvent['type']>(node: Node, type: T, match: (e: Extract<StackEvent, { type: T }>) => boolean = () => true): Extract<StackEvent, { type: T }> | undefined {
    const i = node.events.findIndex((e) => e.type === type && match(e as Extract<StackEvent, { type: T }>));
    return i < 0 ? undefined : (node.events.splice(i, 1)[0] as Extract<StackEvent, { type: T }>);
  }

  expect<T extends StackEvent['type']>(node: Node, type: T, match: (e: Extract<StackEvent, { type: T }>) => boolean, maxMs: number, oracle: OracleName, what: string): Extract<StackEvent, { type: T }> {
    let found: Extract<StackEvent, { type: T }> | undefined;
    this.runUntil(() => (found = this.take(node, type, match)) !== undefined, maxMs, oracle, what);
    return found!;
  }

  ready(node: Node): void {
    this.expect(node, 'ready', () => true, 10_000, 'dead-link', 'no ready');
  }
}

/**
 * How hostile bytes meet the target's H4 framer. 'packets': each input is one whole H4 packet (its
 * H4 length made to fit, as a packet transport such as the HCI user channel delivers them; lengths
 * inside stay as generated). 'stream': inputs are chunks of a byte stream (H4 over a socket or a
 * UART), and the target runs with `byteStream` on, as the Driver does for such transports.
 */
export type Framing = 'packets' | 'stream';

export interface World {
  framing: Framing;
  seed: number;
  limits: WorldLimits;
  /** Framing errors so far: each ended the transport, and the world was built again (inject). */
  fatal: number;
  /** Worlds judged and built again because an input closed what the others aim at (inject). */
  rebuilt: number;
  net: FuzzNet;
  peer: Node;
  target: Node;
  aim: Aim;
}

const RFCOMM_CHANNEL = 1;
const PSM_SDP = 0x0001;
const SPP = serialPortRecord({ channel: RFCOMM_CHANNEL, name: 'fuzz target' });
function listen(node: Node): void {
  node.stack.listenRfcomm(RFCOMM_CHANNEL);
  node.stack.advertise(SPP);
}

/** The world of one batch: the peer connected to the target over RFCOMM and to its SDP server. */
export function buildWorld(seed: number, framing: Framing, limits: WorldLimits = DEFAULT_LIMITS): World {
  const net = new FuzzNet(seed, limits);
  const peer = net.add();
  const target = net.add(framing === 'stream' ? { hci: { byteStream: true } } : {});
  net.ready(peer);
  net.ready(target);
  listen(target);
  const id = peer.stack.connectRfcomm(target.stack.address, RFCOMM_CHANNEL, net.now);
  net.expect(peer, 'rfcomm-open', (e) => e.id === id, 30_000, 'dead-link', 'no RFCOMM channel to the target at setup');
  const open = net.expect(target, 'rfcomm-open', () => true, 30_000, 'dead-link', 'no incoming RFCOMM channel at setup');
  const up = net.take(target, 'link-up');
  if (!up) throw new Error('fuzz world: no link-up at the target');
  openSdpChannel(net, peer, target, up.handle);
  let rfcommCid = 0;
  let sdpCid = 0;
  for (let cid = 0x0040; cid < 0x0060; cid++) {
    const info = target.stack.l2cap.channelInfo(cid);
    if (info?.psm === 3) rfcommCid = cid;
    if (info?.psm === PSM_SDP) sdpCid = cid;
  }
  const rfcommRemoteCid = target.stack.l2cap.channelInfo(rfcommCid)?.remoteCid ?? 0;
  const sdpRemoteCid = target.stack.l2cap.channelInfo(sdpCid)?.remoteCid ?? 0;
  target.events.length = 0;
  peer.events.length = 0;
  return {
    net,
    peer,
    target,
    framing,
    seed,
    limits,
    fatal: 0,
    rebuilt: 0,
    aim: {
      handle: up.handle,
      peerAddress: peer.stack.address,
      targetAddress: target.stack.address,
      rfcommCid,
      rfcommRemoteCid,
      sdpCid,
      sdpRemoteCid,
      dlci: RFCOMM_CHANNEL << 1,
      n1: open.n1,
    },
  };
}

/** The peer's signaling identifiers and CID for the SDP channel it opens by hand (below). */
const SDP_SCID = 0x0070;

/**
 * A Stack opens PSM 1 only for its own queries and closes the channel once answered, so the peer's
 * lasting channel to the target's SDP server is opened by hand: Connection Request and
 * Configuration from the peer's side go straight into the target, while what the target answers is
 * taken off the peer's controller (the peer never sees it). Core v5.4 Vol 3 Part A §4.2–4.5.
 */
function openSdpChannel(net: FuzzNet, peer: Node, target: Node, handle: number): void {
  const signal = (code: number, id: number, body: number[]) =>
    Uint8Array.from([0x02, handle & 0xff, (handle >> 8) | 0x20, (body.length + 8) & 0xff, 0, (body.length + 4) & 0xff, 0, 1, 0, code, id, body.length, 0, ...body]);
  peer.deaf = true;
  call('receive', () => target.stack.receive(signal(0x02, 0x60, [PSM_SDP, 0, SDP_SCID & 0xff, SDP_SCID >> 8]), net.now));
  net.settle();
  let dcid = 0;
  let configId = 0;
  for (let p = peer.controller.pollTransmit(); p; p = peer.controller.pollTransmit()) {
    if (p[0] !== 0x02 || p[7] !== 0x01 || p[8] !== 0x00) continue;
    for (let at = 9; at + 4 <= p.length; at += 4 + (p[at + 2]! | (p[at + 3]! << 8))) {
      if (p[at] === 0x03) dcid = p[at + 4]! | (p[at + 5]! << 8);
      if (p[at] === 0x04) configId = p[at + 1]!;
    }
  }
  call('receive', () => target.stack.receive(signal(0x04, 0x61, [dcid & 0xff, dcid >> 8, 0, 0]), net.now));
  call('receive', () => target.stack.receive(signal(0x05, configId, [dcid & 0xff, dcid >> 8, 0, 0, 0, 0]), net.now));
  net.settle();
  for (let p = peer.controller.pollTransmit(); p; p = peer.controller.pollTransmit());
  peer.deaf = false;
  if (target.stack.l2cap.channelInfo(dcid)?.state !== 'OPEN') throw new Error(`fuzz world: the SDP channel did not open (CID 0x${dcid.toString(16)})`);
}

/** Events one input may raise at most: the default cap of a Stack's event queue (StackOptions.maxEvents). */
const MAX_EVENTS_PER_INPUT = 65536;

/** One hostile input: `dt` ms of virtual time pass, then `bytes` reach the target as if from its controller. */
export interface Input {
  dt: number;
  bytes: Uint8Array;
}

/**
 * Feeds the inputs to the target, settling the net after each (the peer answers what reaches it).
 * A framing error ends the transport: the target must then have ended every link, and, as a Driver
 * would open the transport again, the rest of the inputs go to a world built afresh.
 */
export function inject(world: World, inputs: readonly Input[]): void {
  for (const input of inputs) {
    const { net, target } = world;
    if (input.dt > 0) net.advance(input.dt);
    const bytes = world.framing === 'packets' ? wholePacket(input.bytes) : input.bytes;
    call('receive', () => target.stack.receive(bytes, net.now));
    net.settle();
    if (target.events.length > MAX_EVENTS_PER_INPUT) throw new Finding('caps', `${target.events.length} events from one input (cap ${MAX_EVENTS_PER_INPUT}, the stack's event queue)`);
    dropSeenEvents(target);
    dropSeenEvents(world.peer);
    if (target.events.some((e) => e.type === 'error' && e.fatal)) {
      if (target.stack.linkCount !== 0) throw new Finding('dead-link', `after a fatal framing error ${target.stack.linkCount} link(s) are still up`);
      checkFaults(world);
      const fatal = world.fatal + 1;
      Object.assign(world, buildWorld(world.seed, world.framing, world.limits), { fatal });
    } else if (!aimHolds(world)) {
      // The hostile input closed what later inputs aim at (link, RFCOMM session or DLC, SDP
      // channel): judge this world now, and go on in a fresh one so that they still reach a state.
      checkWorld(world, world.limits);
      const { fatal } = world;
      const rebuilt = world.rebuilt + 1;
      Object.assign(world, buildWorld(world.seed, world.framing, world.limits), { fatal, rebuilt });
    }
  }
}

function aimHolds(world: World): boolean {
  const { stack } = world.target;
  const { aim } = world;
  return (
    stack.linkCount === 1 &&
    stack.l2cap.channelInfo(aim.sdpCid)?.state === 'OPEN' &&
    stack.l2cap.channelInfo(aim.rfcommCid)?.state === 'OPEN' &&
    (stack.rfcomm.sessionInfo(aim.rfcommCid)?.dlcs ?? 0) > 0
  );
}

/** Events of the injection phase matter only as counts and fatal flags: keep those, free the rest. */
function dropSeenEvents(node: Node): void {
  const fatal = node.events.find((e) => e.type === 'error' && e.fatal);
  const fault = node.events.find((e) => e.type === 'error' && e.error.message.startsWith('fault while'));
  node.events.length = 0;
  if (fatal) node.events.push(fatal);
  if (fault) node.events.push(fault);
}

let pristineSdpAnswer: string | undefined;

/** The SDP probe's answer from an untouched target (computed once). */
export function expectedSdpAnswer(): string {
  if (pristineSdpAnswer === undefined) {
    const world = buildWorld(1, 'packets');
    pristineSdpAnswer = usable(world, 0).sdpAnswer;
  }
  return pristineSdpAnswer;
}

/** A fault is a throw that Stack caught ('error' event + counter): still a bug in the layer that threw. */
function checkFaults(world: World): void {
  const { target, peer } = world;
  const faults = target.stack.faults + peer.stack.faults;
  if (faults === 0) return;
  const err = [...target.events, ...peer.events].find((e) => e.type === 'error' && e.error.message.startsWith('fault while'));
  const cause = err?.type === 'error' && err.error.cause instanceof Error ? `\n${err.error.cause.stack}` : '';
  throw new Finding('thrown', `${faults} fault(s) caught by Stack${err?.type === 'error' ? `: ${err.error.message}${cause}` : ''}`);
}

/** Runs the oracle on a world after a batch; throws a Finding, or returns when it holds. */
export function checkWorld(world: World, limits: WorldLimits = DEFAULT_LIMITS): void {
  checkFaults(world);
  checkCaps(world, limits);
  // On a byte stream, a packet the hostile bytes left unfinished swallows the controller's next
  // bytes. The target must notice (a fatal framing error, every link down), or, when the swallowed
  // bytes happened to finish that packet exactly (nothing to notice), have lost only what was in
  // flight: a second device must then get through.
  const tries = world.framing === 'stream' ? 2 : 1;
  let answer: string | undefined;
  for (let attempt = 1; answer === undefined; attempt++) {
    try {
      answer = usable(world, attempt).sdpAnswer;
    } catch (err) {
      const { target } = world;
      if (world.framing === 'stream' && target.events.some((e) => e.type === 'error' && e.fatal) && target.stack.linkCount === 0) {
        world.fatal++;
        return;
      }
      if (attempt >= tries || !(err instanceof Finding) || err.oracle !== 'dead-link') throw err;
    }
  }
  if (answer !== expectedSdpAnswer()) throw new Finding('dead-link', `the SDP answer changed: ${answer} instead of ${expectedSdpAnswer()}`);
}

function checkCaps(world: World, limits: WorldLimits): void {
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  if (heap > limits.heapMiB) throw new Finding('caps', `heap ${heap.toFixed(0)} MiB over ${limits.heapMiB} MiB`);
  const { stack } = world.target;
  const l2capCap = 65536;
  for (let cid = 0x0040; cid < 0x0040 + 256; cid++) {
    const q = stack.l2cap.queuedBytes(cid);
    if (q > l2capCap) throw new Finding('caps', `L2CAP channel 0x${cid.toString(16)} holds ${q} bytes (cap ${l2capCap})`);
  }
  const o = stack.rfcomm.options;
  for (let id = 1; id <= 256; id++) {
    const d = stack.rfcomm.dlcInfo(id);
    if (!d) continue;
    if (d.rxUnconsumed > o.maxRxBytes) throw new Finding('caps', `DLC ${id} holds ${d.rxUnconsumed} received bytes (cap ${o.maxRxBytes})`);
    if (d.txQueued > o.maxTxBytes) throw new Finding('caps', `DLC ${id} holds ${d.txQueued} bytes to send (cap ${o.maxTxBytes})`);
  }
  if (stack.sdpServer.pendingChannels > 32) throw new Finding('caps', `SDP server keeps continuation state for ${stack.sdpServer.pendingChannels} channels (cap 32)`);
}

const te = new TextEncoder();

/**
 * A fresh device pages the target: RFCOMM echo, L2CAP Echo, the SDP probe, then the target's RTX
 * timer. Returns the SDP answer (hex) for the caller to compare.
 */
function usable(world: World, round: number): { sdpAnswer: string } {
  const { net, target } = world;
  const fresh = net.add();
  net.ready(fresh);
  const t = target.stack;
  // SDP first, so that its channel has the fresh device's first dynamic CID: the answer, byte for byte.
  fresh.received.length = 0;
  fresh.recording = true;
  const query = fresh.stack.sdpQuery(t.address, [Uuid.from16(UUID16.SerialPort)], net.now);
  net.expect(fresh, 'sdp-result', (e) => e.id === query, 60_000, 'dead-link', 'no SDP answer from the target');
  fresh.recording = false;
  const sdpAnswer = fresh.received.filter((p) => p[0] === 0x02 && p[7] === 0x40 && p[8] === 0x00).map((p) => hex(p.subarray(9))).join(' ');
  fresh.received.length = 0;
  // RFCOMM: a new DLC, bytes there and back.
  const id = fresh.stack.connectRfcomm(t.address, RFCOMM_CHANNEL, net.now);
  net.expect(fresh, 'rfcomm-open', (e) => e.id === id, 60_000, 'dead-link', 'no RFCOMM channel from a fresh device');
  const incoming = net.expect(target, 'rfcomm-open', (e) => e.address === fresh.stack.address, 60_000, 'dead-link', 'no incoming RFCOMM channel at the target');
  const message = te.encode(`fuzz echo ${round}`);
  fresh.stack.writeRfcomm(id, message, net.now);
  const got = net.expect(target, 'rfcomm-data', (e) => e.id === incoming.id, 60_000, 'dead-link', 'no RFCOMM data at the target');
  t.consumeRfcomm(incoming.id, got.data.length, net.now);
  t.writeRfcomm(incoming.id, got.data, net.now);
  const back = net.expect(fresh, 'rfcomm-data', (e) => e.id === id, 60_000, 'dead-link', 'no RFCOMM echo from the target');
  if (hex(back.data) !== hex(message)) throw new Finding('dead-link', `RFCOMM echo ${hex(back.data)} instead of ${hex(message)}`);
  // L2CAP Echo: the response carries the request's data.
  const freshHandle = linkTo(fresh, t.address);
  const targetHandle = linkTo(target, fresh.stack.address);
  const echoData = te.encode(`l2cap echo ${round}`);
  fresh.received.length = 0;
  fresh.recording = true;
  fresh.stack.l2cap.echo(freshHandle, echoData, net.now);
  net.runUntil(() => fresh.received.some((p) => isEchoResponse(p, echoData)), 30_000, 'dead-link', 'no L2CAP Echo Response from the target');
  fresh.recording = false;
  fresh.received.length = 0;
  // Timer: the fresh device goes deaf; the target's Echo Request must time out (RTX).
  const before = t.l2cap.stats(targetHandle)?.signaling.timeouts ?? 0;
  fresh.deaf = true;
  t.l2cap.echo(targetHandle, echoData, net.now);
  net.runUntil(() => (t.l2cap.stats(targetHandle)?.signaling.timeouts ?? 0) > before, 120_000, 'timer', "the target's RTX timer did not fire");
  return { sdpAnswer };
}

function linkTo(node: Node, address: string): number {
  for (const [handle, link] of node.stack.host.connections()) if (link.address === address) return handle;
  throw new Finding('dead-link', `no link to ${address}`);
}

/** An ACL packet carrying an L2CAP Echo Response (signaling CID 1, code 0x09) with `data`. */
function isEchoResponse(p: Uint8Array, data: Uint8Array): boolean {
  if (p[0] !== 0x02 || p.length < 9 + 4 + data.length) return false;
  if (p[7] !== 0x01 || p[8] !== 0x00 || p[9] !== 0x09) return false;
  return hex(p.subarray(13, 13 + data.length)) === hex(data);
}

