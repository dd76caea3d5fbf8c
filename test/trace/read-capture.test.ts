import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/index.js';
import { BtsnoopWriter, detectCaptureFormat, readCapture, readCaptureWithStats } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { h4Record } from './arbitraries.js';
import { join, pcapFile, pcapngInterface, pcapngSectionHeader } from './capture-builders.js';

/** Reads everything; anything thrown must be a DecodeError. */
function total(bytes: Uint8Array): void {
  try {
    readCaptureWithStats(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

const PREFIXES = [
  new Uint8Array(0),
  BtsnoopWriter.encodeFile([]),
  pcapFile('big', 201, []),
  pcapFile('little', 187, []),
  join(pcapngSectionHeader('big'), pcapngInterface('big', 201)),
  join(pcapngSectionHeader('little'), pcapngInterface('little', 254)),
];

describe('readCapture', () => {
  it('detects each format by its magic', () => {
    expect(detectCaptureFormat(BtsnoopWriter.encodeFile([]))).toBe('btsnoop');
    expect(detectCaptureFormat(pcapFile('little', 201, []))).toBe('pcap');
    expect(detectCaptureFormat(pcapngSectionHeader('big'))).toBe('pcapng');
    expect(detectCaptureFormat(Uint8Array.from([0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x0c, 0x00]))).toBe('packetlogger');
  });

  it('unknown bytes: DecodeError at offset 0', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.from([1, 2, 3]), new TextEncoder().encode('hello world, not a capture')]) {
      expect(() => readCapture(bytes)).toThrow(DecodeError);
    }
  });

  it('is iterable more than once, with fresh stats each pass', () => {
    const file = BtsnoopWriter.encodeFile([{ direction: 'tx', h4: Uint8Array.of(1, 3, 12, 0) }]);
    const reader = readCapture(file);
    expect([...reader]).toHaveLength(1);
    expect([...reader]).toHaveLength(1);
    expect(reader.stats.records).toBe(1);
  });

  it('returns copies: changing a record does not change the input', () => {
    const file = BtsnoopWriter.encodeFile([{ direction: 'tx', h4: Uint8Array.of(1, 3, 12, 0) }]);
    const before = Uint8Array.from(file);
    const [r] = [...readCapture(file)];
    r.h4.fill(0xee);
    expect(file).toEqual(before);
  });

  it('total on arbitrary bytes behind every format header: a result or DecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.uint8Array({ maxLength: 400 }), (prefix, tail) => total(join(prefix, tail))),
      { numRuns: 200 },
    );
  });

  it('total on a written file with bytes flipped', () => {
    fc.assert(
      fc.property(fc.array(h4Record, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (records, flips) => {
        const file = BtsnoopWriter.encodeFile(records);
        for (const [at, v] of flips) file[at % file.length] = v;
        total(file);
      }),
      { numRuns: 200 },
    );
  });

  it.skipIf(tracesMissing())('total on the first 4 KiB of every real capture with bytes flipped', () => {
    const heads = traceFiles().map((f) => new Uint8Array(readFileSync(tracePath(f)).subarray(0, 4096)));
    fc.assert(
      fc.property(fc.constantFrom(...heads), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (head, flips) => {
        const bytes = Uint8Array.from(head);
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        total(bytes);
      }),
      { numRuns: 200 },
    );
  });
});
