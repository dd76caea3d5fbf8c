/**
 * Replays the real captures in ../shared/traces through the HCI codecs: every packet decodes and
 * re-encodes byte for byte, events and commands in the tables decode structurally (not raw), and the
 * controller-side byte stream frames back into the same packets whatever the chunking.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concat, hex } from '../../src/core/index.js';
import { commandSpecByOpcode, decodeHciPacket, describeHciPacket, encodeHciPacket, H4Framer } from '../../src/hci/index.js';
import { readCaptureWithStats } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';

const files = traceFiles();

describe.skipIf(tracesMissing())('HCI trace replay', () => {
  it.each(files)('%s: every packet decodes and re-encodes byte for byte', (file) => {
    const { records } = readCaptureWithStats(new Uint8Array(readFileSync(tracePath(file))));
    expect(records.length).toBeGreaterThan(0);
    const rawButKnown: string[] = [];
    for (const r of records) {
      if (r.cut) continue;
      const p = decodeHciPacket(r.h4);
      const again = encodeHciPacket(p);
      if (!bytesEqual(again, r.h4)) throw new Error(`frame ${r.frame}: ${hex(r.h4)} re-encoded as ${hex(again)}`);
      const line = describeHciPacket(p);
      expect(line).not.toMatch(/\n/);
      if (/\(malformed\)/.test(line)) rawButKnown.push(`frame ${r.frame}: ${line.slice(0, 60)}`);
      if (p.type === 'event' && p.event.name === 'Command Complete' && !p.event.returns && (commandSpecByOpcode(p.event.opcode)?.returns.length ?? 0) > 0) {
        rawButKnown.push(`frame ${r.frame}: ${line.slice(0, 60)}`);
      }
    }
    expect(rawButKnown).toEqual([]);
  });

  it.each(files)('%s: the controller byte stream frames into the same packets', (file) => {
    const { records } = readCaptureWithStats(new Uint8Array(readFileSync(tracePath(file))));
    const rx = records.filter((r) => r.direction === 'rx' && !r.cut && r.kind !== 'vendor').map((r) => r.h4);
    const stream = concat(...rx);
    const f = new H4Framer({ maxDataLength: 65535 });
    const out: Uint8Array[] = [];
    for (let i = 0, step = 1; i < stream.length; i += step, step = (step * 7 + 3) % 997 || 1) {
      f.push(stream.subarray(i, i + step));
      for (let x = f.poll(); x; x = f.poll()) {
        if (!(x instanceof Uint8Array)) throw x;
        out.push(x);
      }
    }
    expect(out.length).toBe(rx.length);
    expect(out.every((p, i) => bytesEqual(p, rx[i]))).toBe(true);
  });
});
