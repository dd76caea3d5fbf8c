/**
 * Gives the test run a btvirt (BlueZ's emulator: every client connection to its socket gets its
 * own emulated BR/EDR controller, so one btvirt serves every btvirt test of the run).
 *
 * btvirt always serves /tmp/bt-server-bredr. As root, the run starts its own btvirt in a private
 * mount namespace whose /tmp is a fresh directory of the real /tmp (`unshare -m`, then a bind
 * mount), so its socket appears at a private path here and two runs never share or stop each
 * other's emulator. Where that cannot be done, the run uses a btvirt already serving
 * /tmp/bt-server-bredr, or starts one there. Either way it stops only the btvirt it started, by
 * PID. Without btvirt the btvirt tests skip, except with CI=true where they fail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const SHARED_SOCKET = '/tmp/bt-server-bredr';

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function served(path: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await canConnect(path)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function findBtvirt(): string | undefined {
  for (const p of ['/usr/bin/btvirt', '/usr/sbin/btvirt', '/usr/local/bin/btvirt']) if (existsSync(p)) return p;
  return undefined;
}

function stop(child: ChildProcess): void {
  if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
}

/** A btvirt of this run alone, or undefined when no private mount namespace can be had. */
async function startPrivate(bin: string): Promise<{ socket: string; child: ChildProcess; dir: string } | undefined> {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'btc-btvirt-'));
  // `unshare` and `sh` exec into btvirt, so the child's PID is btvirt's.
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /tmp && exec "$1" -s -l0', dir, bin], { stdio: 'ignore' });
  const socket = join(dir, 'bt-server-bredr');
  if (await served(socket)) return { socket, child, dir };
  stop(child);
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

export default async function setup(project: TestProject): Promise<() => void> {
  let status = 'absent';
  let socket = SHARED_SOCKET;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  const bin = findBtvirt();
  const own = bin ? await startPrivate(bin) : undefined;
  if (own) {
    ({ socket, child, dir } = own);
    status = 'running';
  } else if (await canConnect(SHARED_SOCKET)) {
    status = 'running';
  } else if (bin) {
    child = spawn(bin, ['-s', '-l0'], { stdio: 'ignore' });
    status = (await served(SHARED_SOCKET)) ? 'running' : 'failed';
  }
  project.provide('btvirt', status);
  project.provide('btvirtSocket', socket);
  return () => {
    if (child) stop(child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    btvirt: string;
    /** The unix socket path of the run's btvirt. */
    btvirtSocket: string;
  }
}
