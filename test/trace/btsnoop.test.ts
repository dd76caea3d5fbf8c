import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, fromHex, hex } from '../../src/core/index.js';
import {
  BTSNOOP_DATALINK,
  BtsnoopWriter,
  btsnoopRecordLength,
  encodeBtsnoopHeader,
  encodeBtsnoopRecord,
  readCapture,
  readCaptureWithStats,
} from '../../src/trace/index.js';
import { h4Record, unencapsulatedRecord } from './arbitraries.js';

const HCI_RESET = fromHex('01030c00');
const COMMAND_COMPLETE_RESET = fromHex('040e0401030c00');
const EPOCH_DELTA_HEX = '00dcddb30f2f8000';

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('btsnoop golden vectors', () => {
  it('header for datalink 1002: "btsnoop\\0", version 1, 1002', () => {
    expect(hex(encodeBtsnoopHeader())).toBe('6274736e6f6f7000' + '00000001' + '000003ea');
    expect(hex(encodeBtsnoopHeader(BTSNOOP_DATALINK.HCI_UNENCAPSULATED))).toBe('6274736e6f6f7000' + '00000001' + '000003e9');
  });

  it('HCI_Reset sent at the Unix epoch: flags 2 (command, sent), drops 0, time = epoch delta', () => {
    const bytes = encodeBtsnoopRecord({ direction: 'tx', h4: HCI_RESET, timestampUs: 0 });
    expect(hex(bytes)).toBe('00000004' + '00000004' + '00000002' + '00000000' + EPOCH_DELTA_HEX + '01030c00');
    expect(bytes.length).toBe(btsnoopRecordLength({ direction: 'tx', h4: HCI_RESET }));
  });

  it('Command Complete received 1 s after the epoch: flags 3 (event, received)', () => {
    const bytes = encodeBtsnoopRecord({ direction: 'rx', h4: COMMAND_COMPLETE_RESET, timestampUs: 1_000_000 });
    expect(hex(bytes.subarray(0, 24))).toBe('00000007' + '00000007' + '00000003' + '00000000' + '00dcddb30f3ec240');
  });

  it('ACL received: flags 1 (data, received)', () => {
    const bytes = encodeBtsnoopRecord({ direction: 'rx', h4: fromHex('022a2004000000000001') });
    expect(hex(bytes.subarray(8, 12))).toBe('00000001');
  });

  it('datalink 1001 drops the H4 indicator and reads it back from the flags', () => {
    const bytes = encodeBtsnoopRecord({ direction: 'tx', h4: HCI_RESET }, BTSNOOP_DATALINK.HCI_UNENCAPSULATED);
    expect(hex(bytes.subarray(24))).toBe('030c00');
    const file = BtsnoopWriter.encodeFile(
      [
        { direction: 'tx', h4: HCI_RESET },
        { direction: 'rx', h4: COMMAND_COMPLETE_RESET },
        { direction: 'tx', h4: fromHex('022a000100ff') },
      ],
      BTSNOOP_DATALINK.HCI_UNENCAPSULATED,
    );
    const { records } = readCaptureWithStats(file);
    expect(records.map((r) => [r.kind, r.direction, hex(r.h4)])).toEqual([
      ['command', 'tx', '01030c00'],
      ['event', 'rx', '040e0401030c00'],
      ['acl', 'tx', '022a000100ff'],
    ]);
  });

  it('datalink 1001 refuses what it cannot represent', () => {
    expect(() => encodeBtsnoopRecord({ direction: 'tx', h4: fromHex('03000000') }, 1001)).toThrow(/1001 cannot hold sco/);
    expect(() => encodeBtsnoopRecord({ direction: 'rx', h4: HCI_RESET }, 1001)).toThrow(/command going rx/);
    expect(() => encodeBtsnoopRecord({ direction: 'tx', h4: new Uint8Array(0) })).toThrow(/empty packet/);
  });

  it('writer hands out the header once, before the first record', () => {
    const writer = new BtsnoopWriter();
    const first = writer.write('tx', HCI_RESET, 0);
    const second = writer.write('rx', COMMAND_COMPLETE_RESET, 5);
    expect(first.length).toBe(16 + 24 + 4);
    expect(second.length).toBe(24 + 7);
    const { records } = readCaptureWithStats(new Uint8Array([...first, ...second]));
    expect(records.map((r) => [r.frame, r.timestampUs])).toEqual([
      [1, 0],
      [2, 5],
    ]);
  });

  it('monitor datalink 2001: packet opcodes become H4, index events are skipped', () => {
    const header = fromHex('6274736e6f6f7000' + '00000001' + '000007d1');
    const rec = (opcode: number, data: string) => {
      const d = fromHex(data);
      return fromHex(hex(Uint8Array.of(0, 0, 0, d.length, 0, 0, 0, d.length, 0, 0, 0, opcode, 0, 0, 0, 0)) + EPOCH_DELTA_HEX + data);
    };
    const file = new Uint8Array([...header, ...rec(0, '0000' + '00'.repeat(14)), ...rec(2, '030c00'), ...rec(3, '0e0401030c00'), ...rec(5, '2a000100ff'), ...rec(12, '6869')]);
    const { records, stats } = readCaptureWithStats(file);
    expect(records.map((r) => [r.frame, r.kind, r.direction, hex(r.h4)])).toEqual([
      [2, 'command', 'tx', '01030c00'],
      [3, 'event', 'rx', '040e0401030c00'],
      [4, 'acl', 'rx', '022a000100ff'],
    ]);
    expect(stats.skippedByWhat).toEqual({ 'monitor NEW_INDEX': 1, 'monitor SYSTEM_NOTE': 1 });
  });
});

