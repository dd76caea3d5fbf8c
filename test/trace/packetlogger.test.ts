import { describe, expect, it } from 'vitest';
import { DecodeError, hex } from '../../src/core/index.js';
import { PACKETLOGGER_TYPE, readCaptureWithStats } from '../../src/trace/index.js';
import { pklgFile, type Endian } from './capture-builders.js';

const u = (...b: number[]) => Uint8Array.from(b);

describe('PacketLogger', () => {
  for (const endian of ['big', 'little'] as Endian[]) {
    it(`${endian}-endian lengths: HCI types become H4, others are skipped`, () => {
      const file = pklgFile(endian, [
        { type: PACKETLOGGER_TYPE.POWER, seconds: 1, microseconds: 0, payload: u(0x4f, 0x4e) },
        { type: PACKETLOGGER_TYPE.HCI_COMMAND, seconds: 1_570_701_151, microseconds: 599_560, payload: u(0x03, 0x0c, 0x00) },
        { type: PACKETLOGGER_TYPE.HCI_EVENT, seconds: 1_570_701_151, microseconds: 600_000, payload: u(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00) },
        { type: PACKETLOGGER_TYPE.SENT_ACL_DATA, seconds: 2, microseconds: 0, payload: u(0x2a, 0x20, 0x00, 0x00) },
        { type: PACKETLOGGER_TYPE.RECV_ACL_DATA, seconds: 2, microseconds: 0, payload: u(0x2a, 0x20, 0x00, 0x00) },
        { type: PACKETLOGGER_TYPE.SENT_SCO_DATA, seconds: 2, microseconds: 0, payload: u(0x01, 0x00, 0x00) },
        { type: PACKETLOGGER_TYPE.RECV_SCO_DATA, seconds: 2, microseconds: 0, payload: u(0x01, 0x00, 0x00) },
        { type: PACKETLOGGER_TYPE.NOTE, seconds: 3, microseconds: 0, payload: u(0x68, 0x69, 0x00) },
        { type: PACKETLOGGER_TYPE.LMP_SEND, seconds: 3, microseconds: 0, payload: u(0xf0, 0x01) },
      ]);
      const { format, records, stats } = readCaptureWithStats(file, { strict: true });
      expect(format).toBe('packetlogger');
      expect(records.map((r) => [r.frame, r.kind, r.direction, hex(r.h4)])).toEqual([
        [2, 'command', 'tx', '01030c00'],
        [3, 'event', 'rx', '040e0401030c00'],
        [4, 'acl', 'tx', '022a200000'],
        [5, 'acl', 'rx', '022a200000'],
        [6, 'sco', 'tx', '03010000'],
        [7, 'sco', 'rx', '03010000'],
      ]);
      expect(records[0].timestampUs).toBe(1_570_701_151_599_560);
      expect(stats.skippedByWhat).toEqual({ 'PacketLogger POWER': 1, 'PacketLogger NOTE': 1, 'PacketLogger LMP_SEND': 1 });
    });
  }

  it('a record length below 9 after valid ones: damage at its offset (strict: DecodeError), then the next record that chains', () => {
    const good = pklgFile('big', [{ type: 0, seconds: 0, microseconds: 0, payload: u(0x03, 0x0c, 0x00) }]);
    const file = new Uint8Array([...good, ...good, ...good, ...good, ...good, ...good, ...good, ...good, 0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...good, ...good]);
    try {
      readCaptureWithStats(file, { strict: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).offset).toBe(8 * good.length);
    }
    const { records, stats } = readCaptureWithStats(file);
    expect(stats.damage).toEqual([{ frame: 9, offset: 8 * good.length, recordOffset: 8 * good.length, reason: expect.stringMatching(/^record 9: length 4/), resumedAt: 8 * good.length + 13 }]);
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
  });

  it('truncated last record: lenient stop, strict DecodeError', () => {
    const file = pklgFile('big', [
      { type: 0, seconds: 0, microseconds: 0, payload: u(0x03, 0x0c, 0x00) },
      { type: 1, seconds: 0, microseconds: 0, payload: u(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00) },
    ]);
    const cut = file.subarray(0, file.length - 3);
    const { records, stats } = readCaptureWithStats(cut);
    expect(records).toHaveLength(1);
    expect(stats.truncated?.offset).toBe(16);
    expect(() => readCaptureWithStats(cut, { strict: true })).toThrow(DecodeError);
  });
});
