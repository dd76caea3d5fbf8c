/**
 * The `decode` suite (issue 16, docs/traces.md): `btc decode` against tshark and btmon, each a child
 * process with its output to /dev/null, sampled interleaved; for each, packets per CPU second of
 * the child (user + system, from GNU time) and its peak resident set.
 *   speed   the largest real capture in ../shared/traces (when that folder is there), all tools;
 *           ratio: btc's packets per CPU second over tshark's (target ≥ 1.5), text and --json
 *   memory  a 760,000-packet btsnoop written on the fly (decode-capture.ts), btc and btmon only:
 *           tshark needs more than 15 minutes on it (one RFCOMM conversation of 760,000 frames)
 * A tool that is not installed is left out and said so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureWithStats } from '../src/trace/index.js';
import { writeDecodeCapture } from './decode-capture.js';
import type { Results } from './in-process.js';
import { interleaved, pairedRatio, summarize, type SamplingPlan } from './measure.js';

const GNU_TIME = '/usr/bin/time';
/** The `btc` a user runs: the bundle `npm run build` writes (the bench script builds first). */
const BTC = fileURLToPath(new URL('../../dist/btc/main.js', import.meta.url));

interface Run {
  cpuMs: number;
  rssMiB: number;
}

/** Runs one command under GNU time with stdout to /dev/null; its CPU time and peak RSS. */
function run(command: string, args: string[], dir: string): Run {
  const timeFile = join(dir, 'time');
  const devNull = openSync('/dev/null', 'w');
  try {
    const r = spawnSync(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args], { stdio: ['ignore', devNull, 'pipe'] });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 400)}`);
  } finally {
    closeSync(devNull);
  }
  const [user, system, rssKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { cpuMs: (user + system) * 1000, rssMiB: rssKiB / 1024 };
}

function which(tool: string): string | undefined {
  return ['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
}

/** The largest capture in ../shared/traces, if that folder is beside the project. */
function largestSharedCapture(): string | undefined {
  const dir = fileURLToPath(new URL('../../../shared/traces', import.meta.url));
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((n) => /\.(log|btsnoop|pcap|pcapng|pklg)$/.test(n)).map((n) => join(dir, n));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

/** Samples each tool on `file`, adds its figures; returns each tool's packets per CPU second. */
async function sample(plan: SamplingPlan, file: string, packets: number, label: string, tools: Record<string, [string, string[]]>, dir: string, out: Results) {
  const rss: Record<string, number[]> = {};
  const rates = await interleaved(
    plan,
    Object.fromEntries(
      Object.entries(tools).map(([name, [cmd, args]]) => [
        name,
        () => {
          const r = run(cmd, [...args.map((a) => (a === '$FILE' ? file : a))], dir);
          (rss[name] ??= []).push(r.rssMiB);
          return packets / (r.cpuMs / 1000);
        },
      ]),
    ),
  );
  for (const name of Object.keys(tools)) {
    out.figures.push({ name: `${name}, ${label} (${packets.toLocaleString('en')} packets)`, unit: 'packets per CPU s', summary: rates[name], better: 'higher' });
    out.figures.push({ name: `${name}, ${label}, peak RSS`, unit: 'MiB', summary: summarize(rss[name].slice(plan.warmup)), better: 'lower' });
  }
  return rates;
}

export async function decodeSuite(plan: SamplingPlan, quick: boolean, out: Results): Promise<void> {
  if (!existsSync(BTC)) throw new Error(`${BTC} is missing: npm run build writes it`);
  if (!existsSync(GNU_TIME)) {
    process.stderr.write(` (skipped: ${GNU_TIME} is not installed)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'btc-bench-decode-'));
  try {
    const btc: Record<string, [string, string[]]> = {
      'btc decode': [process.execPath, [BTC, 'decode', '$FILE']],
      'btc decode --json': [process.execPath, [BTC, 'decode', '$FILE', '--json']],
    };
    const tshark = which('tshark');
    const btmon = which('btmon');
    const real = largestSharedCapture();
    if (real) {
      const packets = readCaptureWithStats(readFileSync(real)).records.length;
      const tools = { ...btc, ...(tshark ? { tshark: [tshark, ['-r', '$FILE']] as [string, string[]] } : {}), ...(btmon && real.endsWith('.log') ? { 'btmon -r': [btmon, ['-r', '$FILE']] as [string, string[]] } : {}) };
      const rates = await sample(plan, real, packets, 'largest shared capture', tools, dir, out);
      if (rates.tshark) {
        out.ratios.push({ name: 'btc decode / tshark, packets per CPU s (largest shared capture)', ...pairedRatio(rates['btc decode'], rates.tshark), target: '≥ 1.5' });
        out.ratios.push({ name: 'btc decode --json / tshark, packets per CPU s', ...pairedRatio(rates['btc decode --json'], rates.tshark) });
      } else process.stderr.write(' (tshark not installed: no ratio)');
    } else process.stderr.write(' (../shared/traces not found: no comparison on a real capture)');
    const big = join(dir, 'big.btsnoop');
    const packets = writeDecodeCapture(big, quick ? 60_000 : 760_000);
    await sample(plan, big, packets, 'generated', { 'btc decode': btc['btc decode'], ...(btmon ? { 'btmon -r': [btmon, ['-r', '$FILE']] as [string, string[]] } : {}) }, dir, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
