/**
 * The benchmarks that run inside this process: the RFCOMM codec, bulk transfer on the virtual
 * controller (RFCOMM against raw L2CAP, interleaved), the cost per byte as DLCs and sessions grow,
 * GC's share of a bulk transfer, the heap an idle DLC holds, and echo round trips between two
 * sockets on virtual adapters (real clock).
 */
import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeRfcommFrame, encodeRfcommFrameInto } from '../src/rfcomm/index.js';
import { Adapter, BluetoothSocket, L2CAP, PORT_ANY, RFCOMM } from '../src/socket/index.js';
import { VirtualNet, type NetNode } from '../test/support/virtual-net.js';
import { interleaved, pairedExtraCost, pairedRatio, sampled, summarize, timed, type SamplingPlan, type Summary } from './measure.js';
import { echoRoundTrips, serveEcho } from './echo.js';
import { noiseFloor } from './noise-floor.js';
import { patternAt } from './pattern.js';
import { FrameFloor } from './rfcomm-floor.js';
import { RfcommLayerPair } from './rfcomm-layer.js';
import { L2capStream, openL2cap, openRfcomm, pair, rfcommL2capMtu, RfcommStreams } from './virtual-bulk.js';

export interface Figure {
  name: string;
  unit: string;
  summary: Summary;
  /** Higher is better (throughput) or lower is better (time, cost). */
  better: 'higher' | 'lower';
}

export interface Ratio {
  name: string;
  /** The median of the round-by-round ratios (`pairedRatio`), or a ratio of two medians. */
  value: number;
  /** The least and greatest round-by-round ratio, when the ratio is paired. */
  min?: number;
  max?: number;
  target?: string;
}

export interface Results {
  figures: Figure[];
  ratios: Ratio[];
  /** How a suite ran where that bears on its figures (which cores the btvirt processes had). */
  notes: string[];
}

const MiB = 1 << 20;

/** MiB per CPU second. */
function rate(bytes: number, cpuMs: number): number {
  return bytes / MiB / (cpuMs / 1000);
}

export async function codec(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const n = quick ? 20_000 : 1_000_000;
  const info = patternAt(0, 127);
  const buffer = new Uint8Array(256);
  const frame = { type: 'UIH', dlci: 2, cr: true, pf: true, credits: 7, info } as const;
  let sink = 0;
  const s = await sampled(plan, async () => {
    const { cpuMs } = await timed(() => {
      for (let i = 0; i < n; i++) {
        const len = encodeRfcommFrameInto(frame, buffer, 0);
        sink += decodeRfcommFrame(buffer.subarray(0, len)).info.length;
      }
    });
    return n / (cpuMs / 1000);
  });
  if (sink !== n * (plan.warmup + plan.samples) * 127) throw new Error('codec round trip lost bytes');
  out.figures.push({ name: 'RFCOMM UIH encode into a buffer + decode (127 B, credits)', unit: 'frames/s', summary: s, better: 'higher' });
}

