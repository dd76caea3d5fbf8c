/**
 * Every RFCOMM frame in the real captures decodes and re-encodes byte for byte (MCCs included),
 * and the frame-type, credit, PN and MSC counts equal Wireshark's (tshark-counts.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesEqual, hex } from '../../src/core/index.js';
import { decodeMcc, decodeRfcommFrame, encodeMcc, encodeRfcommFrame } from '../../src/rfcomm/index.js';
import { tracePath, traceFiles, tracesMissing } from '../support/env.js';
import { rfcommSdus } from './support/trace-rfcomm.js';

const KEYS = ['rfcomm', 'rfcomm_sabm', 'rfcomm_ua', 'rfcomm_dm', 'rfcomm_disc', 'rfcomm_uih', 'rfcomm_with_credits', 'rfcomm_pn', 'rfcomm_msc'] as const;
type Counts = Record<(typeof KEYS)[number], number>;

const skip = tracesMissing();
const expected: Record<string, Counts> = skip ? {} : JSON.parse(readFileSync(tracePath('tshark-counts.json'), 'utf8')).files;
const files = traceFiles().filter((f) => (expected[f]?.rfcomm ?? 0) > 0);

describe.skipIf(skip !== undefined)('RFCOMM trace replay (decode, re-encode, counts)', () => {
  it('finds captures with RFCOMM', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', (file) => {
    const counts: Counts = { rfcomm: 0, rfcomm_sabm: 0, rfcomm_ua: 0, rfcomm_dm: 0, rfcomm_disc: 0, rfcomm_uih: 0, rfcomm_with_credits: 0, rfcomm_pn: 0, rfcomm_msc: 0 };
    for (const { sdu } of rfcommSdus(readFileSync(tracePath(file)))) {
      counts.rfcomm++;
      const frame = decodeRfcommFrame(sdu);
      const again = encodeRfcommFrame(frame);
      if (!bytesEqual(again, sdu)) expect(hex(again, ' ')).toBe(hex(sdu, ' '));
      const key = `rfcomm_${frame.type.toLowerCase()}`;
      if (key in counts) counts[key as keyof Counts]++;
      if (frame.credits !== undefined) counts.rfcomm_with_credits++;
      if (frame.dlci === 0 && frame.type === 'UIH') {
        const mcc = decodeMcc(frame.info);
        expect(hex(encodeMcc(mcc))).toBe(hex(frame.info));
        if (mcc.type === 'PN') counts.rfcomm_pn++;
        if (mcc.type === 'MSC') counts.rfcomm_msc++;
      }
    }
    const want = Object.fromEntries(KEYS.map((k) => [k, expected[file][k]]));
    expect(counts).toEqual(want);
  });
});
