/**
 * Starts one `btvirt -s -l0` for the whole test run when none is serving /tmp/bt-server-bredr, and
 * stops it by PID afterwards. Every client connection gets its own emulated BR/EDR controller, so
 * all btvirt tests share it. Without btvirt the btvirt tests skip, except with CI=true where they fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';

export const BTVIRT_SOCKET = '/tmp/bt-server-bredr';

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

function findBtvirt(): string | undefined {
  for (const p of ['/usr/bin/btvirt', '/usr/sbin/btvirt', '/usr/local/bin/btvirt']) if (existsSync(p)) return p;
  return undefined;
}

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  let status = 'absent';
  if (await canConnect(BTVIRT_SOCKET)) {
    status = 'running';
  } else {
    const bin = findBtvirt();
    if (bin) {
      child = spawn(bin, ['-s', '-l0'], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !(await canConnect(BTVIRT_SOCKET)); i++) await new Promise((r) => setTimeout(r, 50));
      status = (await canConnect(BTVIRT_SOCKET)) ? 'running' : 'failed';
    }
  }
  project.provide('btvirt', status);
  return () => {
    if (child?.pid) process.kill(child.pid, 'SIGTERM');
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    btvirt: string;
  }
}
