import { describe, expect, it } from 'vitest';
import { DecodeError, hex } from '../../src/core/index.js';
import { readCapture, readCaptureWithStats } from '../../src/trace/index.js';
import {
  join,
  pcapngBlock,
  pcapngEnhancedPacket,
  pcapngInterface,
  pcapngSectionHeader,
  pcapngSimplePacket,
  withPhdr,
  type Endian,
} from './capture-builders.js';

const RESET = [0x01, 0x03, 0x0c, 0x00];
const COMPLETE = [0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00];

function error(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('pcapng', () => {
  for (const endian of ['big', 'little'] as Endian[]) {
    it(`${endian}-endian section: IDB 201, EPB with default microsecond timestamps, SPB, other blocks passed over`, () => {
      const file = join(
        pcapngSectionHeader(endian),
        pcapngInterface(endian, 201),
        pcapngEnhancedPacket(endian, 0, 1_663_321_070_147_991n, withPhdr(false, RESET)),
        pcapngBlock(endian, 0x00000004, new Uint8Array(4)),
        pcapngEnhancedPacket(endian, 0, 1_663_321_070_148_000n, withPhdr(true, COMPLETE)),
        pcapngSimplePacket(endian, withPhdr(false, [0x07, 0x01, 0x02])),
        pcapngBlock(endian, 0x00000005, new Uint8Array(8)),
      );
      const { format, records, stats } = readCaptureWithStats(file, { strict: true });
      expect(format).toBe('pcapng');
      expect(records.map((r) => [r.frame, r.kind, r.direction, hex(r.h4), r.timestampUs])).toEqual([
        [1, 'command', 'tx', '01030c00', 1_663_321_070_147_991],
        [2, 'event', 'rx', '040e0401030c00', 1_663_321_070_148_000],
        [3, 'vendor', 'tx', '070102', undefined],
      ]);
      expect(stats.byKind.vendor).toBe(1);
    });
  }

  it('if_tsresol: nanoseconds (9) and binary 2^-10', () => {
    const file = join(
      pcapngSectionHeader('little'),
      pcapngInterface('little', 187, { tsresol: 9 }),
      pcapngInterface('little', 187, { tsresol: 0x80 | 10 }),
      pcapngEnhancedPacket('little', 0, 5_000_001_999n, Uint8Array.from(RESET)),
      pcapngEnhancedPacket('little', 1, 3n * 1024n + 512n, Uint8Array.from(COMPLETE)),
    );
    expect([...readCapture(file)].map((r) => r.timestampUs)).toEqual([5_000_001, 3_500_000]);
  });

  it('two sections of different byte order; interfaces restart per section', () => {
    const file = join(
      pcapngSectionHeader('big'),
      pcapngInterface('big', 201),
      pcapngEnhancedPacket('big', 0, 1n, withPhdr(false, RESET)),
      pcapngSectionHeader('little'),
      pcapngInterface('little', 187),
      pcapngEnhancedPacket('little', 0, 2n, Uint8Array.from(COMPLETE)),
    );
    expect([...readCapture(file, { strict: true })].map((r) => [r.frame, r.kind])).toEqual([
      [1, 'command'],
      [2, 'event'],
    ]);
  });

  it('packets of a non-Bluetooth interface are skipped and counted', () => {
    const file = join(
      pcapngSectionHeader('big'),
      pcapngInterface('big', 1),
      pcapngInterface('big', 201),
      pcapngEnhancedPacket('big', 0, 0n, new Uint8Array(60)),
      pcapngEnhancedPacket('big', 1, 0n, withPhdr(false, RESET)),
    );
    const { records, stats } = readCaptureWithStats(file);
    expect(records.map((r) => r.frame)).toEqual([2]);
    expect(stats.skippedByWhat).toEqual({ 'link type 1': 1 });
  });

  it('simple packet limited by the snap length is cut', () => {
    const file = join(pcapngSectionHeader('big'), pcapngInterface('big', 187, { snaplen: 3 }), pcapngSimplePacket('big', Uint8Array.from(COMPLETE)));
    const bytes = new Uint8Array(file);
    const [r] = [...readCapture(bytes)];
    expect(hex(r.h4)).toBe('040e04');
    expect(r.cut).toBe(true);
  });

  it('packet for an undescribed interface: damage, reading goes on after the block; strict DecodeError', () => {
    const file = join(pcapngSectionHeader('big'), pcapngEnhancedPacket('big', 0, 0n, Uint8Array.from(RESET)), pcapngInterface('big', 187), pcapngEnhancedPacket('big', 0, 0n, Uint8Array.from(RESET)));
    expect(error(() => [...readCapture(file, { strict: true })]).reason).toMatch(/interface 0 was not described/);
    const { records, stats } = readCaptureWithStats(file);
    expect(stats.damage).toEqual([{ frame: 1, offset: 28 + 8, recordOffset: 28, reason: expect.stringMatching(/^record 1: interface 0 was not described/) }]);
    expect(records.map((r) => [r.frame, hex(r.h4)])).toEqual([[2, hex(Uint8Array.from(RESET))]]);
  });

  it('bad byte-order magic: DecodeError at offset 8', () => {
    const file = pcapngSectionHeader('big');
    file[8] = 0;
    expect(error(() => [...readCapture(file)]).offset).toBe(8);
  });

  it('block length not a multiple of 4, or trailing length different: damage at the length (strict: DecodeError), then the next good block', () => {
    const packet = pcapngEnhancedPacket('big', 0, 0n, Uint8Array.from(RESET));
    const good = join(pcapngSectionHeader('big'), pcapngInterface('big', 187), packet, packet);
    const odd = new Uint8Array(good);
    odd[48 + 7] = 21;
    expect(error(() => [...readCapture(odd, { strict: true })]).offset).toBe(48 + 4);
    const lenient = readCaptureWithStats(odd);
    expect(lenient.stats.damage.map((d) => [d.offset, d.resumedAt])).toEqual([[48 + 4, 48 + packet.length]]);
    expect(lenient.records).toHaveLength(1);
    const trailing = new Uint8Array(good);
    trailing[48 + packet.length - 1] = 24;
    expect(error(() => [...readCapture(trailing, { strict: true })]).offset).toBe(48 + packet.length - 4);
    expect(readCaptureWithStats(trailing).stats.damage.map((d) => d.offset)).toEqual([48 + packet.length - 4]);
  });

  it('captured length past the block end: damage (strict: DecodeError)', () => {
    const file = join(pcapngSectionHeader('big'), pcapngInterface('big', 187), pcapngEnhancedPacket('big', 0, 0n, Uint8Array.from(RESET)));
    file[file.length - 4 - 4 - 8 + 3] = 200;
    expect(error(() => [...readCapture(file, { strict: true })]).reason).toMatch(/captured length 200/);
    expect(readCaptureWithStats(file).stats.damage.map((d) => d.reason)).toEqual([expect.stringMatching(/captured length 200/)]);
  });

  it('truncated last block: reported (lenient) or DecodeError (strict)', () => {
    const file = join(pcapngSectionHeader('big'), pcapngInterface('big', 187), pcapngEnhancedPacket('big', 0, 0n, Uint8Array.from(RESET)));
    const cut = file.subarray(0, file.length - 4);
    const { records, stats } = readCaptureWithStats(cut);
    expect(records).toHaveLength(0);
    expect(stats.truncated?.offset).toBe(28 + 20);
    expect(error(() => readCaptureWithStats(cut, { strict: true })).offset).toBe(28 + 20);
  });
});
