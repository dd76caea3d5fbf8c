/**
 * Starts BlueZ's btvirt (every client connection to its socket gets its own emulated BR/EDR
 * controller) for a test run or a benchmark, and stops only the one it started, by PID.
 *
 * btvirt always serves /tmp/bt-server-bredr. As root, a private btvirt runs in a mount namespace
 * whose /tmp is a fresh directory of the real /tmp (`unshare -m`, then a bind mount), so its socket
 * appears at a private path and two runs never share or stop each other's emulator. Where that
 * cannot be done, a btvirt already serving /tmp/bt-server-bredr is used, or one is started there.
 *
 * A btvirt started here is supervised: when it dies while it should be serving (a crash, a signal
 * from outside), another is started at the same socket path, up to `maxRestarts` times; each death
 * and restart is written to `statusFile` (one line each, `restarted: …` or `dead: …`), so that the
 * test workers can say that btvirt died, with its exit code or signal, instead of failing to connect.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHARED_SOCKET = '/tmp/bt-server-bredr';

export interface Btvirt {
  /** The unix socket it serves. */
  readonly socket: string;
  /** Whether this process started it (and `stop` will end it). */
  readonly own: boolean;
  /** The btvirt serving now, when this process started it (a new process after each restart). */
  readonly child: ChildProcess | undefined;
  /** How each btvirt started here ended while it should have been serving, e.g. `btvirt (pid 12) was killed by SIGKILL`. */
  readonly deaths: readonly string[];
  /** Why nothing serves `socket` any more (a btvirt died and none could take its place), else undefined. */
  readonly dead: string | undefined;
  /** Resolves once the btvirt started after the next death serves `socket`; rejects with `dead` when none could. */
  restarted(): Promise<void>;
  /** Ends supervision and stops the btvirt still running, by PID; idempotent. */
  stop(): void;
}

export interface SuperviseOptions {
  /** How many times a dead btvirt is replaced (default 5); the next death is final. */
  maxRestarts?: number;
  /** Gets a line per death: `restarted: …` or `dead: …` (see `btvirtTrouble` in env.ts). */
  statusFile?: string;
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

/** Whether `child` comes to serve `path` within 15 s (time, not tries: a loaded machine starts it slowly). */
async function served(path: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
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

/** Sends SIGTERM to `child` if it is still running; a process that already ended is left alone. */
function stopProcess(child: ChildProcess): void {
  if (!child.pid || !running(child)) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch (error) {
    // It ended between the check and the signal.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function describeExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): string {
  return `btvirt (pid ${child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
}

const STOPPED = 'the btvirt supervisor was stopped';

/** Keeps a btvirt serving `socket`: `launch` starts one there, and is called again each time one dies. */
class Supervisor implements Btvirt {
  readonly own = true;
  child: ChildProcess | undefined;
  readonly deaths: string[] = [];
  dead: string | undefined;
  private serving: ChildProcess | undefined;
  private stopped = false;
  private restarts = 0;
  private waiters: { resolve(): void; reject(error: Error): void }[] = [];

  constructor(
    readonly socket: string,
    private readonly launch: () => ChildProcess,
    private readonly cleanup: () => void,
    private readonly options: SuperviseOptions,
  ) {}

  /** Starts a btvirt and waits until it serves; false when it does not (it is stopped then). */
  async start(): Promise<boolean> {
    const child = this.launch();
    this.child = child;
    child.once('exit', (code, signal) => void this.onExit(child, code, signal));
    if ((await served(this.socket, child)) && !this.stopped) {
      this.serving = child;
      return true;
    }
    stopProcess(child);
    return false;
  }

  restarted(): Promise<void> {
    if (this.dead) return Promise.reject(new Error(this.dead));
    if (this.stopped) return Promise.reject(new Error(STOPPED));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  stop(): void {
    this.stopped = true;
    if (this.child) stopProcess(this.child);
    this.cleanup();
    this.settle(new Error(STOPPED));
  }

  /** A btvirt ended: when it was the one serving, and nobody is stopping it, another takes its place. */
  private async onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.stopped || child !== this.serving) return;
    this.serving = undefined;
    const how = describeExit(child, code, signal);
    this.deaths.push(how);
    const max = this.options.maxRestarts ?? 5;
    if (this.restarts >= max) return this.giveUp(`${how}; not restarted (${max} restart(s) allowed)`);
    this.restarts++;
    // The dead one's socket file stays behind; the new btvirt binds the same path.
    rmSync(this.socket, { force: true });
    if (await this.start()) {
      this.note(`restarted: ${how}; pid ${this.child!.pid} serves ${this.socket} again`);
      this.settle(undefined);
    } else if (!this.stopped) this.giveUp(`${how}; the btvirt started in its place did not serve ${this.socket}`);
  }

  private giveUp(why: string): void {
    this.dead = why;
    this.note(`dead: ${why}`);
    this.settle(new Error(why));
  }

  private settle(error: Error | undefined): void {
    for (const w of this.waiters.splice(0)) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  private note(line: string): void {
    if (this.options.statusFile) appendFileSync(this.options.statusFile, line + '\n');
  }
}

/** A supervised btvirt launched by `launch` at `socket`, or undefined when it does not serve there. */
async function supervised(socket: string, launch: () => ChildProcess, cleanup: () => void, options: SuperviseOptions): Promise<Btvirt | undefined> {
  const s = new Supervisor(socket, launch, cleanup, options);
  if (await s.start()) return s;
  s.stop();
  return undefined;
}

/**
 * A supervised btvirt of this process alone, serving a socket in a fresh directory; undefined when
 * no private mount namespace can be had (not root, or no `unshare`) or btvirt is not installed.
 */
export async function startPrivateBtvirt(options: SuperviseOptions = {}, bin = findBtvirt()): Promise<Btvirt | undefined> {
  if (!bin || process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'btc-btvirt-'));
  // `unshare` and `sh` exec into btvirt, so the child's PID is btvirt's.
  const launch = () => spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /tmp && exec "$1" -s -l0', dir, bin], { stdio: 'ignore' });
  return supervised(join(dir, 'bt-server-bredr'), launch, () => rmSync(dir, { recursive: true, force: true }), options);
}

/** A private btvirt, else the shared one (started here if none serves it); undefined without btvirt. */
export async function startBtvirt(options: SuperviseOptions = {}): Promise<Btvirt | undefined> {
  const bin = findBtvirt();
  const own = await startPrivateBtvirt(options, bin);
  if (own) return own;
  if (await canConnect(SHARED_SOCKET)) return { socket: SHARED_SOCKET, own: false, child: undefined, deaths: [], dead: undefined, restarted: () => Promise.reject(new Error(`the btvirt at ${SHARED_SOCKET} was started elsewhere: this process does not supervise it`)), stop: () => undefined };
  if (!bin) return undefined;
  return supervised(SHARED_SOCKET, () => spawn(bin, ['-s', '-l0'], { stdio: 'ignore' }), () => undefined, options);
}
