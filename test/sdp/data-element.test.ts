import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, Uuid, fromHex, hex } from '../../src/core/index.js';
import {
  type DataElement,
  dataElementLength,
  dataElementsEqual,
  de,
  decodeDataElement,
  describeDataElement,
  encodeDataElement,
  encodeDataElementInto,
} from '../../src/sdp/index.js';
import { dataElementArb } from './support/arbitraries.js';

/** Hand-built from Core v5.4 Vol 3 Part B §3.2 (type descriptors) and §3.3 (size indices). */
const GOLDEN: [string, string, DataElement][] = [
  ['nil', '00', de.nil()],
  ['uint8', '08 12', de.uint8(0x12)],
  ['uint16', '09 12 34', de.uint16(0x1234)],
  ['uint32', '0a 00 01 00 00', de.uint32(0x00010000)],
  ['uint64', '0b 01 02 03 04 05 06 07 08', de.uint64(0x0102030405060708n)],
  ['uint128', '0c ff ee dd cc bb aa 99 88 77 66 55 44 33 22 11 00', de.uint128(0xffeeddccbbaa99887766554433221100n)],
  ['int8 -1', '10 ff', de.int8(-1)],
  ['int16 -2', '11 ff fe', de.int16(-2)],
  ['int32 min', '12 80 00 00 00', de.int32(-(2 ** 31))],
  ['int64 -1', '13 ff ff ff ff ff ff ff ff', de.int64(-1n)],
  ['int128 1', '14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01', de.int128(1n)],
  ['uuid16 SerialPort', '19 11 01', de.uuid16(0x1101)],
  ['uuid32', '1a 00 00 11 01', de.uuid(Uuid.from32(0x1101))],
  ['uuid128', '1c 00 00 11 01 00 00 10 00 80 00 00 80 5f 9b 34 fb', de.uuid(Uuid.parse('00001101-0000-1000-8000-00805f9b34fb'))],
  ['text, 1-byte length', '25 03 43 4f 4d', de.text('COM', 1)],
  ['text, 2-byte length', '26 00 03 43 4f 4d', de.text('COM', 2)],
  ['text, 4-byte length', '27 00 00 00 03 43 4f 4d', de.text('COM', 4)],
  ['bool true', '28 01', de.bool(true)],
  ['bool false', '28 00', de.bool(false)],
  ['sequence, 1-byte length', '35 03 19 11 01', { type: 'sequence', items: [de.uuid16(0x1101)], lengthSize: 1 }],
  ['sequence, 2-byte length', '36 00 03 19 11 01', { type: 'sequence', items: [de.uuid16(0x1101)], lengthSize: 2 }],
  ['sequence, 4-byte length', '37 00 00 00 03 19 11 01', { type: 'sequence', items: [de.uuid16(0x1101)], lengthSize: 4 }],
  ['empty alternative', '3d 00', { type: 'alternative', items: [], lengthSize: 1 }],
  ['url', '45 05 68 74 74 70 3a', de.url('http:', 1)],
  [
    'SPP ProtocolDescriptorList',
    '35 0c 35 03 19 01 00 35 05 19 00 03 08 03',
    de.sequence(de.sequence(de.uuid16(0x0100)), de.sequence(de.uuid16(0x0003), de.uint8(3))),
  ],
];

describe('data element golden vectors (§3)', () => {
  it.each(GOLDEN)('%s', (_name, h, el) => {
    const bytes = fromHex(h);
    expect(hex(encodeDataElement(el), ' ')).toBe(h);
    expect(dataElementLength(el)).toBe(bytes.length);
    const back = decodeDataElement(bytes);
    expect(dataElementsEqual(back, el)).toBe(true);
    expect(hex(encodeDataElement(back), ' ')).toBe(h);
  });

  it('describes a record value on one line', () => {
    expect(describeDataElement(decodeDataElement(fromHex('35 0c 35 03 19 01 00 35 05 19 00 03 08 03')))).toBe(
      'seq[seq[uuid 0x0100], seq[uuid 0x0003, uint8 0x3]]',
    );
  });

  it('picks the smallest length field when none is given', () => {
    expect(hex(encodeDataElement(de.text('x'.repeat(255))).subarray(0, 2))).toBe('25ff');
    expect(hex(encodeDataElement(de.text('x'.repeat(256))).subarray(0, 3))).toBe('260100');
    expect(hex(encodeDataElement(de.text('x'.repeat(65536))).subarray(0, 5))).toBe('2700010000');
  });

  it('refuses to encode what cannot be encoded', () => {
    expect(() => encodeDataElement(de.text('x'.repeat(256), 1))).toThrow(/length field/);
    expect(() => encodeDataElement(de.uint8(256))).toThrow(/out of range/);
    expect(() => encodeDataElement(de.int8(-129))).toThrow(/out of range/);
    expect(() => encodeDataElement(de.uint16(1.5))).toThrow(/not an integer/);
  });

  it('encodes into a larger buffer at an offset', () => {
    const out = new Uint8Array(8).fill(0xaa);
    expect(encodeDataElementInto(de.uuid16(0x1101), out, 2)).toBe(3);
    expect(hex(out, ' ')).toBe('aa aa 19 11 01 aa aa aa');
  });
});