/** RFCOMM and raw L2CAP goodput on the same virtual link, interleaved; returns the ratio. */
export async function rfcommVsL2cap(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const sizes: Record<number, number> = quick ? { 27: 64 << 10, 192: 256 << 10, 1021: 512 << 10 } : { 27: 6 * MiB, 192: 24 * MiB, 1021: 96 * MiB };
  for (const aclSize of [27, 192, 1021]) {
    const total = sizes[aclSize];
    const rp = pair(aclSize);
    const r = openRfcomm(rp.net, rp.a, rp.b);
    const rfcomm = new RfcommStreams(rp.net, [{ from: rp.a, to: rp.b, ...r }]);
    const mtu = rfcommL2capMtu(rp.a).remoteMtu;
    const lp = pair(aclSize);
    const l2cap = new L2capStream(lp, openL2cap(lp, mtu));
    const layer = new RfcommLayerPair(mtu);
    const bare = new FrameFloor(mtu, false);
    const framed = new FrameFloor(mtu, true);
    const res = await interleaved(plan, {
      rfcomm: async () => rate(total, (await timed(() => rfcomm.transfer(total))).cpuMs),
      l2cap: async () => rate(total, (await timed(() => l2cap.transfer(total))).cpuMs),
      layer: async () => rate(total, (await timed(() => layer.transfer(total))).cpuMs),
      bare: async () => rate(total, (await timed(() => bare.transfer(total))).cpuMs),
      framed: async () => rate(total, (await timed(() => framed.transfer(total))).cpuMs),
    });
    out.figures.push({ name: `RFCOMM bulk, virtual link, ACL ${aclSize} (L2CAP MTU ${mtu})`, unit: 'MiB/s CPU', summary: res.rfcomm, better: 'higher' });
    out.figures.push({ name: `raw L2CAP bulk, virtual link, ACL ${aclSize} (MTU ${mtu})`, unit: 'MiB/s CPU', summary: res.l2cap, better: 'higher' });
    out.figures.push({ name: `RFCOMM layer alone, two managers wired sans-I/O (L2CAP MTU ${mtu})`, unit: 'MiB/s CPU', summary: res.layer, better: 'higher' });
    out.ratios.push({ name: `RFCOMM / L2CAP goodput, ACL ${aclSize}`, ...pairedRatio(res.rfcomm, res.l2cap), target: '≥ 0.95' });
    // Cost per byte of the layer alone against the whole raw L2CAP path: the share RFCOMM adds at most.
    out.ratios.push({ name: `RFCOMM layer alone / whole raw L2CAP path, cost per byte, ACL ${aclSize}`, ...pairedRatio(res.l2cap, res.layer) });
    // The least any RFCOMM adds (rfcomm-floor.ts) against the same whole path: how much of the 0.053 it leaves.
    out.figures.push({ name: `payload copied and handed on as a view, frames of L2CAP MTU ${mtu}`, unit: 'MiB/s CPU', summary: res.bare, better: 'higher' });
    out.figures.push({ name: `the same with RFCOMM's least work per frame (header, FCS, a view), L2CAP MTU ${mtu}`, unit: 'MiB/s CPU', summary: res.framed, better: 'higher' });
    out.ratios.push({ name: `least RFCOMM can add / whole raw L2CAP path, cost per byte, ACL ${aclSize}`, ...pairedExtraCost(res.l2cap, res.framed, res.bare) });
  }
}

/** Cost per delivered byte with 1 DLC, with 60 active DLCs, and with 200 idle sessions beside one busy DLC. */
export async function scaling(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const total = quick ? 512 << 10 : 8 * MiB;
  const idleCount = quick ? 20 : 200;

  const one = pair(1021);
  const oneStreams = new RfcommStreams(one.net, [{ from: one.a, to: one.b, ...openRfcomm(one.net, one.a, one.b) }]);

  // 60 DLCs on one session: a opens 30 channels on b, b opens 30 on a (odd DLCIs); a sends on all.
  const many = pair(1021);
  const channels: { from: NetNode; to: NetNode; ida: number; idb: number }[] = [];
  for (let ch = 1; ch <= 30; ch++) channels.push({ from: many.a, to: many.b, ...openRfcomm(many.net, many.a, many.b, ch) });
  for (let ch = 1; ch <= 30; ch++) {
    const { ida, idb } = openRfcomm(many.net, many.b, many.a, ch);
    channels.push({ from: many.a, to: many.b, ida: idb, idb: ida });
  }
  const manyStreams = new RfcommStreams(many.net, channels);

  // One busy DLC from a hub to b, and `idleCount` peers each with an idle DLC (its own session) to the hub.
  const net = new VirtualNet();
  const hub = net.add({ controller: { aclSize: 1021, aclCount: 8 } });
  const busy = net.add({ controller: { aclSize: 1021, aclCount: 8 } });
  const idle: NetNode[] = [];
  for (let i = 0; i < idleCount; i++) idle.push(net.add({ controller: { aclSize: 1021, aclCount: 8 } }));
  net.ready(hub, busy, ...idle);
  hub.stack.listenRfcomm(1);
  for (const peer of idle) openRfcomm(net, peer, hub, 1, false);
  // The idle peers' own stacks are never called again: the net looks at them only when woken, so the
  // figure is the hub's cost (with its 200 sessions), not the test harness polling 200 idle stacks.
  net.park(...idle);
  const busyStreams = new RfcommStreams(net, [{ from: hub, to: busy, ...openRfcomm(net, hub, busy, 2) }]);

  const costPerMiB = (ms: number) => ms / (total / MiB);
  const res = await interleaved(plan, {
    one: async () => costPerMiB((await timed(() => oneStreams.transfer(total))).cpuMs),
    many: async () => costPerMiB((await timed(() => manyStreams.transfer(Math.ceil(total / 60)))).cpuMs),
    idle: async () => costPerMiB((await timed(() => busyStreams.transfer(total))).cpuMs),
  });
  out.figures.push({ name: 'RFCOMM cost per MiB delivered, 1 DLC', unit: 'CPU ms/MiB', summary: res.one, better: 'lower' });
  out.figures.push({ name: 'RFCOMM cost per MiB delivered, 60 active DLCs on one session', unit: 'CPU ms/MiB', summary: res.many, better: 'lower' });
  out.figures.push({ name: `RFCOMM cost per MiB delivered, 1 busy DLC beside ${idleCount} idle sessions`, unit: 'CPU ms/MiB', summary: res.idle, better: 'lower' });
  out.ratios.push({ name: 'cost per byte, 60 active DLCs / 1 DLC', ...pairedRatio(res.many, res.one), target: '≤ 1.1' });
  out.ratios.push({ name: `cost per byte, 1 busy + ${idleCount} idle sessions / 1 DLC`, ...pairedRatio(res.idle, res.one), target: '≤ 1.1' });
}