describe('btsnoop errors', () => {
  it('bad magic: DecodeError at offset 0', () => {
    const e = decodeError(() => readCapture(fromHex('6274736e6f6f7001000000010000 03ea')));
    expect(e.offset).toBe(0);
  });

  it('version 2: DecodeError at offset 8', () => {
    expect(decodeError(() => readCapture(fromHex('6274736e6f6f7000' + '00000002' + '000003ea'))).offset).toBe(8);
  });

  it('datalink 1004 (H5): DecodeError at offset 12', () => {
    expect(decodeError(() => readCapture(fromHex('6274736e6f6f7000' + '00000001' + '000003ec'))).offset).toBe(12);
  });

  it('header cut short: DecodeError', () => {
    expect(decodeError(() => readCapture(fromHex('6274736e6f6f7000' + '000000'))).reason).toMatch(/header needs 16/);
  });

  it('included length above original length: damage at the record offset + 4 (strict: DecodeError)', () => {
    const record = encodeBtsnoopRecord({ direction: 'tx', h4: HCI_RESET });
    record[3] = 3;
    const file = new Uint8Array([...encodeBtsnoopHeader(), ...record]);
    expect(decodeError(() => [...readCapture(file, { strict: true })]).offset).toBe(20);
    const { records, stats } = readCaptureWithStats(file);
    expect(records).toHaveLength(0);
    expect(stats.damage).toEqual([{ frame: 1, offset: 20, recordOffset: 16, reason: 'record 1: included length 4 exceeds original length 3' }]);
  });

  it('a record length of 0xFFFFFFFF: damage, and reading goes on at the next record header that chains', () => {
    const records = [HCI_RESET, COMMAND_COMPLETE_RESET, HCI_RESET, COMMAND_COMPLETE_RESET].map((h4, i) => ({ direction: i % 2 ? 'rx' : 'tx', h4, timestampUs: 1_700_000_000_000_000 + i }) as const);
    const file = BtsnoopWriter.encodeFile(records);
    const second = 16 + btsnoopRecordLength(records[0]);
    file.fill(0xff, second, second + 8);
    const { records: read, stats } = readCaptureWithStats(file);
    expect(stats.damage).toEqual([
      { frame: 2, offset: second + 4, recordOffset: second, reason: expect.stringMatching(/^record 2: included length 4294967295 is over 262144/), resumedAt: second + btsnoopRecordLength(records[1]) },
    ]);
    expect(read.map((r) => [r.frame, hex(r.h4)])).toEqual([
      [1, hex(HCI_RESET)],
      [3, hex(HCI_RESET)],
      [4, hex(COMMAND_COMPLETE_RESET)],
    ]);
  });

  it('truncated last record: reading stops and reports it; strict mode throws DecodeError with its offset', () => {
    const file = BtsnoopWriter.encodeFile([
      { direction: 'tx', h4: HCI_RESET },
      { direction: 'rx', h4: COMMAND_COMPLETE_RESET },
    ]);
    const cut = file.subarray(0, file.length - 2);
    const { records, stats } = readCaptureWithStats(cut);
    expect(records).toHaveLength(1);
    expect(stats.truncated?.offset).toBe(16 + 28);
    const e = decodeError(() => readCaptureWithStats(cut, { strict: true }));
    expect(e.offset).toBe(16 + 28);
    expect(e.reason).toMatch(/truncated/);
  });

  it('a record with included < original length is marked cut', () => {
    const record = encodeBtsnoopRecord({ direction: 'tx', h4: HCI_RESET });
    record[3] = 9;
    const { records, stats } = readCaptureWithStats(new Uint8Array([...encodeBtsnoopHeader(), ...record]));
    expect(records[0].cut).toBe(true);
    expect(stats.cut).toBe(1);
  });
});

