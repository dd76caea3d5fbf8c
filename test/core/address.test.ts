/** src/core/address.ts: BD_ADDR parsing, canonical form and wire order (Core v5.4 Vol 2 Part B §1.2). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, BDADDR_ANY, DecodeError, bdAddrFromBytes, bdAddrToBytes, fromHex, hex, isBdAddr, parseBdAddr } from '../../src/core/index.js';

describe('BdAddr', () => {
  it('parses colon, dash and bare forms to the canonical upper-case colon form', () => {
    expect(parseBdAddr('00:1a:7d:da:71:13')).toBe('00:1A:7D:DA:71:13');
    expect(parseBdAddr('00-1A-7D-DA-71-13')).toBe('00:1A:7D:DA:71:13');
    expect(parseBdAddr('001a7dDA7113')).toBe('00:1A:7D:DA:71:13');
    expect(BDADDR_ANY).toBe('00:00:00:00:00:00');
  });

  it.each([
    ['', 'empty'],
    ['00:1A:7D:DA:71', 'five octets'],
    ['00:1A:7D:DA:71:13:00', 'seven octets'],
    ['00:1A:7D:DA:71:1G', 'a bad digit'],
    ['0:1A:7D:DA:71:13', 'a short octet'],
    [' 00:1A:7D:DA:71:13', 'leading space'],
    ['00:1A-7D:DA-71:13', 'mixed separators'],
    ['001A:7D:DA:71:13', 'a missing separator'],
    ['00:1A:7D:DA:71:13:', 'a trailing separator'],
  ])('refuses %j (%s) with an ArgumentError that shows the expected form', (text) => {
    expect(isBdAddr(text)).toBe(false);
    expect(() => parseBdAddr(text)).toThrow(ArgumentError);
    expect(() => parseBdAddr(text)).toThrow(/expected six hex octets such as 00:1A:7D:DA:71:13/);
  });

  it('sends the least significant octet first on the wire', () => {
    expect(hex(bdAddrToBytes('00:1A:7D:DA:71:13'), ' ')).toBe('13 71 da 7d 1a 00');
    expect(bdAddrFromBytes(fromHex('ff 13 71 da 7d 1a 00'), 1)).toBe('00:1A:7D:DA:71:13');
  });

  it('reading needs 6 bytes at a valid offset, else DecodeError', () => {
    expect(() => bdAddrFromBytes(new Uint8Array(5))).toThrow(DecodeError);
    expect(() => bdAddrFromBytes(new Uint8Array(8), 3)).toThrow(/needs 6 bytes at offset 3 of a 8-byte array/);
    expect(() => bdAddrFromBytes(new Uint8Array(8), -1)).toThrow(DecodeError);
  });

  it('bytes → address → bytes and text → canonical → text round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        const addr = bdAddrFromBytes(b);
        expect(isBdAddr(addr)).toBe(true);
        expect(parseBdAddr(addr)).toBe(addr);
        expect(bdAddrToBytes(addr)).toEqual(b);
        expect(parseBdAddr(addr.toLowerCase().replace(/:/g, '-'))).toBe(addr);
        expect(parseBdAddr(addr.replace(/:/g, ''))).toBe(addr);
      }),
    );
  });
});
