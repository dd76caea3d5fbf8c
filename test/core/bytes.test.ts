/** src/core/bytes.ts: integer helpers, hex, and the two cursors (bounds and errors). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  ByteReader,
  ByteWriter,
  DecodeError,
  bytesEqual,
  concat,
  fromHex,
  fromUtf8,
  hex,
  putU16be,
  putU16le,
  putU32be,
  putU32le,
  u16be,
  u16le,
  u32be,
  u32le,
  utf8,
} from '../../src/core/index.js';

describe('integer helpers', () => {
  it('read little- and big-endian values', () => {
    const b = fromHex('01 02 03 04');
    expect([u16le(b, 0), u16be(b, 0), u16le(b, 2)]).toEqual([0x0201, 0x0102, 0x0403]);
    expect([u32le(b, 0), u32be(b, 0)]).toEqual([0x04030201, 0x01020304]);
    expect(u32le(fromHex('ff ff ff ff'), 0)).toBe(0xffffffff);
    expect(u32be(fromHex('80 00 00 00'), 0)).toBe(0x80000000);
  });

  it('put/read round trip for every width and byte order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 3 }), (v16, v32, at) => {
        const b = new Uint8Array(at + 4);
        putU16le(b, at, v16);
        expect(u16le(b, at)).toBe(v16);
        putU16be(b, at, v16);
        expect(u16be(b, at)).toBe(v16);
        putU32le(b, at, v32);
        expect(u32le(b, at)).toBe(v32);
        putU32be(b, at, v32);
        expect(u32be(b, at)).toBe(v32);
      }),
    );
  });
});

describe('hex and fromHex', () => {
  it('formats lower case, with an optional separator', () => {
    expect(hex(fromHex('03 3F 01 1c'))).toBe('033f011c');
    expect(hex(Uint8Array.of(0, 0xab, 0xff), ' ')).toBe('00 ab ff');
    expect(hex(new Uint8Array(0), ' ')).toBe('');
  });

  it('ignores whitespace, colons and dashes', () => {
    expect(fromHex(' 00:1a-7D\n\tda ')).toEqual(Uint8Array.of(0x00, 0x1a, 0x7d, 0xda));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('names the first character that is not a hex digit, at its index', () => {
    const err = (s: string): DecodeError => {
      try {
        fromHex(s);
      } catch (e) {
        return e as DecodeError;
      }
      throw new Error(`fromHex(${JSON.stringify(s)}) did not throw`);
    };
    const zz = err('zz');
    expect(zz).toBeInstanceOf(DecodeError);
    expect(zz.offset).toBe(0);
    expect(zz.reason).toBe('"z" is not a hex digit (in "zz")');
    expect(zz.message).not.toMatch(/even/);
    expect(err('01 0g').offset).toBe(4);
    expect(err('01 0g').reason).toMatch(/^"g" is not a hex digit/);
    expect(err('0x12').reason).toMatch(/^"x" is not a hex digit/);
  });

  it('reports an odd number of digits as such', () => {
    expect(() => fromHex('abc')).toThrow(/odd number of hex digits \(3\)/);
    expect(() => fromHex('a b c')).toThrow(DecodeError);
  });

  it('round-trips any bytes, with or without a separator', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', ' ', ':', '-'), (b, sep) => {
        expect(fromHex(hex(b, sep))).toEqual(b);
        expect(fromHex(hex(b).toUpperCase())).toEqual(b);
      }),
    );
  });

  it('is total: a value or a DecodeError for any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        try {
          fromHex(s);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe('concat, bytesEqual, utf8', () => {
  it('concatenates in order and compares by content', () => {
    expect(concat()).toEqual(new Uint8Array(0));
    expect(concat(fromHex('01'), new Uint8Array(0), fromHex('02 03'))).toEqual(fromHex('01 02 03'));
    expect(bytesEqual(fromHex('01 02'), fromHex('01 02'))).toBe(true);
    expect(bytesEqual(fromHex('01 02'), fromHex('01 03'))).toBe(false);
    expect(bytesEqual(fromHex('01'), fromHex('01 00'))).toBe(false);
  });

  it('utf8 round-trips strings and replaces bad sequences instead of throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !s.startsWith('\ufeff')), (s) => {
        expect(fromUtf8(utf8(s))).toBe(s);
      }),
    );
    expect(fromUtf8(Uint8Array.of(0xff))).toBe('\ufffd');
    expect(fromUtf8(fromHex('ef bb bf 41'))).toBe('A');
  });
});

describe('ByteReader', () => {
  it('reads in order and tracks remaining', () => {
    const r = new ByteReader(fromHex('01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11'), 'test', 'thing');
    expect(r.u8()).toBe(0x01);
    expect(r.u16le()).toBe(0x0302);
    expect(r.u16be()).toBe(0x0405);
    expect(r.u24le()).toBe(0x080706);
    expect(r.u32le()).toBe(0x0c0b0a09);
    expect(r.u32be()).toBe(0x0d0e0f10);
    expect(r.remaining).toBe(1);
    expect(r.rest()).toEqual(fromHex('11'));
    expect(r.remaining).toBe(0);
    r.done();
  });

  it('throws DecodeError with layer, structure, offset and what was wanted when a read passes the end', () => {
    const r = new ByteReader(fromHex('01 02 03'), 'l2cap', 'frame', 1);
    r.u8();
    try {
      r.u16le('length');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect(e).toMatchObject({ layer: 'l2cap', structure: 'frame', offset: 2, reason: 'length needs 2 byte(s), 1 left' });
      expect((e as DecodeError).message).toBe('l2cap: cannot decode frame at offset 2: length needs 2 byte(s), 1 left');
    }
    expect(r.offset).toBe(2);
    expect(() => r.done()).toThrow(/1 trailing byte/);
    expect(() => r.bytesN(2)).toThrow(DecodeError);
    expect(r.u8()).toBe(3);
  });

  it('stays inside its window: end bounds reads even when the array goes on', () => {
    const r = new ByteReader(fromHex('aa bb cc dd'), 'test', 'window', 1, 3);
    expect(r.remaining).toBe(2);
    expect(() => r.u24le()).toThrow(DecodeError);
    expect(r.rest()).toEqual(fromHex('bb cc'));
    expect(() => r.u8()).toThrow(DecodeError);
  });

  it('refuses a window outside the array with a DecodeError', () => {
    const b = new Uint8Array(4);
    expect(() => new ByteReader(b, 'test', 'w', 0, 5)).toThrow(DecodeError);
    expect(() => new ByteReader(b, 'test', 'w', 3, 2)).toThrow(DecodeError);
    expect(() => new ByteReader(b, 'test', 'w', -1)).toThrow(DecodeError);
    expect(() => new ByteReader(b, 'test', 'w', 5)).toThrow(/window \[5, 4\) lies outside the 4-byte array/);
    expect(new ByteReader(b, 'test', 'w', 4).remaining).toBe(0);
  });

  it('bytesN and rest return views of the bytes read, not copies (received bytes are copied once, by their final reader)', () => {
    const b = fromHex('01 02 03 04');
    const r = new ByteReader(b, 'test', 'view', 1);
    const two = r.bytesN(2);
    const rest = r.rest();
    expect([two.buffer, two.byteOffset, two.length]).toEqual([b.buffer, b.byteOffset + 1, 2]);
    expect([rest.buffer, rest.byteOffset, rest.length]).toEqual([b.buffer, b.byteOffset + 3, 1]);
  });

  it('any read sequence over any bytes returns values or throws DecodeError, never reads past the end', () => {
    const op = fc.constantFrom('u8', 'u16le', 'u16be', 'u24le', 'u32le', 'u32be', 'bytes3') as fc.Arbitrary<string>;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.array(op, { maxLength: 8 }), (b, ops) => {
        const r = new ByteReader(b, 'test', 'fuzz');
        for (const o of ops) {
          const before = r.offset;
          try {
            if (o === 'bytes3') r.bytesN(3);
            else (r as unknown as Record<string, () => number>)[o]();
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
            expect(r.offset).toBe(before);
          }
          expect(r.offset).toBeLessThanOrEqual(b.length);
        }
      }),
    );
  });
});

describe('ByteWriter', () => {
  it('writes in order at an offset and returns the written prefix', () => {
    const w = new ByteWriter(new Uint8Array(20), 1);
    w.u8(0x1ff).u16le(0x0201).u16be(0x0304).u24le(0x070605).u32le(0x0b0a0908).u32be(0x0c0d0e0f).put(fromHex('10 11'));
    expect(w.offset).toBe(19);
    expect(hex(w.result(), ' ')).toBe('00 ff 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11');
    expect(ByteWriter.alloc(3).u8(1).result()).toEqual(fromHex('01'));
  });

  it('throws ArgumentError instead of writing past the end (no silent truncation)', () => {
    const widths: [string, (w: ByteWriter) => unknown, number][] = [
      ['u8', (w) => w.u8(1), 1],
      ['u16le', (w) => w.u16le(1), 2],
      ['u16be', (w) => w.u16be(1), 2],
      ['u24le', (w) => w.u24le(1), 3],
      ['u32le', (w) => w.u32le(1), 4],
      ['u32be', (w) => w.u32be(1), 4],
      ['put', (w) => w.put(new Uint8Array(5)), 5],
    ];
    for (const [name, write, n] of widths) {
      const w = new ByteWriter(new Uint8Array(n + 1), 2);
      expect(() => write(w), name).toThrow(ArgumentError);
      expect(w.offset, name).toBe(2);
      expect(w.bytes.every((x) => x === 0), name).toBe(true);
    }
    expect(() => ByteWriter.alloc(1).u8(1).u8(2)).toThrow(/writing 1 byte\(s\) at offset 1 passes the end of the 1-byte output buffer/);
  });

  it('refuses a start offset outside the buffer', () => {
    expect(() => new ByteWriter(new Uint8Array(2), 3)).toThrow(ArgumentError);
    expect(() => new ByteWriter(new Uint8Array(2), -1)).toThrow(ArgumentError);
    expect(new ByteWriter(new Uint8Array(2), 2).put(new Uint8Array(0)).offset).toBe(2);
  });

  it('writer then reader round-trips a mixed record', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }), fc.nat({ max: 0xffffff }), fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 9 }), (a, b, c, d, tail) => {
        const w = ByteWriter.alloc(1 + 2 + 2 + 3 + 4 + 4 + tail.length);
        w.u8(a).u16le(b).u16be(b).u24le(c).u32le(d).u32be(d).put(tail);
        const r = new ByteReader(w.result(), 'test', 'record');
        expect([r.u8(), r.u16le(), r.u16be(), r.u24le(), r.u32le(), r.u32be()]).toEqual([a, b, b, c, d, d]);
        expect(r.rest()).toEqual(tail);
        r.done();
      }),
    );
  });
});
