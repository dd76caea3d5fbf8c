/** src/core/uuid.ts: 16-, 32- and 128-bit UUIDs and the Bluetooth base UUID (Core v5.4 Vol 3 Part B §2.5.1). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, BASE_UUID, DecodeError, UUID16, Uuid, fromHex, hex } from '../../src/core/index.js';

const SPP_128 = '00001101-0000-1000-8000-00805f9b34fb';

describe('Uuid', () => {
  it('keeps the size it was given, big-endian', () => {
    expect(Uuid.from16(UUID16.SerialPort).size).toBe(2);
    expect(hex(Uuid.from16(0x1101).bytes)).toBe('1101');
    expect(hex(Uuid.from32(0x12345678).bytes)).toBe('12345678');
    expect(Uuid.parse(SPP_128).size).toBe(16);
    expect(Uuid.fromBytes(fromHex('11 01')).toString()).toBe('0x1101');
  });

  it('expands 16- and 32-bit values onto the base UUID', () => {
    expect(hex(BASE_UUID)).toBe('0000000000001000800000805f9b34fb');
    expect(Uuid.from16(0x1101).to128()).toEqual(Uuid.parse(SPP_128).bytes);
    expect(Uuid.from32(0x00001101).to128()).toEqual(Uuid.parse(SPP_128).bytes);
    expect(Uuid.from32(0x12345678).to128()).toEqual(fromHex('12345678 0000 1000 8000 00805f9b34fb'));
  });

  it('compares by 128-bit value across sizes', () => {
    const a = Uuid.from16(0x1101);
    expect(a.equals(Uuid.from32(0x1101))).toBe(true);
    expect(a.equals(Uuid.parse(SPP_128))).toBe(true);
    expect(a.equals(Uuid.parse('0x1102'))).toBe(false);
    expect(a.equals(Uuid.parse('00001101-0000-1000-8000-00805f9b34fc'))).toBe(false);
    expect(Uuid.from32(0x00011101).equals(a)).toBe(false);
  });

  it('short() gives the shortest form on the base UUID, and leaves other UUIDs alone', () => {
    expect(Uuid.parse(SPP_128).short().toString()).toBe('0x1101');
    expect(Uuid.from32(0x1101).short().size).toBe(2);
    expect(Uuid.parse('12345678-0000-1000-8000-00805f9b34fb').short().toString()).toBe('0x12345678');
    const custom = Uuid.parse('8ce255c0-200a-11e0-ac64-0800200c9a66');
    expect(custom.short()).toBe(custom);
  });

  it('parses the written forms and prints 128-bit UUIDs dashed', () => {
    expect(Uuid.parse('1101').toString()).toBe('0x1101');
    expect(Uuid.parse(' 0X1101 ').toString()).toBe('0x1101');
    expect(Uuid.parse('00001101').size).toBe(4);
    expect(Uuid.parse(SPP_128.replace(/-/g, '')).toString()).toBe(SPP_128);
    expect(Uuid.parse(SPP_128.toUpperCase()).toString()).toBe(SPP_128);
    expect(JSON.stringify({ u: Uuid.from16(3) })).toBe('{"u":"0x0003"}');
  });

  it.each(['', '110', '11011', 'xyz1', '00001101-0000-1000-8000-00805f9b34f', 'g0001101-0000-1000-8000-00805f9b34fb'])('refuses %j', (s) => {
    expect(() => Uuid.parse(s)).toThrow(ArgumentError);
  });

  it('fromBytes takes 2, 4 or 16 bytes (DecodeError otherwise) and copies them', () => {
    for (const n of [0, 1, 3, 8, 17]) expect(() => Uuid.fromBytes(new Uint8Array(n))).toThrow(DecodeError);
    const b = fromHex('11 01');
    const u = Uuid.fromBytes(b);
    b[0] = 0;
    expect(u.toString()).toBe('0x1101');
  });

  it('from16/from32 refuse values outside their width instead of truncating them', () => {
    expect(() => Uuid.from16(0x10000)).toThrow(ArgumentError);
    expect(() => Uuid.from16(-1)).toThrow(ArgumentError);
    expect(() => Uuid.from16(1.5)).toThrow(ArgumentError);
    expect(() => Uuid.from32(0x100000000)).toThrow(ArgumentError);
    expect(() => Uuid.from32(Number.NaN)).toThrow(/32-bit UUID is an integer 0\.\.0xffffffff/);
    expect(Uuid.from32(0xffffffff).toString()).toBe('0xffffffff');
  });

  it('round-trips: value → text → parse, bytes → fromBytes, and short() is equal', () => {
    const any = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map(Uuid.from16),
      fc.nat({ max: 0xffffffff }).map(Uuid.from32),
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map(Uuid.fromBytes),
    );
    fc.assert(
      fc.property(any, any, (u, v) => {
        expect(Uuid.parse(u.toString()).bytes).toEqual(u.bytes);
        expect(Uuid.fromBytes(u.bytes).equals(u)).toBe(true);
        expect(u.short().equals(u)).toBe(true);
        expect(u.short().size).toBeLessThanOrEqual(u.size);
        expect(u.equals(v)).toBe(hex(u.to128()) === hex(v.to128()));
      }),
    );
  });
});
