import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  associationModel,
  authenticationRequirements,
  IO_CAPABILITIES,
  ioCapabilityName,
  requiresBonding,
  requiresMitm,
  type IoCapability,
} from '../../src/security/index.js';

/**
 * Core v5.4 Vol 3 Part C §5.2.2.6 Table 5.7, written out row by row (initiator, responder):
 * model, who displays, who acts (types the passkey or answers yes/no).
 */
const TABLE_5_7: [IoCapability, IoCapability, string][] = [
  ['DisplayOnly', 'DisplayOnly', 'JustWorks none none'],
  ['DisplayOnly', 'DisplayYesNo', 'JustWorks none responder'],
  ['DisplayOnly', 'KeyboardOnly', 'PasskeyEntry initiator responder'],
  ['DisplayOnly', 'NoInputNoOutput', 'JustWorks none none'],
  ['DisplayYesNo', 'DisplayOnly', 'JustWorks none initiator'],
  ['DisplayYesNo', 'DisplayYesNo', 'NumericComparison both both'],
  ['DisplayYesNo', 'KeyboardOnly', 'PasskeyEntry initiator responder'],
  ['DisplayYesNo', 'NoInputNoOutput', 'JustWorks none initiator'],
  ['KeyboardOnly', 'DisplayOnly', 'PasskeyEntry responder initiator'],
  ['KeyboardOnly', 'DisplayYesNo', 'PasskeyEntry responder initiator'],
  ['KeyboardOnly', 'KeyboardOnly', 'PasskeyEntry none both'],
  ['KeyboardOnly', 'NoInputNoOutput', 'JustWorks none none'],
  ['NoInputNoOutput', 'DisplayOnly', 'JustWorks none none'],
  ['NoInputNoOutput', 'DisplayYesNo', 'JustWorks none responder'],
  ['NoInputNoOutput', 'KeyboardOnly', 'JustWorks none none'],
  ['NoInputNoOutput', 'NoInputNoOutput', 'JustWorks none none'],
];

const io = fc.constantFrom(...IO_CAPABILITIES);
const swap = (s: string) => (s === 'initiator' ? 'responder' : s === 'responder' ? 'initiator' : s);

describe('association model (Table 5.7)', () => {
  it('covers all 16 pairs once', () => {
    expect(new Set(TABLE_5_7.map(([a, b]) => `${a}/${b}`)).size).toBe(16);
  });

  it.each(TABLE_5_7)('MITM required: initiator %s, responder %s → %s', (initiator, responder, expected) => {
    const m = associationModel(initiator, responder, true);
    expect(`${m.model} ${m.display} ${m.input}`).toBe(expected);
    expect(m.authenticated).toBe(m.model !== 'JustWorks');
  });

  it.each(TABLE_5_7)('no MITM required: initiator %s, responder %s → Just Works', (initiator, responder) => {
    const m = associationModel(initiator, responder, false);
    expect(m).toEqual({ model: 'JustWorks', display: 'none', input: 'none', authenticated: false });
  });

  it('swapping the roles swaps who displays and who acts', () => {
    fc.assert(
      fc.property(io, io, (a, b) => {
        const ab = associationModel(a, b, true);
        const ba = associationModel(b, a, true);
        expect(ba.model).toBe(ab.model);
        expect(ba.display).toBe(swap(ab.display));
        expect(ba.input).toBe(swap(ab.input));
      }),
    );
  });

  it('a NoInputNoOutput side always gives Just Works', () => {
    fc.assert(fc.property(io, fc.boolean(), (other, mitm) => {
      expect(associationModel('NoInputNoOutput', other, mitm).model).toBe('JustWorks');
      expect(associationModel(other, 'NoInputNoOutput', mitm).model).toBe('JustWorks');
    }));
  });
});

describe('Authentication_Requirements (Vol 4 Part E §7.1.29)', () => {
  it('maps bonding and MITM to 0x00–0x05', () => {
    expect(authenticationRequirements('none', false)).toBe(0x00);
    expect(authenticationRequirements('none', true)).toBe(0x01);
    expect(authenticationRequirements('dedicated', false)).toBe(0x02);
    expect(authenticationRequirements('dedicated', true)).toBe(0x03);
    expect(authenticationRequirements('general', false)).toBe(0x04);
    expect(authenticationRequirements('general', true)).toBe(0x05);
  });
  it('reads the MITM and bonding bits back', () => {
    fc.assert(fc.property(fc.constantFrom('none', 'dedicated', 'general' as const), fc.boolean(), (b, m) => {
      const v = authenticationRequirements(b, m);
      expect(requiresMitm(v)).toBe(m);
      expect(requiresBonding(v)).toBe(b !== 'none');
    }));
  });
  it('names IO capability octets; reserved values count as NoInputNoOutput', () => {
    expect([0, 1, 2, 3].map(ioCapabilityName)).toEqual(['DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput']);
    expect(ioCapabilityName(0x04)).toBe('NoInputNoOutput');
  });
});
