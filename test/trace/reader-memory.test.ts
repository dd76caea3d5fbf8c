/**
 * The streaming reader holds one read chunk and one record, whatever the file size
 * (capture-parser.ts, read-capture-file.ts; issue 16). Checked through what the parser says it
 * holds (`buffered`, `capacity`) and what CaptureFile reports (`peakBufferBytes`), never by timing
 * or by the process's memory: fed chunk by chunk, the buffer never grows past
 * max(largest record (or DETECT_BYTES) + chunk, 2 × chunk), a file ten times longer needs exactly as much, and every
 * record handed out keeps its bytes after later chunks reuse the buffer.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/index.js';
import { CaptureFile, READ_CHUNK_BYTES } from '../../src/node/read-capture-file.js';
import { BtsnoopWriter, CaptureParser, DETECT_BYTES, type BtsnoopRecordInput, type CaptureRecord } from '../../src/trace/index.js';

/** btsnoop's per-record header: lengths, flags, drops, timestamp. */
const RECORD_HEADER = 24;

/** An ACL packet of `length` bytes (H4 indicator included) whose bytes tell it from its neighbours. */
function aclRecord(i: number, length: number): BtsnoopRecordInput {
  const h4 = new Uint8Array(length);
  h4[0] = 0x02;
  for (let j = 1; j < length; j++) h4[j] = (i * 31 + j) & 0xff;
  return { direction: i % 2 === 0 ? 'tx' : 'rx', h4, timestampUs: 1_700_000_000_000_000 + i };
}

/** `count` records cycling through `lengths`. */
function records(count: number, lengths: readonly number[]): BtsnoopRecordInput[] {
  return Array.from({ length: count }, (_, i) => aclRecord(i, lengths[i % lengths.length]));
}

interface Fed {
  records: CaptureRecord[];
  /** Largest buffer capacity seen after any `room`. */
  peakCapacity: number;
  /** Largest number of bytes still held once every event of a chunk was taken. */
  peakHeld: number;
}

/** Feeds `bytes` to a parser `chunk` bytes at a time, as CaptureFile does, taking every event after each. */
function feed(bytes: Uint8Array, chunk: number): Fed {
  const parser = new CaptureParser();
  const out: Fed = { records: [], peakCapacity: 0, peakHeld: 0 };
  const drain = (): void => {
    for (let e = parser.next(); e; e = parser.next()) {
      if (e.type === 'record') out.records.push(e.record);
      else throw new Error(`unexpected ${e.type} event`);
    }
    out.peakHeld = Math.max(out.peakHeld, parser.buffered);
  };
  for (let at = 0; at < bytes.length; at += chunk) {
    const n = Math.min(chunk, bytes.length - at);
    parser.room(n).set(bytes.subarray(at, at + n));
    out.peakCapacity = Math.max(out.peakCapacity, parser.capacity);
    parser.commit(n);
    drain();
  }
  parser.finish();
  drain();
  return out;
}

function bound(largestRecord: number, chunk: number): number {
  return Math.max(largestRecord + chunk, 2 * chunk);
}

describe('the streaming reader holds one chunk and one record', () => {
  it('whatever the chunk size and the record lengths (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 300 }), (chunk, lengths, count) => {
        const input = records(count, lengths);
        const fed = feed(BtsnoopWriter.encodeFile(input), chunk);
        const largest = RECORD_HEADER + Math.max(...lengths.slice(0, count));
        expect(fed.records).toHaveLength(count);
        // Until DETECT_BYTES have come the format is not known yet, and nothing is taken.
        const held = Math.max(largest, DETECT_BYTES);
        expect(fed.peakHeld).toBeLessThan(held);
        expect(fed.peakCapacity).toBeLessThanOrEqual(bound(held, chunk));
      }),
      { numRuns: 60 },
    );
  });

  it('a file ten times longer needs no more buffer', () => {
    const lengths = [9, 1021, 30, 64, 300];
    const chunk = 4096;
    const short = feed(BtsnoopWriter.encodeFile(records(2_000, lengths)), chunk);
    const long = feed(BtsnoopWriter.encodeFile(records(20_000, lengths)), chunk);
    expect(long.records).toHaveLength(20_000);
    expect(long.peakCapacity).toBe(short.peakCapacity);
    expect(long.peakCapacity).toBeLessThanOrEqual(bound(RECORD_HEADER + 1021, chunk));
  });

  it('records keep their bytes after later chunks reuse the buffer', () => {
    const input = records(5_000, [7, 250, 41, 1000]);
    const fed = feed(BtsnoopWriter.encodeFile(input), 1000);
    expect(fed.records.map((r) => r.frame)).toEqual(input.map((_, i) => i + 1));
    expect(fed.records.filter((r, i) => !bytesEqual(r.h4, input[i].h4)).map((r) => r.frame)).toEqual([]);
  });
});

describe('CaptureFile reads from disk with the same bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btc-reader-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function read(path: string): Promise<{ records: number; peak: number }> {
    const file = await CaptureFile.open(path);
    let count = 0;
    for await (const events of file.batches()) for (let e = events.next(); e; e = events.next()) if (e.type === 'record') count++;
    return { records: count, peak: file.peakBufferBytes };
  }

  it('a 30-chunk file and a 3-chunk file peak at the same buffer, under two chunks and a record', async () => {
    const lengths = [12, 700, 60, 1500];
    const recordBytes = lengths.reduce((n, l) => n + RECORD_HEADER + l, 0) / lengths.length;
    const smallCount = Math.ceil((3 * READ_CHUNK_BYTES) / recordBytes);
    writeFileSync(join(dir, 'small.btsnoop'), BtsnoopWriter.encodeFile(records(smallCount, lengths)));
    writeFileSync(join(dir, 'large.btsnoop'), BtsnoopWriter.encodeFile(records(10 * smallCount, lengths)));
    const small = await read(join(dir, 'small.btsnoop'));
    const large = await read(join(dir, 'large.btsnoop'));
    expect(small.records).toBe(smallCount);
    expect(large.records).toBe(10 * smallCount);
    expect(large.peak).toBe(small.peak);
    expect(large.peak).toBeLessThanOrEqual(bound(RECORD_HEADER + 1500, READ_CHUNK_BYTES));
  });
});
