/**
 * The same HCI packets written in every format (by the builders, from the format descriptions)
 * read back as the same records: direction, bytes, kind and time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { BtsnoopWriter, readCaptureWithStats, type BtsnoopRecordInput } from '../../src/trace/index.js';
import { unencapsulatedRecord } from './arbitraries.js';
import { join, pcapFile, pcapngEnhancedPacket, pcapngInterface, pcapngSectionHeader, pklgFile, withPhdr, type Endian } from './capture-builders.js';

const PKLG_TYPE = { command: 0x00, event: 0x01, acl: { tx: 0x02, rx: 0x03 } } as const;

function pklgType(r: BtsnoopRecordInput): number {
  if (r.h4[0] === 0x01) return PKLG_TYPE.command;
  if (r.h4[0] === 0x04) return PKLG_TYPE.event;
  return PKLG_TYPE.acl[r.direction];
}

function encodings(records: readonly BtsnoopRecordInput[], endian: Endian): Record<string, Uint8Array> {
  const seconds = (r: BtsnoopRecordInput) => Math.floor((r.timestampUs ?? 0) / 1e6);
  const micros = (r: BtsnoopRecordInput) => (r.timestampUs ?? 0) % 1e6;
  return {
    'btsnoop 1002': BtsnoopWriter.encodeFile(records),
    'btsnoop 1001': BtsnoopWriter.encodeFile(records, 1001),
    pcap: pcapFile(endian, 201, records.map((r) => ({ seconds: seconds(r), fraction: micros(r), data: withPhdr(r.direction === 'rx', r.h4) }))),
    pcapng: join(
      pcapngSectionHeader(endian),
      pcapngInterface(endian, 201),
      ...records.map((r) => pcapngEnhancedPacket(endian, 0, BigInt(r.timestampUs ?? 0), withPhdr(r.direction === 'rx', r.h4))),
    ),
    packetlogger: pklgFile(endian, records.map((r) => ({ type: pklgType(r), seconds: seconds(r), microseconds: micros(r), payload: r.h4.subarray(1) }))),
  };
}

describe('every format reads the same packets back the same', () => {
  it('btsnoop 1001/1002, pcap, pcapng and PacketLogger agree', () => {
    const timed = unencapsulatedRecord.map((r) => ({ ...r, timestampUs: Math.min(r.timestampUs ?? 0, 4_000_000_000_000_000) }));
    fc.assert(
      fc.property(fc.array(timed, { minLength: 1, maxLength: 12 }), fc.constantFrom<Endian>('big', 'little'), (records, endian) => {
        const expected = records.map((r) => [r.direction, hex(r.h4), r.timestampUs]);
        for (const [name, bytes] of Object.entries(encodings(records, endian))) {
          const read = readCaptureWithStats(bytes, { strict: true });
          expect(read.records.map((r) => [r.direction, hex(r.h4), r.timestampUs]), name).toEqual(expected);
          expect(read.stats.skipped, name).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});