/** GC's share of the wall time of a bulk RFCOMM transfer (main-thread GC pauses, as a CPU profile shows them). */
export async function gcShare(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const total = quick ? 512 << 10 : 16 * MiB;
  const p = pair(1021);
  const streams = new RfcommStreams(p.net, [{ from: p.a, to: p.b, ...openRfcomm(p.net, p.a, p.b) }]);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const pauses: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const pauseShares: number[] = [];
  const s = await sampled(plan, async () => {
    await session.post('Profiler.start');
    const t0 = performance.now();
    streams.transfer(total);
    const t1 = performance.now();
    const { profile } = await session.post('Profiler.stop');
    // GC entries arrive asynchronously: give them time, then count those that began in the transfer.
    await new Promise((r) => setTimeout(r, 50));
    const gcMs = pauses.filter((e) => e.start >= t0 && e.start < t1).reduce((sum, e) => sum + e.duration, 0);
    pauses.length = 0;
    pauseShares.push((100 * gcMs) / (t1 - t0));
    return gcSampleShare(profile);
  });
  observer.disconnect();
  session.disconnect();
  out.figures.push({ name: 'GC share of a bulk RFCOMM transfer\'s CPU profile (ACL 1021)', unit: '% of samples', summary: s, better: 'lower' });
  out.figures.push({
    name: 'GC pause time during a bulk RFCOMM transfer (ACL 1021)',
    unit: '% of wall time',
    summary: summarize(pauseShares.slice(-s.samples.length)),
    better: 'lower',
  });
}

/** The share of a CPU profile's busy samples (idle excluded) that V8 spent in the garbage collector. */
function gcSampleShare(profile: Profiler.Profile): number {
  const kind = new Map<number, string>();
  for (const node of profile.nodes) kind.set(node.id, node.callFrame.functionName);
  let busy = 0;
  let gc = 0;
  for (const id of profile.samples ?? []) {
    const name = kind.get(id);
    if (name === '(idle)' || name === '(program)') continue;
    busy++;
    if (name === '(garbage collector)') gc++;
  }
  return busy === 0 ? 0 : (100 * gc) / busy;
}

/**
 * Heap held per idle DLC (both ends of it): 59 DLCs opened on each of eight sessions that already
 * carry one, so that the few hundred bytes any step allocates on the side are noise, not signal.
 */
