/**
 * Files written by BtsnoopWriter open in BlueZ btmon and in Wireshark's tshark, which decode the
 * same packets: a hand-built session (both datalinks) and a real capture re-written record by record.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { readCaptureWithStats, type BtsnoopRecordInput, type BtsnoopWriteDatalink } from '../../src/trace/index.js';
import { writeBtsnoopFile } from '../../src/node/capture-files.js';
import { tracePath, tracesMissing } from '../support/env.js';
import { run, toolMissing, tsharkCount, tsharkKindCounts } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000;
const SESSION: BtsnoopRecordInput[] = [
  { direction: 'tx', h4: fromHex('01030c00'), timestampUs: T0 },
  { direction: 'rx', h4: fromHex('040e0401030c00'), timestampUs: T0 + 1000 },
  // L2CAP Information Request (extended features) on handle 0x002a
  { direction: 'tx', h4: fromHex('022a200a00060001000a0102000200'), timestampUs: T0 + 2000 },
  // Number Of Completed Packets: handle 0x002a, 1 packet
  { direction: 'rx', h4: fromHex('041305012a000100'), timestampUs: T0 + 3000 },
];

function written(datalink: BtsnoopWriteDatalink): string {
  const path = join(dir, `session-${datalink}.log`);
  writeBtsnoopFile(path, SESSION, datalink);
  return path;
}

function btmonCounts(path: string): { command: number; event: number; acl: number } {
  const out = run('btmon', ['-r', path]);
  const count = (re: RegExp) => out.split('\n').filter((l) => re.test(l)).length;
  return { command: count(/^< HCI Command:/), event: count(/^> HCI Event:/), acl: count(/^[<>] ACL Data/) };
}

describe.skipIf(toolMissing('btmon'))('btmon -r opens written files', () => {
  for (const datalink of [1002, 1001] as const) {
    it(`datalink ${datalink}: every packet decoded with its direction`, () => {
      const path = written(datalink);
      expect(btmonCounts(path)).toEqual({ command: 1, event: 2, acl: 1 });
      expect(run('btmon', ['-r', path])).toMatch(/L2CAP: Information Request/);
    });
  }

  it.skipIf(tracesMissing())('a real capture re-written: same counts as the original', () => {
    const original = tracePath('HappyLeaf__btsnoop_hci_happyleaf_progress.log');
    const { records, stats } = readCaptureWithStats(new Uint8Array(readFileSync(original)));
    const path = join(dir, 'rewritten.log');
    writeBtsnoopFile(path, records);
    expect(btmonCounts(path)).toEqual({ command: stats.byKind.command, event: stats.byKind.event, acl: stats.byKind.acl });
  });
});

describe.skipIf(toolMissing('tshark'))('tshark reads written files', () => {
  for (const datalink of [1002, 1001] as const) {
    it(`datalink ${datalink}: counts, directions, nothing malformed`, () => {
      const path = written(datalink);
      expect({
        ...tsharkKindCounts(path),
        l2capInfo: tsharkCount(path, 'btl2cap.cmd_code == 0x0a'),
        sent: tsharkCount(path, 'frame.p2p_dir == 0'),
        malformed: tsharkCount(path, '_ws.malformed'),
      }).toEqual({ command: 1, event: 2, acl: 1, l2capInfo: 1, sent: 2, malformed: 0 });
      const times = run('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch']).trim().split('\n').map(Number);
      expect(times.map((t) => Math.round((t - T0 / 1e6) * 1000))).toEqual([0, 1, 2, 3]);
    });
  }
});
