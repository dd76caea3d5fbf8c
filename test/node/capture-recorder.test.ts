/**
 * The file recorders behind `Adapter.open(spec, { btsnoop, pcapng })` and `--btsnoop`/`--pcapng`
 * (src/node/capture-files.ts): records are held for one turn of the event loop and written at
 * once; they are in the file when the program next waits, and when the process exits without
 * closing the recorder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { BtsnoopFileRecorder, PcapngFileRecorder, readCaptureFile } from '../../src/node/capture-files.js';
import { ROOT } from '../support/env.js';

const RESET = Uint8Array.of(0x01, 0x03, 0x0c, 0x00);
const dir = mkdtempSync(join(tmpdir(), 'btc-recorder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packetsIn = (path: string): number => [...readCaptureFile(path).records].length;

describe('capture file recorders', () => {
  it.each([
    ['btsnoop', (p: string) => BtsnoopFileRecorder.create(p)],
    ['pcapng', (p: string) => PcapngFileRecorder.create(p)],
  ] as const)('%s: packets recorded in one turn are in the file at the next, before close', async (name, create) => {
    const path = join(dir, `turn.${name}`);
    const recorder = await create(path);
    for (let i = 0; i < 3; i++) recorder.record('tx', RESET, i);
    await nextTurn();
    expect(packetsIn(path)).toBe(3);
    recorder.record('rx', RESET, 4);
    await recorder.close();
    expect(packetsIn(path)).toBe(4);
  });

  it('more than 64 KiB recorded in one turn is written as it goes, and nothing is lost', async () => {
    const path = join(dir, 'big.log');
    const recorder = await BtsnoopFileRecorder.create(path);
    const acl = new Uint8Array(1025);
    acl[0] = 0x02;
    acl[3] = 0xfd;
    acl[4] = 0x03;
    for (let i = 0; i < 200; i++) recorder.record('tx', acl, i);
    expect(readFileSync(path).length).toBeGreaterThan(64 * 1024);
    await recorder.close();
    expect(packetsIn(path)).toBe(200);
  });

  it('a process that exits without closing its recorder still leaves every packet in the file', () => {
    const path = join(dir, 'exit.log');
    const script = `
      import { BtsnoopFileRecorder } from ${JSON.stringify(join(ROOT, 'src/node/capture-files.ts'))};
      const recorder = await BtsnoopFileRecorder.create(${JSON.stringify(path)});
      for (let i = 0; i < 5; i++) recorder.record('tx', Uint8Array.of(0x01, 0x03, 0x0c, 0x00), i);
      process.exit(3);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    expect(packetsIn(path)).toBe(5);
  });
});