describe('btsnoop properties', () => {
  it('round trip 1002: written records read back identical', () => {
    fc.assert(
      fc.property(fc.array(h4Record, { maxLength: 20 }), (input) => {
        const file = BtsnoopWriter.encodeFile(input);
        expect(file.length).toBe(16 + input.reduce((n, r) => n + btsnoopRecordLength(r), 0));
        const { records, stats } = readCaptureWithStats(file, { strict: true });
        expect(stats.skipped).toBe(0);
        expect(records.map((r) => ({ direction: r.direction, h4: r.h4, timestampUs: r.timestampUs }))).toEqual(
          input.map((r) => ({ direction: r.direction, h4: r.h4, timestampUs: r.timestampUs })),
        );
        expect(BtsnoopWriter.encodeFile(records)).toEqual(file);
      }),
      { numRuns: 150 },
    );
  });

  it('round trip 1001: commands, events and ACL read back identical', () => {
    fc.assert(
      fc.property(fc.array(unencapsulatedRecord, { maxLength: 20 }), (input) => {
        const file = BtsnoopWriter.encodeFile(input, 1001);
        const { records } = readCaptureWithStats(file, { strict: true });
        expect(records.map((r) => [r.direction, hex(r.h4), r.timestampUs])).toEqual(input.map((r) => [r.direction, hex(r.h4), r.timestampUs]));
      }),
      { numRuns: 150 },
    );
  });

  it('every strict prefix past the header: lenient keeps the whole records, strict throws DecodeError', () => {
    fc.assert(
      fc.property(fc.array(h4Record, { minLength: 1, maxLength: 5 }), fc.nat(), (input, at) => {
        const file = BtsnoopWriter.encodeFile(input);
        const ends = [16];
        for (const r of input) ends.push(ends[ends.length - 1] + btsnoopRecordLength(r));
        const cut = 16 + (at % (file.length - 16));
        const prefix = file.subarray(0, cut);
        const whole = ends.filter((e) => e <= cut).length - 1;
        const lenient = readCaptureWithStats(prefix);
        expect(lenient.records).toHaveLength(whole);
        if (ends.includes(cut)) {
          expect(lenient.stats.truncated).toBeUndefined();
        } else {
          expect(lenient.stats.truncated?.offset).toBe(ends[whole]);
          expect(() => readCaptureWithStats(prefix, { strict: true })).toThrow(DecodeError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
