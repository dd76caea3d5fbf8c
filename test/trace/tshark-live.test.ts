/**
 * Differential reading against Wireshark's tshark, run live on every capture: the same frames are
 * HCI, of the same kind, in the same direction. tshark numbers frames from 1 counting every record,
 * as `CaptureRecord.frame` does. PacketLogger files carry no direction field tshark shows
 * (frame.p2p_dir is empty), so there only kinds are compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCaptureWithStats } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { toolMissing, tsharkFrames, tsharkKindCounts } from './tools.js';

const skip = tracesMissing() ?? toolMissing('tshark');
const files = traceFiles();
const SMALL = 460_000;

describe.skipIf(skip)('tshark agrees with readCapture, frame by frame', () => {
  for (const name of files) {
    it(name, () => {
      const path = tracePath(name);
      const { records } = readCaptureWithStats(new Uint8Array(readFileSync(path)));
      const theirs = tsharkFrames(path);
      const ours = new Map(records.map((r) => [r.frame, r]));
      const kindDiff: string[] = [];
      const dirDiff: string[] = [];
      for (const [frame, t] of theirs) {
        const r = ours.get(frame);
        if ((r?.kind ?? undefined) !== t.kind) kindDiff.push(`frame ${frame}: tshark ${t.kind}, ours ${r?.kind}`);
        if (r && t.direction && r.direction !== t.direction) dirDiff.push(`frame ${frame}: tshark ${t.direction}, ours ${r.direction}`);
      }
      expect(kindDiff.slice(0, 5)).toEqual([]);
      expect(dirDiff.slice(0, 5)).toEqual([]);
      expect(Math.max(0, ...ours.keys())).toBeLessThanOrEqual(theirs.size);
    });
  }

  const small = files.filter((f) => readFileSync(tracePath(f)).length < SMALL);
  for (const name of small) {
    it(`${name}: tshark -Y bthci_cmd / bthci_evt / bthci_acl counts`, () => {
      const path = tracePath(name);
      const { stats } = readCaptureWithStats(new Uint8Array(readFileSync(path)));
      expect(tsharkKindCounts(path)).toEqual({ command: stats.byKind.command, event: stats.byKind.event, acl: stats.byKind.acl });
    });
  }
});
