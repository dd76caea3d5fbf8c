/**
 * Which cores the over-btvirt processes run on.
 *
 * btvirt gives each emulated controller one ACL buffer, so a transfer is a ping-pong: a packet
 * from the sender, then btvirt's Number Of Completed Packets back before the next. When the
 * scheduler has btvirt and the sender on different cores, each half of that round wakes a process
 * on the other core; on one core it is a switch there. Measured on the 2-core machine of
 * docs/performance.md (4 rounds each, warm MiB): raw ACL 3.0–4.0 MiB/s with the two on different
 * cores, 9.1–10.5 on one; left to the scheduler, one run got either, and the paired ratios of the
 * stack against the raw host spread 0.75–1.98. So the bench pins btvirt and every sending peer to
 * one core and every receiving peer to another (`taskset`), the same for the raw-ACL host and the
 * stack, and says so in the results; where that cannot be done it runs unpinned and says why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Placement {
  /** The core of btvirt and of the peers that send (undefined: not pinned). */
  readonly sender?: number;
  /** The core of the peers that receive. */
  readonly receiver?: number;
  /** What was done, for the results. */
  readonly note: string;
}

/** The CPUs of a Linux CPU list (`0-1,4,6-7`), in order; a part that is not a number or a range counts for none. */
export function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) return [];
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  });
}

/** The CPUs this process may run on, from /proc/self/status (`Cpus_allowed_list: 0-1,4`). */
function allowedCpus(): number[] {
  try {
    return parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '');
  } catch {
    return [];
  }
}

/** Pins the btvirt process `btvirtPid` (all its threads) and returns the cores for the peers. */
export function placeOnCores(btvirtPid: number | undefined): Placement {
  if (btvirtPid === undefined) return { note: 'not pinned: btvirt was started elsewhere (this run does not move a process it did not start)' };
  const cpus = allowedCpus();
  if (cpus.length < 2) return { note: `not pinned: ${cpus.length === 0 ? 'the allowed CPUs are unknown' : 'one CPU allowed'}` };
  if (spawnSync('taskset', ['--version']).status !== 0) return { note: 'not pinned: taskset is not installed (util-linux)' };
  const [sender, receiver] = cpus;
  execFileSync('taskset', ['-a', '-p', '-c', String(sender), String(btvirtPid)], { stdio: 'ignore' });
  return { sender, receiver, note: `pinned: btvirt and the sending peers on CPU ${sender}, the receiving peers on CPU ${receiver}` };
}

/** The command line that runs `command args` on `cpu` (unchanged when undefined). */
export function onCore(cpu: number | undefined, command: string, args: readonly string[]): { command: string; args: string[] } {
  return cpu === undefined ? { command, args: [...args] } : { command: 'taskset', args: ['-c', String(cpu), command, ...args] };
}
