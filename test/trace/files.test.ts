import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { BtsnoopFileRecorder, readCaptureFile, writeBtsnoopFile } from '../../src/node/capture-files.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESET = Uint8Array.of(0x01, 0x03, 0x0c, 0x00);
const COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);
const WALL_US = 1_700_000_000_000_000;

describe('BtsnoopFileRecorder', () => {
  it('records packets with timestamps anchored at the first packet', async () => {
    const path = join(dir, 'session.log');
    const recorder = await BtsnoopFileRecorder.create(path, { wallClockUs: () => WALL_US });
    recorder.record('tx', RESET, 100);
    recorder.record('rx', COMPLETE, 102.5);
    await recorder.close();
    expect(recorder.packets).toBe(2);
    const { format, records } = readCaptureFile(path, { strict: true });
    expect(format).toBe('btsnoop');
    expect(records.map((r) => [r.direction, hex(r.h4), r.timestampUs])).toEqual([
      ['tx', '01030c00', WALL_US],
      ['rx', '040e0401030c00', WALL_US + 2500],
    ]);
  });

  it('an empty session still writes a valid header', async () => {
    const path = join(dir, 'empty.log');
    await (await BtsnoopFileRecorder.create(path)).close();
    expect(readFileSync(path)).toHaveLength(16);
    expect(readCaptureFile(path).records).toHaveLength(0);
  });

  it('replaces an existing file by default, appends with { append: true }', async () => {
    const path = join(dir, 'append.log');
    writeBtsnoopFile(path, [{ direction: 'tx', h4: RESET, timestampUs: 1 }]);
    const appender = await BtsnoopFileRecorder.create(path, { append: true, wallClockUs: () => 2 });
    appender.record('rx', COMPLETE, 0);
    await appender.close();
    expect(readCaptureFile(path, { strict: true }).records.map((r) => r.kind)).toEqual(['command', 'event']);
    const replacer = await BtsnoopFileRecorder.create(path);
    replacer.record('rx', COMPLETE, 0);
    await replacer.close();
    expect(readCaptureFile(path, { strict: true }).records.map((r) => r.kind)).toEqual(['event']);
  });

  it('refuses to append to a file of another datalink', async () => {
    const path = join(dir, 'other.log');
    writeBtsnoopFile(path, [], 1001);
    await expect(BtsnoopFileRecorder.create(path, { append: true })).rejects.toThrow(/datalink 1001, not 1002/);
  });

  it('refuses to append to a file that is not btsnoop', async () => {
    const path = join(dir, 'text.log');
    writeFileSync(path, 'not a capture at all');
    await expect(BtsnoopFileRecorder.create(path, { append: true })).rejects.toThrow(/btsnoop/);
  });

  it('ignores packets after close and reports an unopenable path', async () => {
    const path = join(dir, 'closed.log');
    const recorder = await BtsnoopFileRecorder.create(path);
    await recorder.close();
    recorder.record('tx', RESET, 0);
    expect(recorder.packets).toBe(0);
    await expect(BtsnoopFileRecorder.create(join(dir, 'missing-dir', 'x.log'))).rejects.toThrow(/ENOENT/);
  });
});
