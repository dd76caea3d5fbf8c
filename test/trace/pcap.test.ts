import { describe, expect, it } from 'vitest';
import { DecodeError, fromHex, hex } from '../../src/core/index.js';
import { LINKTYPE, readCapture, readCaptureWithStats } from '../../src/trace/index.js';
import { pcapFile, withPhdr, type Endian } from './capture-builders.js';

const RESET = [0x01, 0x03, 0x0c, 0x00];
const COMPLETE = [0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00];
const ACL = [0x02, 0x2a, 0x20, 0x02, 0x00, 0xaa, 0xbb];

describe('classic pcap', () => {
  for (const endian of ['big', 'little'] as Endian[]) {
    it(`LINKTYPE 201, ${endian}-endian: direction word then H4`, () => {
      const file = pcapFile(endian, LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, [
        { seconds: 1_600_000_000, fraction: 5, data: withPhdr(false, RESET) },
        { seconds: 1_600_000_001, fraction: 999_999, data: withPhdr(true, COMPLETE) },
        { seconds: 1_600_000_002, fraction: 0, data: withPhdr(true, ACL) },
      ]);
      const { format, records } = readCaptureWithStats(file, { strict: true });
      expect(format).toBe('pcap');
      expect(records.map((r) => [r.frame, r.kind, r.direction, hex(r.h4), r.timestampUs])).toEqual([
        [1, 'command', 'tx', '01030c00', 1_600_000_000_000_005],
        [2, 'event', 'rx', '040e0401030c00', 1_600_000_001_999_999],
        [3, 'acl', 'rx', '022a200200aabb', 1_600_000_002_000_000],
      ]);
    });
  }

  it('nanosecond magic: fraction is nanoseconds', () => {
    const file = pcapFile('little', 201, [{ seconds: 10, fraction: 123_456_789, data: withPhdr(false, RESET) }], true);
    expect([...readCapture(file)][0].timestampUs).toBe(10_123_456);
  });

  it('LINKTYPE 187 (no direction): commands tx, events rx, data rx marked inferred', () => {
    const file = pcapFile('big', LINKTYPE.BLUETOOTH_HCI_H4, [
      { seconds: 0, fraction: 0, data: Uint8Array.from(RESET) },
      { seconds: 0, fraction: 0, data: Uint8Array.from(COMPLETE) },
      { seconds: 0, fraction: 0, data: Uint8Array.from(ACL) },
    ]);
    expect([...readCapture(file)].map((r) => [r.direction, r.directionInferred ?? false])).toEqual([
      ['tx', false],
      ['rx', false],
      ['rx', true],
    ]);
  });

  it('LINKTYPE 254 (Linux monitor): opcode gives type and direction, other opcodes skipped', () => {
    const mon = (opcode: number, data: number[]) => Uint8Array.from([0, 0, 0, opcode, ...data]);
    const file = pcapFile('little', LINKTYPE.BLUETOOTH_LINUX_MONITOR, [
      { seconds: 0, fraction: 0, data: mon(8, []) },
      { seconds: 0, fraction: 0, data: mon(2, RESET.slice(1)) },
      { seconds: 0, fraction: 0, data: mon(4, ACL.slice(1)) },
      { seconds: 0, fraction: 0, data: Uint8Array.of(0, 0) },
    ]);
    const { records, stats } = readCaptureWithStats(file);
    expect(records.map((r) => [r.frame, r.kind, r.direction, hex(r.h4)])).toEqual([
      [2, 'command', 'tx', '01030c00'],
      [3, 'acl', 'tx', '022a200200aabb'],
    ]);
    expect(stats.skippedByWhat).toEqual({ 'monitor OPEN_INDEX': 1, 'packet shorter than its monitor header': 1 });
  });

  it('packet shorter than the direction header, or with nothing after it, is skipped', () => {
    const file = pcapFile('big', 201, [
      { seconds: 0, fraction: 0, data: Uint8Array.of(0, 0) },
      { seconds: 0, fraction: 0, data: withPhdr(true, []) },
    ]);
    const { records, stats } = readCaptureWithStats(file);
    expect(records).toHaveLength(0);
    expect(stats.skipped).toBe(2);
  });

  it('snap length cut: captured < original marks the record cut', () => {
    const file = pcapFile('big', 201, [{ seconds: 0, fraction: 0, data: withPhdr(true, ACL.slice(0, 4)), originalLength: 11 }]);
    expect([...readCapture(file)][0].cut).toBe(true);
  });

  it('Ethernet link type: DecodeError at offset 20', () => {
    const e = (() => {
      try {
        readCapture(pcapFile('big', 1, []));
      } catch (err) {
        return err as DecodeError;
      }
    })();
    expect(e).toBeInstanceOf(DecodeError);
    expect(e?.offset).toBe(20);
  });

  it('truncated record: stops (lenient) or throws at the record offset (strict)', () => {
    const file = pcapFile('big', 201, [
      { seconds: 0, fraction: 0, data: withPhdr(false, RESET) },
      { seconds: 0, fraction: 0, data: withPhdr(true, COMPLETE) },
    ]);
    const cut = file.subarray(0, file.length - 1);
    expect(readCaptureWithStats(cut).stats.truncated?.offset).toBe(24 + 16 + 8);
    expect(() => readCaptureWithStats(cut, { strict: true })).toThrow(DecodeError);
    expect(readCaptureWithStats(fromHex(hex(file.subarray(0, 24)))).records).toHaveLength(0);
  });
});
