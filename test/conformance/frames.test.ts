/** Frame builders and hex patterns of the conformance toolkit, against the catalogue's bytes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex } from '../../src/core/index.js';
import { aclPacket, l2capFrame, mcc, rfcommFrame, sdpPdu, signalCommand } from '../../src/conformance/frames.js';
import { fillPattern, matchPattern } from '../../src/conformance/hex-pattern.js';
import { mccPattern, rfcommPattern } from '../../src/conformance/scenario.js';

const h = (b: Uint8Array): string => hex(b, ' ');

describe('frame builders', () => {
  it('RFCOMM frames of the catalogue (R1, R7, R11, R14, R16, R25)', () => {
    expect(h(rfcommFrame({ dlci: 0, control: 'SABM', pf: 1 }))).toBe('03 3f 01 1c');
    expect(h(rfcommFrame({ dlci: 2, control: 'SABM', pf: 1 }))).toBe('0b 3f 01 59');
    expect(h(rfcommFrame({ dlci: 2, control: 'UIH', pf: 1, credit: 5 }))).toBe('0b ff 01 05 86');
    expect(h(rfcommFrame({ dlci: 2, control: 'UIH', pf: 1 }))).toBe('0b ff 01 86');
    expect(h(rfcommFrame({ dlci: 2, control: 'UIH', info: '616263', fcs: 'wrong' }))).toBe('0b ef 07 61 62 63 65');
    expect(h(rfcommFrame({ dlci: 2, control: 'UIH', info: '616263', length: 10 }))).toBe('0b ef 15 61 62 63 9a');
    expect(h(rfcommFrame({ dlci: 2, control: 'UIH', info: '61', longLength: true, fcs: 0x12 }))).toBe('0b ef 02 00 61 12');
  });

  it('MCCs of the catalogue (R3 PN, R17 NSC trigger, R26)', () => {
    expect(h(rfcommFrame({ dlci: 0, control: 'UIH', info: mcc({ type: 'PN', value: '02 f0 07 00 7f 00 00 07' }) }))).toBe('03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70');
    expect(h(mcc({ type: 0xc3, rawType: true, value: '' }))).toBe('c3 01');
    expect(h(mcc({ type: 'MSC', value: '0b 8d', length: 20 }))).toBe('e3 29 0b 8d');
    expect(h(mcc({ type: 'TEST', cr: 0, value: new Uint8Array(130) })).slice(0, 8)).toBe('21 04 01');
  });

  it('the pattern forms give the bytes the builders give', () => {
    const ctx = { dlci: 2 };
    expect(rfcommPattern({ dlci: 'dlc', control: 'UA', pf: 1 }, ctx)).toBe('0b 73 01 92');
    expect(mccPattern({ type: 'NSC', cr: 0, value: 'c3' }, false, ctx)).toBe('01 ef 07 11 03 c3 aa');
  });

  it('ACL, L2CAP, signaling and SDP with their length fields as given', () => {
    expect(h(aclPacket({ handle: 0x0b, pb: 1, data: 'deadbeef' }))).toBe('02 0b 10 04 00 de ad be ef');
    expect(h(aclPacket({ handle: 0x0b, bc: 1, data: '00', length: 9 }))).toBe('02 0b 60 09 00 00');
    expect(h(l2capFrame({ cid: 1, payload: signalCommand({ code: 0x08, identifier: 0x77, data: 'abcd' }) }))).toBe('06 00 01 00 08 77 02 00 ab cd');
    expect(h(signalCommand({ code: 0x02, identifier: 5, data: '00', length: 1 }))).toBe('02 05 01 00 00');
    expect(h(sdpPdu({ pduId: 2, transactionId: 2, parameters: '35031901000a00', parameterLength: 16 }))).toBe('02 00 02 00 10 35 03 19 01 00 0a 00');
  });
});

describe('hex patterns', () => {
  it('??, [lo-hi], * and <name> captures', () => {
    const c = new Map<string, number>();
    expect(matchPattern('03 ?? <a> [00-7f] *', Uint8Array.of(3, 9, 0x40, 0x7f, 1, 2), c)).toBe(true);
    expect(c.get('a')).toBe(0x40);
    expect(matchPattern('<a> <a>', Uint8Array.of(0x40, 0x41), c)).toBe(false);
    expect(matchPattern('[00-7f]', Uint8Array.of(0x80))).toBe(false);
    expect(matchPattern('01 02', Uint8Array.of(1, 2, 3))).toBe(false);
    expect(matchPattern('01 02 *', Uint8Array.of(1, 2))).toBe(true);
    expect(h(fillPattern('06 <a> 0102', c))).toBe('06 40 01 02');
    expect(() => fillPattern('<b>', c)).toThrow(/nothing was captured as <b>/);
    expect(() => matchPattern('* 01', Uint8Array.of(1))).toThrow(/must come last/);
    expect(() => matchPattern('0g', Uint8Array.of(1))).toThrow(/not an octet/);
  });

  it('a pattern of the exact bytes matches them and no other byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), (a, b) => {
        const p = hex(a, ' ');
        expect(matchPattern(p, b)).toBe(hex(a) === hex(b));
      }),
    );
  });
});
