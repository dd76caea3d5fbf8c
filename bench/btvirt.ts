/**
 * Over btvirt, between two processes: this stack with the defaults a user gets, next to the ceiling
 * a minimal raw-ACL host reaches through the same btvirt in the same run (bench/raw-acl-host.ts).
 * Cold is the first MiB of fresh processes; warm is a MiB after 4 MiB in the same processes.
 * Every transfer checks its bytes. Then 50 consecutive 1 MiB transfers each way between two
 * stack processes, counting stalls (a transfer that does not end within 20 s), and echo round
 * trips over RFCOMM and L2CAP. btvirt and the sending peers share one core, the receiving peers
 * have another (placement.ts), so that the figures do not follow where the scheduler put them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBtvirt } from '../test/support/btvirt-process.js';
import type { Results } from './in-process.js';
import { interleaved, pairedRatio, summarize, type SamplingPlan } from './measure.js';
import { onCore, placeOnCores, type Placement } from './placement.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Compiled (npm run bench) the peers are .js files run by node; from source, .ts files through tsx. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const MiB = 1 << 20;
const STALL_MS = 20_000;

/** A child process speaking JSON lines on stdout. */
class Peer {
  private readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  exited = false;

  /** Runs `script` with `args` in a node process of its own, on core `cpu` when given (placement.ts). */
  constructor(script: string, args: string[], cpu: number | undefined) {
    const file = join(HERE, FROM_SOURCE ? `${script}.ts` : `${script}.js`);
    // BENCH_CPU_PROF=DIR: each peer writes a CPU profile there (node --cpu-prof), to see where its time goes.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const run = onCore(cpu, process.execPath, [...profile, ...(FROM_SOURCE ? ['--import', 'tsx'] : []), file, ...args]);
    this.child = spawn(run.command, run.args, { stdio: 'pipe' });
    let buf = '';
    this.child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
        this.wake();
      }
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next line that has `key`, waiting at most `ms`. */
  async next<T = Record<string, unknown>>(key: string, ms = STALL_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.lines.findIndex((l) => key in l || 'error' in l);
      if (i >= 0) {
        const line = this.lines.splice(i, 1)[0];
        if ('error' in line) throw new Error(String(line.error));
        return line as T;
      }
      if (this.exited) throw new Error(`${key}: the peer exited: ${this.stderr.trim().split('\n').slice(0, 12).join(' | ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new StallError(`no ${key} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  stop(): void {
    // SIGTERM lets a profiling peer write its profile; a peer stuck in a stall gets SIGKILL later.
    if (this.exited || !this.child.pid) return;
    const pid = this.child.pid;
    process.kill(pid, process.env.BENCH_CPU_PROF ? 'SIGINT' : 'SIGKILL');
  }
}

export class StallError extends Error {}

interface Link {
  receiver: Peer;
  sender: Peer;
  /** Moves `n` bytes sender → receiver (pattern from `base`); returns MiB/s from the receiver's first packet to its last. */
  transfer(n: number, base: number): Promise<number>;
  stop(): void;
}

/**
 * A link between two started peers: a transfer asks the receiver to expect `n` bytes (`recv`, for
 * peers that need to be told) and the sender to send them, and rates the receiver's report from
 * its first packet to its last (that first packet's bytes excluded).
 */
function linkOf(receiver: Peer, sender: Peer, tellReceiver: boolean): Link {
  return {
    receiver,
    sender,
    async transfer(n, base) {
      if (tellReceiver) receiver.send(`recv ${n} ${base}`);
      sender.send(`send ${n} ${base}`);
      const r = await receiver.next<{ bytes: number; ms: number; firstPacket: number }>('bytes');
      await sender.next('sent');
      return (r.bytes - r.firstPacket) / MiB / (r.ms / 1000);
    },
    stop() {
      receiver.stop();
      sender.stop();
    },
  };
}

export async function rawLink(socket: string, cores: Placement): Promise<Link> {
  const receiver = new Peer('raw-acl-host', [socket], cores.receiver);
  const { address } = await receiver.next<{ address: string }>('address');
  const sender = new Peer('raw-acl-host', [socket, address], cores.sender);
  await sender.next('connected');
  return linkOf(receiver, sender, false);
}

export async function stackLink(socket: string, cores: Placement, proto: 'rfcomm' | 'l2cap' = 'rfcomm'): Promise<Link> {
  const spec = `h4:unix:${socket}`;
  const receiver = new Peer('btvirt-peer', [spec, proto, 'listen'], cores.receiver);
  const { address } = await receiver.next<{ address: string }>('address');
  const sender = new Peer('btvirt-peer', [spec, proto, 'connect', address, proto === 'rfcomm' ? '1' : String(0x1001)], cores.sender);
  await sender.next('connected');
  await receiver.next('connected');
  return linkOf(receiver, sender, true);
}

/** Cold (first MiB of fresh processes) and warm (a MiB after 4) throughput of one kind of link;
 * NaN for a transfer that stalled (and every one after it). */
async function coldAndWarm(open: () => Promise<Link>, warmupMiB: number): Promise<{ cold: number; warm: number }> {
  const link = await open();
  let cold = NaN;
  let warm = NaN;
  try {
    cold = await link.transfer(MiB, 0);
    for (let i = 0; i < warmupMiB; i++) await link.transfer(MiB, (i + 1) * MiB);
    warm = await link.transfer(MiB, (warmupMiB + 1) * MiB);
  } catch (error) {
    // A stall, or a transfer that failed loudly (the link ended): no figure from this sample.
    if (!(error instanceof StallError) && !(error instanceof Error && /ECONNRESET|the peer exited|lost on the way/.test(error.message))) throw error;
  } finally {
    link.stop();
  }
  return { cold, warm };
}

export async function overBtvirt(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const btvirt = await startBtvirt();
  if (!btvirt) {
    console.error('bench: btvirt is not installed (apt-get install -y bluez-test-tools): over-btvirt figures skipped');
    return;
  }
  try {
    const cores = placeOnCores(btvirt.own ? btvirt.child?.pid : undefined);
    out.notes.push(`over btvirt: ${cores.note}`);
    const warmupMiB = quick ? 1 : 4;
    const cold: Record<string, number[]> = { raw: [], rfcomm: [] };
    const res = await interleaved(plan, {
      raw: async () => {
        const r = await coldAndWarm(() => rawLink(btvirt.socket, cores), warmupMiB);
        cold.raw.push(r.cold);
        return r.warm;
      },
      rfcomm: async () => {
        const r = await coldAndWarm(() => stackLink(btvirt.socket, cores), warmupMiB);
        cold.rfcomm.push(r.cold);
        return r.warm;
      },
    });
    const rawCold = summarize(cold.raw.slice(-plan.samples));
    const rfcommCold = summarize(cold.rfcomm.slice(-plan.samples));
    out.figures.push({ name: 'raw ACL ceiling over btvirt, two processes, cold (first MiB)', unit: 'MiB/s', summary: rawCold, better: 'higher' });
    out.figures.push({ name: 'raw ACL ceiling over btvirt, two processes, warm', unit: 'MiB/s', summary: res.raw, better: 'higher' });
    out.figures.push({ name: 'RFCOMM over btvirt with the defaults, two processes, cold (first MiB)', unit: 'MiB/s', summary: rfcommCold, better: 'higher' });
    out.figures.push({ name: 'RFCOMM over btvirt with the defaults, two processes, warm', unit: 'MiB/s', summary: res.rfcomm, better: 'higher' });
    out.ratios.push({ name: 'RFCOMM / raw ACL ceiling over btvirt, cold', ...pairedRatio(rfcommCold, rawCold), target: '≥ 0.9' });
    out.ratios.push({ name: 'RFCOMM / raw ACL ceiling over btvirt, warm', ...pairedRatio(res.rfcomm, res.raw), target: '≥ 0.9' });

    await stalls(btvirt.socket, cores, quick ? 5 : 50, out);
    await echoes(btvirt.socket, cores, plan, quick, out);
  } finally {
    btvirt.stop();
  }
}

/** `count` consecutive 1 MiB transfers each way between two stack processes; a stall restarts them.
 * After 10 stalls the rest is not tried (each costs 20 s): the figure says how many were. */
async function stalls(socket: string, cores: Placement, count: number, out: Results): Promise<void> {
  let stalled = 0;
  let failed = 0;
  let tried = 0;
  let link = await stackLink(socket, cores);
  const reverse = async (l: Link) => {
    // The same two processes, the other way: the receiver sends.
    l.sender.send(`recv ${MiB} 0`);
    l.receiver.send(`send ${MiB} 0`);
    await l.sender.next('bytes');
    await l.receiver.next('sent');
  };
  for (let i = 0; i < count && stalled < 10; i++) {
    for (const way of ['forward', 'reverse'] as const) {
      tried++;
      try {
        if (way === 'forward') await link.transfer(MiB, 0);
        else await reverse(link);
      } catch (error) {
        if (error instanceof StallError) stalled++;
        else failed++;
        link.stop();
        link = await stackLink(socket, cores);
      }
    }
  }
  link.stop();
  const of = tried < 2 * count ? `${tried} tried of ` : '';
  out.figures.push({ name: `stalls in ${of}${count} × 1 MiB each way between two processes over btvirt`, unit: 'stalls', summary: summarize([stalled]), better: 'lower' });
  out.figures.push({ name: `transfers that failed (data changed or ended early) in ${of}${count} × 1 MiB each way`, unit: 'failures', summary: summarize([failed]), better: 'lower' });
}

/**
 * Echo round trips between two processes over btvirt, RFCOMM and L2CAP interleaved with the raw
 * ACL hosts' echo: the floor, what btvirt and the machine alone cost and how much they vary.
 */
async function echoes(socket: string, cores: Placement, plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  const trips = quick ? 100 : 1000;
  const links = { rfcomm: await stackLink(socket, cores, 'rfcomm'), l2cap: await stackLink(socket, cores, 'l2cap'), raw: await rawLink(socket, cores) };
  const names = ['rfcomm', 'l2cap', 'raw'] as const;
  const p99: Record<string, number[]> = { rfcomm: [], l2cap: [], raw: [] };
  try {
    for (const l of Object.values(links)) l.receiver.send('echo-serve');
    const res = await interleaved(plan, Object.fromEntries(
      names.map((name) => [
        name,
        async () => {
          links[name].sender.send(`echo ${trips}`);
          const r = await links[name].sender.next<{ median: number; p99: number }>('median', 60_000);
          p99[name].push(r.p99);
          return r.median;
        },
      ]),
    ));
    for (const name of names) {
      const label = { rfcomm: 'RFCOMM', l2cap: 'L2CAP', raw: 'raw ACL (floor)' }[name];
      const tail = summarize(p99[name].slice(-plan.samples));
      out.figures.push({ name: `${label} echo round trip over btvirt, two processes (median)`, unit: 'µs', summary: res[name], better: 'lower' });
      out.figures.push({ name: `${label} echo round trip over btvirt, two processes (p99)`, unit: 'µs', summary: tail, better: 'lower' });
      out.ratios.push({ name: `${label} echo p99 / median over btvirt`, value: tail.median / res[name].median, ...(name === 'raw' ? {} : { target: '≤ 2' }) });
    }
    out.ratios.push({ name: 'RFCOMM / L2CAP echo round trip over btvirt', ...pairedRatio(res.rfcomm, res.l2cap), target: '≤ 1.2' });
    out.ratios.push({ name: 'RFCOMM / raw ACL echo round trip over btvirt', ...pairedRatio(res.rfcomm, res.raw) });
  } finally {
    for (const l of Object.values(links)) l.stop();
  }
}
