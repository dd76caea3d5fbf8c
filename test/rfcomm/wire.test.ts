/** RFCOMM codecs: FCS, frames and MCCs — golden vectors (docs/conformance.md P1, P2, P5 and R1–R29) and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, fromHex, hex } from '../../src/core/index.js';
import {
  checkFcs,
  computeFcs,
  decodeMcc,
  decodeRfcommFrame,
  describeMcc,
  describeRfcommFrame,
  encodeMcc,
  encodeMccInto,
  encodeRfcommFrame,
  encodeRfcommFrameInto,
  mccLength,
  rfcommFrameLength,
  type Mcc,
} from '../../src/rfcomm/index.js';
import { arbFrame, arbMcc } from './support/arbitraries.js';

function decodesOrDecodeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
  }
}

describe('FCS (TS 07.10 CRC-8)', () => {
  it.each([
    ['03 3f 01', 0x1c],
    ['03 73 01', 0xd7],
    ['03 ef', 0x70],
    ['01 ef', 0xaa],
    ['0b ff', 0x86],
    ['19 ff', 0x49],
    ['89 ff', 0xf4],
    ['11 ff', 0xa3],
  ])('FCS of %s is %i', (octets, fcs) => {
    const b = fromHex(octets);
    expect(computeFcs(b)).toBe(fcs);
    expect(checkFcs(b, 0, b.length, fcs)).toBe(true);
    expect(checkFcs(b, 0, b.length, fcs ^ 1)).toBe(false);
  });
});

describe('RFCOMM frame golden vectors', () => {
  it('SABM DLCI 0 (R1)', () => {
    expect(decodeRfcommFrame(fromHex('03 3f 01 1c'))).toEqual({ type: 'SABM', dlci: 0, cr: true, pf: true, info: new Uint8Array(0) });
  });
  it('DM F=0 on DLCI 2 (R22)', () => {
    expect(hex(encodeRfcommFrame({ type: 'DM', dlci: 2, cr: true, pf: false, info: new Uint8Array(0) }), ' ')).toBe('0b 0f 01 66');
  });
  it('credit-only UIH frames from the captures', () => {
    for (const [h, dlci, credits] of [['19 ff 01 c8 49', 6, 0xc8], ['89 ff 01 01 f4', 34, 1], ['11 ff 01 05 a3', 4, 5]] as const) {
      const f = decodeRfcommFrame(fromHex(h));
      expect(f).toMatchObject({ type: 'UIH', dlci, pf: true, credits });
      expect(f.info.length).toBe(0);
      expect(hex(encodeRfcommFrame(f), ' ')).toBe(h);
    }
  });
  it('UIH with credits and data (R12)', () => {
    const f = decodeRfcommFrame(fromHex('0b ff 07 03 61 62 63 86'));
    expect(f).toMatchObject({ type: 'UIH', dlci: 2, cr: true, pf: true, credits: 3 });
    expect(hex(f.info)).toBe('616263');
    expect(describeRfcommFrame(f)).toBe('UIH dlci=2 cr=1 pf=1 credits=3 len=3');
  });
  it('without CBFC the octet after the length is data', () => {
    const f = decodeRfcommFrame(fromHex('0b ff 07 61 62 63 86'), { credits: false });
    expect(f.credits).toBeUndefined();
    expect(hex(f.info)).toBe('616263');
  });
  it('two-octet length (210 octets)', () => {
    const info = new Uint8Array(210).fill(0x5a);
    const b = encodeRfcommFrame({ type: 'UIH', dlci: 6, cr: false, pf: false, info });
    expect(hex(b.subarray(0, 4), ' ')).toBe('19 ef a4 01');
    expect(decodeRfcommFrame(b).info).toEqual(info);
  });
  it.each([
    ['R14 P/F=1 with no credit octet', '0b ff 01 86'],
    ['R16 bad FCS', '0b ef 07 61 62 63 65'],
    ['R25 length beyond the frame', '0b ef 15 61 62 63 9a'],
    ['frame shorter than 4 octets', '03 3f 01'],
    ['address EA = 0', '02 3f 01 1c'],
    ['unknown control field', '03 3e 01 1c'],
    ['length shorter than the frame', '0b ef 03 61 62 9a'],
  ])('%s → DecodeError', (_name, h) => {
    expect(() => decodeRfcommFrame(fromHex(h))).toThrow(DecodeError);
  });
});

describe('RFCOMM frame properties', () => {
  it('round trip, length = encoded length, Into at an offset', () => {
    fc.assert(
      fc.property(arbFrame, (f) => {
        const b = encodeRfcommFrame(f);
        expect(b.length).toBe(rfcommFrameLength(f));
        expect(decodeRfcommFrame(b)).toEqual(f);
        const out = new Uint8Array(b.length + 3);
        expect(encodeRfcommFrameInto(f, out, 3)).toBe(b.length);
        expect(out.subarray(3)).toEqual(b);
        expect(describeRfcommFrame(f)).not.toContain('\n');
      }),
      { numRuns: 200 },
    );
  });
  it('is total on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, credits) => decodesOrDecodeError(() => decodeRfcommFrame(b, { credits }))),
      { numRuns: 500 },
    );
  });
  it('every strict prefix fails', () => {
    fc.assert(
      fc.property(arbFrame, (f) => {
        const b = encodeRfcommFrame(f);
        for (const n of new Set([0, 1, 2, 3, b.length - 2, b.length - 1])) {
          if (n >= 0 && n < b.length) expect(() => decodeRfcommFrame(b.subarray(0, n))).toThrow(DecodeError);
        }
      }),
      { numRuns: 100 },
    );
  });
  it('a single bit flip in the header or the FCS is rejected', () => {
    fc.assert(
      fc.property(arbFrame, fc.nat(), fc.integer({ min: 0, max: 7 }), (f, at, bit) => {
        const b = encodeRfcommFrame(f);
        const headerEnd = 2 + (f.info.length > 127 || f.longLength ? 2 : 1);
        const positions = [...Array(headerEnd).keys(), b.length - 1];
        if (f.type === 'UI') for (let i = headerEnd; i < b.length - 1; i++) positions.push(i);
        const flipped = Uint8Array.from(b);
        flipped[positions[at % positions.length]] ^= 1 << bit;
        expect(() => decodeRfcommFrame(flipped)).toThrow(DecodeError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('MCC golden vectors', () => {
  const cases: [string, string, Mcc][] = [
    ['PN command (R3)', '83 11 02 f0 07 00 7f 00 00 07', { type: 'PN', cr: true, dlci: 2, frameType: 0, cl: 0xf, priority: 7, ackTimer: 0, n1: 127, maxRetransmissions: 0, k: 7 }],
    ['PN real N1 990', '83 11 02 f0 00 00 de 03 00 07', { type: 'PN', cr: true, dlci: 2, frameType: 0, cl: 0xf, priority: 0, ackTimer: 0, n1: 990, maxRetransmissions: 0, k: 7 }],
    ['MSC command (R10)', 'e3 05 0b 8d', { type: 'MSC', cr: true, dlci: 2, signals: 0x8d }],
    ['MSC response (R10)', 'e1 05 0b 8d', { type: 'MSC', cr: false, dlci: 2, signals: 0x8d }],
    ['MSC with break', 'e3 07 0b 8d 31', { type: 'MSC', cr: true, dlci: 2, signals: 0x8d, breakSignal: 0x31 }],
    ['RPN query (R19)', '93 03 0b', { type: 'RPN', cr: true, dlci: 2 }],
    ['RPN response (R19)', '91 11 0b 03 03 00 11 13 7f 3f', { type: 'RPN', cr: false, dlci: 2, params: { baudRate: 3, lineSettings: 3, flowControl: 0, xon: 0x11, xoff: 0x13, mask: 0x3f7f } }],
    ['RLS (R20)', '53 05 0b 03', { type: 'RLS', cr: true, dlci: 2, lineStatus: 3 }],
    ['Test (R18)', '23 09 50 54 53 21', { type: 'Test', cr: true, pattern: fromHex('50 54 53 21') }],
    ['FCoff (R21)', '63 01', { type: 'FCoff', cr: true }],
    ['FCon response (R21)', 'a1 01', { type: 'FCon', cr: false }],
    ['NSC (R17)', '11 03 c3', { type: 'NSC', cr: false, commandType: 0xc3 }],
    ['CLD kept raw (R17)', 'c3 01', { type: 'unknown', cr: true, code: 0x30, value: new Uint8Array(0) }],
  ];
  it.each(cases)('%s', (_name, h, mcc) => {
    expect(decodeMcc(fromHex(h))).toEqual(mcc);
    expect(hex(encodeMcc(mcc), ' ')).toBe(h);
    expect(describeMcc(mcc)).not.toContain('\n');
  });
  it('long Test pattern uses a two-octet EA length', () => {
    const pattern = new Uint8Array(300).map((_, i) => i & 0xff);
    const b = encodeMcc({ type: 'Test', cr: true, pattern });
    expect(hex(b.subarray(0, 3), ' ')).toBe('23 58 05'); // 300 = 0x2c | 2 << 7
    expect(decodeMcc(b)).toEqual({ type: 'Test', cr: true, pattern });
  });
  it.each([
    ['R26 length beyond the value', 'e3 29 0b 8d'],
    ['PN value too short', '83 0f 02 f0 07 00 7f 00 00'],
    ['MSC value too short', 'e3 03 0b'],
    ['RLS value too short', '53 03 0b'],
    ['type octet EA = 0', 'e2 05 0b 8d'],
    ['length never ends', '23 00 00 00 00'],
    ['empty', ''],
  ])('%s → DecodeError', (_name, h) => {
    expect(() => decodeMcc(fromHex(h))).toThrow(DecodeError);
  });
});

describe('MCC properties', () => {
  it('round trip and length = encoded length', () => {
    fc.assert(
      fc.property(arbMcc, (m) => {
        const b = encodeMcc(m);
        expect(b.length).toBe(mccLength(m));
        expect(decodeMcc(b)).toEqual(m);
        const out = new Uint8Array(b.length + 2);
        expect(encodeMccInto(m, out, 2)).toBe(b.length);
        expect(describeMcc(m)).not.toContain('\n');
      }),
      { numRuns: 200 },
    );
  });
  it('is total on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodesOrDecodeError(() => decodeMcc(b))), { numRuns: 1000 });
  });
  it('every strict prefix fails', () => {
    fc.assert(
      fc.property(arbMcc, (m) => {
        const b = encodeMcc(m);
        for (const n of new Set([0, 1, 2, b.length - 1])) if (n >= 0 && n < b.length) expect(() => decodeMcc(b.subarray(0, n))).toThrow(DecodeError);
      }),
      { numRuns: 200 },
    );
  });
  it('an MCC inside a frame survives the frame round trip', () => {
    fc.assert(
      fc.property(arbMcc.filter((m) => mccLength(m) <= 32767), fc.boolean(), (m, cr) => {
        const frame = encodeRfcommFrame({ type: 'UIH', dlci: 0, cr, pf: false, info: encodeMcc(m) });
        expect(decodeMcc(decodeRfcommFrame(frame).info)).toEqual(m);
      }),
      { numRuns: 100 },
    );
  });
});