/** One vector per decoding error. */
const BAD: [string, string][] = [
  ['empty input', ''],
  ['reserved type 9', '48 00'],
  ['reserved type 31', 'f8'],
  ['nil with size index 1', '01'],
  ['uint with size index 5', '0d 01 00'],
  ['UUID with size index 0', '18 11'],
  ['UUID with size index 3', '1b 00 00 00 00 00 00 00 00'],
  ['text with size index 0', '20 41'],
  ['bool with size index 1', '29 00 01'],
  ['bool value 2', '28 02'],
  ['sequence with size index 0', '30 00'],
  ['sequence longer than the bytes', '35 05 19 11 01'],
  ['element reaching past its sequence', '35 02 19 11 01'],
  ['text longer than the bytes', '25 09 41'],
  ['4-byte length beyond the bytes', '27 ff ff ff ff 41'],
  ['truncated uint32', '0a 00 01'],
  ['trailing byte', '08 01 00'],
];

describe('data element decoding errors', () => {
  it.each(BAD)('%s', (_name, h) => {
    expect(() => decodeDataElement(fromHex(h))).toThrow(DecodeError);
  });
});

/** `depth` sequences, each holding the next, the innermost empty; 4-byte lengths so any depth fits. */
function nested(depth: number): Uint8Array {
  let inner = new Uint8Array(0);
  for (let i = 0; i < depth; i++) {
    const n = inner.length;
    const outer = new Uint8Array(5 + n);
    outer.set([0x37, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    outer.set(inner, 5);
    inner = outer;
  }
  return inner;
}

describe('nesting cap (S6)', () => {
  it('accepts 32 levels and refuses 33 by default', () => {
    expect(decodeDataElement(nested(32)).type).toBe('sequence');
    expect(() => decodeDataElement(nested(33))).toThrow(/nesting deeper than 32/);
  });
  it('refuses 1500 levels without blowing the stack', () => {
    expect(() => decodeDataElement(nested(1500))).toThrow(DecodeError);
  });
  it('honours a configured cap', () => {
    expect(() => decodeDataElement(nested(3), { maxNesting: 2 })).toThrow(DecodeError);
    expect(decodeDataElement(nested(100), { maxNesting: 100 }).type).toBe('sequence');
  });
});

describe('data element properties', () => {
  it('round trip: decode(encode(x)) equals x and re-encodes byte for byte', () => {
    fc.assert(
      fc.property(dataElementArb, (el) => {
        const bytes = encodeDataElement(el);
        expect(bytes.length).toBe(dataElementLength(el));
        const back = decodeDataElement(bytes, { maxNesting: 1000 });
        expect(dataElementsEqual(back, el)).toBe(true);
        expect(hex(encodeDataElement(back))).toBe(hex(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('every strict prefix fails', () => {
    fc.assert(
      fc.property(dataElementArb, (el) => {
        const bytes = encodeDataElement(el);
        for (let n = 0; n < bytes.length; n++) expect(() => decodeDataElement(bytes.subarray(0, n), { maxNesting: 1000 })).toThrow(DecodeError);
      }),
      { numRuns: 100 },
    );
  });

  it('totality: arbitrary bytes decode or throw DecodeError, and what decodes re-encodes to the same bytes', () => {
    const headerBiased = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x35, 0x36, 0x37, 0x3d, 0x19, 0x1c, 0x25, 0x08, 0x09, 0x00, 0x28)),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), headerBiased.map((a) => Uint8Array.from(a))), (bytes) => {
        try {
          const el = decodeDataElement(bytes);
          expect(hex(encodeDataElement(el))).toBe(hex(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
