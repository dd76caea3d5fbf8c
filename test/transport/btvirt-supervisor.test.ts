/**
 * The supervisor that keeps the test run's btvirt serving (test/support/btvirt-process.ts), tried
 * on a btvirt of its own in a private mount namespace, so that the run's btvirt and the tests using
 * it are left alone: killed by PID, btvirt is started again at the same socket and answers HCI;
 * allowed no restart, its death is final and says how it ended; `stop` ends only what still runs,
 * and nothing is restarted after it.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { openUnixH4 } from '../../src/transport/h4-stream.js';
import { canConnect, findBtvirt, startPrivateBtvirt, type Btvirt } from '../support/btvirt-process.js';
import { EventCollector } from './support/h4-events.js';

/** Why no private btvirt can be started here, or undefined. */
function unavailable(): string | undefined {
  if (!findBtvirt()) return 'btvirt is not installed (apt-get install -y bluez-test-tools)';
  if (process.getuid?.() !== 0) return 'a private btvirt needs root (a mount namespace of its own)';
  return undefined;
}

/** A new client of the btvirt at `socket` gets a controller that completes HCI Reset. */
async function answersReset(socket: string): Promise<boolean> {
  const t = await openUnixH4(socket);
  try {
    const events = new EventCollector(t);
    const reset = events.commandComplete(0x0c03);
    t.write(fromHex('01 03 0c 00'));
    return (await reset).params[3] === 0x00;
  } finally {
    await t.close();
  }
}

describe.skipIf(unavailable())('the btvirt supervisor, on a btvirt of its own', () => {
  let dir: string;
  let statusFile: string;
  let btvirt: Btvirt | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'btc-supervisor-test-'));
    statusFile = join(dir, 'status');
  });

  afterEach(() => {
    btvirt?.stop();
    btvirt = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(maxRestarts?: number): Promise<Btvirt> {
    btvirt = await startPrivateBtvirt({ statusFile, ...(maxRestarts !== undefined ? { maxRestarts } : {}) });
    if (!btvirt) throw new Error('no private btvirt could be started');
    expect(btvirt.own).toBe(true);
    expect(await answersReset(btvirt.socket)).toBe(true);
    return btvirt;
  }

  it('a btvirt killed by PID is started again at the same socket, serves new clients, and the death is written down', async () => {
    const v = await start();
    const first = v.child!.pid!;
    const back = v.restarted();
    process.kill(first, 'SIGKILL');
    await back;
    const second = v.child!.pid!;
    expect(second).not.toBe(first);
    expect(v.deaths).toEqual([`btvirt (pid ${first}) was killed by SIGKILL`]);
    expect(v.dead).toBeUndefined();
    expect(readFileSync(statusFile, 'utf8')).toBe(`restarted: btvirt (pid ${first}) was killed by SIGKILL; pid ${second} serves ${v.socket} again\n`);
    expect(await answersReset(v.socket)).toBe(true);
  });

  it('with no restart allowed, the death is final: it says how btvirt ended, and nothing serves the socket', async () => {
    const v = await start(0);
    const pid = v.child!.pid!;
    const gone = v.restarted();
    // btvirt ends on SIGTERM with exit code 0: the report names the exit code (a signal it does not handle is named instead, above).
    process.kill(pid, 'SIGTERM');
    const why = `btvirt (pid ${pid}) exited with code 0; not restarted (0 restart(s) allowed)`;
    await expect(gone).rejects.toThrow(why);
    expect(v.dead).toBe(why);
    expect(readFileSync(statusFile, 'utf8')).toBe(`dead: ${why}\n`);
    expect(await canConnect(v.socket)).toBe(false);
    // Clean-up finds nothing running and signals nothing.
    expect(() => v.stop()).not.toThrow();
  });

  it('stop() ends the running btvirt by PID, and nothing is restarted after it', async () => {
    const v = await start();
    const child = v.child!;
    const exited = once(child, 'exit');
    v.stop();
    await exited;
    expect(v.child).toBe(child);
    expect(v.deaths).toEqual([]);
    expect(existsSync(statusFile)).toBe(false);
    expect(existsSync(v.socket)).toBe(false);
    await expect(v.restarted()).rejects.toThrow(/stopped/);
  });
});