export async function heapPerDlc(plan: SamplingPlan, out: Results): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const sessions = 8;
  const settled = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const s = await sampled(plan, () => {
    const pairs = Array.from({ length: sessions }, () => pair(1021));
    for (const p of pairs) {
      openRfcomm(p.net, p.a, p.b, 1);
      p.net.advance(100);
      p.a.events.length = 0;
      p.b.events.length = 0;
    }
    const before = settled();
    for (const p of pairs) {
      for (let ch = 2; ch <= 30; ch++) openRfcomm(p.net, p.a, p.b, ch);
      for (let ch = 1; ch <= 30; ch++) openRfcomm(p.net, p.b, p.a, ch);
      p.net.advance(100);
      p.a.events.length = 0;
      p.b.events.length = 0;
    }
    const after = settled();
    // Keep the pairs alive until measured.
    if (pairs.some((p) => p.a.stack.linkCount !== 1)) throw new Error('a link went down');
    return (after - before) / (59 * sessions) / 1024;
  });
  out.figures.push({ name: 'heap per idle DLC (both ends)', unit: 'KiB', summary: s, better: 'lower' });
}

/** Echo round trips between two sockets on virtual adapters in this process (real clock). */
export async function socketEcho(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const trips = quick ? 200 : 2000;
  const variants: Record<string, () => Promise<number>> = {};
  const p99s: Record<string, number[]> = {};
  const p90s: Record<string, number[]> = {};
  const closers: (() => Promise<void>)[] = [];
  for (const proto of [RFCOMM, L2CAP] as const) {
    const name = proto === RFCOMM ? 'rfcomm' : 'l2cap';
    const [server, client] = [await Adapter.open('virtual'), await Adapter.open('virtual')];
    const listener = new BluetoothSocket(proto, { adapter: server });
    listener.bind(['', PORT_ANY]);
    listener.listen(1);
    const accepted = listener.accept();
    const sock = new BluetoothSocket(proto, { adapter: client });
    await sock.connect([server.address, listener.getsockname()[1]]);
    const [conn] = await accepted;
    void serveEcho(conn);
    p99s[name] = [];
    p90s[name] = [];
    variants[name] = async () => {
      const r = await echoRoundTrips(sock, trips);
      p99s[name].push(r.p99);
      p90s[name].push(r.p90);
      return r.median;
    };
    closers.push(async () => {
      await sock.close();
      await conn.close();
      await client.close();
      await server.close();
    });
  }
  const res = await interleaved(plan, variants);
  for (const close of closers) await close();
  for (const name of ['rfcomm', 'l2cap']) {
    const label = name === 'rfcomm' ? 'RFCOMM' : 'L2CAP';
    const p99 = summarize(p99s[name].slice(plan.warmup));
    out.figures.push({ name: `${label} echo round trip, sockets on virtual adapters (median)`, unit: 'µs', summary: res[name], better: 'lower' });
    out.figures.push({ name: `${label} echo round trip, sockets on virtual adapters (p90)`, unit: 'µs', summary: summarize(p90s[name].slice(plan.warmup)), better: 'lower' });
    out.figures.push({ name: `${label} echo round trip, sockets on virtual adapters (p99)`, unit: 'µs', summary: p99, better: 'lower' });
    out.ratios.push({ name: `${label} echo p99 / median, virtual adapters`, value: p99.median / res[name].median, target: '≤ 2' });
  }
  out.ratios.push({ name: 'RFCOMM / L2CAP echo round trip, virtual adapters', ...pairedRatio(res.rfcomm, res.l2cap), target: '≤ 1.2' });
  const floors = { median: [] as number[], p99: [] as number[] };
  await sampled(plan, async () => {
    const f = await noiseFloor(res.rfcomm.median, trips);
    floors.median.push(f.median);
    floors.p99.push(f.p99);
    return f.median;
  });
  const floor = { median: summarize(floors.median.slice(plan.warmup)), p99: summarize(floors.p99.slice(plan.warmup)) };
  out.figures.push({ name: 'noise floor: a fixed computation as long as the RFCOMM echo (median)', unit: 'µs', summary: floor.median, better: 'lower' });
  out.figures.push({ name: 'noise floor: a fixed computation as long as the RFCOMM echo (p99)', unit: 'µs', summary: floor.p99, better: 'lower' });
  out.ratios.push({ name: 'noise floor p99 / median (this machine, at the echo\'s scale)', value: floor.p99.median / floor.median.median });
}
