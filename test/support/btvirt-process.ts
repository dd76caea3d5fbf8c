/**
 * Starts BlueZ's btvirt (every client connection to its socket gets its own emulated BR/EDR
 * controller) for a test run or a benchmark, and stops only the one it started, by PID.
 *
 * btvirt always serves /tmp/bt-server-bredr. As root, a private btvirt runs in a mount namespace
 * whose /tmp is a fresh directory of the real /tmp (`unshare -m`, then a bind mount), so its socket
 * appears at a private path and two runs never share or stop each other's emulator. Where that
 * cannot be done, a btvirt already serving /tmp/bt-server-bredr is used, or one is started there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHARED_SOCKET = '/tmp/bt-server-bredr';

export interface Btvirt {
  /** The unix socket it serves. */
  readonly socket: string;
  /** Whether this process started it (and `stop` will end it). */
  readonly own: boolean;
  /** The process, when this process started it. */
  readonly child: ChildProcess | undefined;
  stop(): void;
}

export function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function served(path: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await canConnect(path)) return true;
    if (!running(child)) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export function findBtvirt(): string | undefined {
  for (const p of ['/usr/bin/btvirt', '/usr/sbin/btvirt', '/usr/local/bin/btvirt']) if (existsSync(p)) return p;
  return undefined;
}

/** True while the process has neither exited nor been killed by a signal. */
function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function stopper(child: ChildProcess | undefined, dir: string | undefined): () => void {
  return () => {
    if (child?.pid && running(child)) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch (error) {
        // It ended between the check and the signal.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

/** A btvirt of this process alone, or undefined when no private mount namespace can be had. */
async function startPrivate(bin: string): Promise<Btvirt | undefined> {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'btc-btvirt-'));
  // `unshare` and `sh` exec into btvirt, so the child's PID is btvirt's.
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /tmp && exec "$1" -s -l0', dir, bin], { stdio: 'ignore' });
  const socket = join(dir, 'bt-server-bredr');
  if (await served(socket, child)) return { socket, own: true, child, stop: stopper(child, dir) };
  stopper(child, dir)();
  return undefined;
}

/** A private btvirt, else the shared one (started here if none serves it); undefined without btvirt. */
export async function startBtvirt(): Promise<Btvirt | undefined> {
  const bin = findBtvirt();
  const own = bin ? await startPrivate(bin) : undefined;
  if (own) return own;
  if (await canConnect(SHARED_SOCKET)) return { socket: SHARED_SOCKET, own: false, child: undefined, stop: () => undefined };
  if (!bin) return undefined;
  const child = spawn(bin, ['-s', '-l0'], { stdio: 'ignore' });
  if (await served(SHARED_SOCKET, child)) return { socket: SHARED_SOCKET, own: true, child, stop: stopper(child, undefined) };
  stopper(child, undefined)();
  return undefined;
}
