/**
 * Runs the CLI as a subprocess (through tsx, so no build is needed) and waits for lines of its
 * output. Every process started here is killed by PID when the test ends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './env.js';

/** tsx as a loader in this very process (not the tsx CLI, which would run the script in a child
 * that a kill by PID would orphan). */
const TSX_LOADER = ['--import', 'tsx'];
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `btc ...args` to completion (stdin from `input` when given). */
export function runCli(args: string[], input?: string | Uint8Array, timeoutMs = 60_000): Promise<CliResult> {
  const child = startCli(args);
  if (input !== undefined) child.process.stdin.end(input);
  else child.process.stdin.end();
  return child.exit(timeoutMs);
}

export class CliProcess {
  stdout = '';
  stderr = '';
  private readonly waiters: (() => void)[] = [];
  private exited: Promise<number | null>;

  constructor(readonly process: ChildProcessWithoutNullStreams) {
    process.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      this.wake();
    });
    process.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.wake();
    });
    this.exited = new Promise((resolve) => process.on('close', (code) => {
      this.wake();
      resolve(code);
    }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first match of `re` in stdout+stderr. */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = (this.stdout + '\n' + this.stderr).match(re);
      if (m) return m;
      if (this.process.exitCode !== null) throw new Error(`btc exited (${this.process.exitCode}) before printing ${re}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`btc did not print ${re} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async exit(timeoutMs = 60_000): Promise<CliResult> {
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, stdout: this.stdout, stderr: this.stderr };
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.pid) process.kill(this.process.pid, 'SIGKILL');
  }
}

const running = new Set<CliProcess>();

export function startCli(args: string[]): CliProcess {
  return startScript(MAIN, args);
}

/** Runs any TypeScript file of the project (an example) as a subprocess through tsx, with `env`
 * added to this process's environment. */
export function startScript(file: string, args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [...TSX_LOADER, file, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env } });
  const p = new CliProcess(child);
  running.add(p);
  child.on('close', () => running.delete(p));
  return p;
}

/** Kills every CLI process still running (call from afterEach). */
export function killAll(): void {
  for (const p of running) p.kill();
  running.clear();
}
