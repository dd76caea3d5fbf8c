/**
 * Every pairing outcome maps to one failure code, whatever the words say (src/security/failure-reasons.ts):
 * the local cause wins over the status, a stored key offered turns 0x05/0x06 into 'stored-key-rejected',
 * and the status is kept beside the code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairingFailure } from '../../src/security/index.js';

describe('pairingFailure', () => {
  it.each([
    [0x05, {}, 'authentication-failed'],
    [0x05, { legacy: true }, 'authentication-failed'],
    [0x05, { storedKey: true }, 'stored-key-rejected'],
    [0x06, {}, 'key-missing'],
    [0x06, { legacy: true }, 'key-missing'],
    [0x06, { storedKey: true }, 'stored-key-rejected'],
    [0x18, {}, 'pairing-not-allowed'],
    [0x08, {}, 'peer-timeout'],
    [0x22, {}, 'peer-timeout'],
    [0x0c, {}, 'pairing-failed'],
  ] as const)('status %i with %o is %s', (status, ctx, failure) => {
    expect(pairingFailure(status, ctx)).toMatchObject({ failure, status });
  });

  it('a local cause names the failure whatever the status', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xff }), fc.constantFrom('rejected-by-user', 'user-timeout', 'not-pairable'), fc.boolean(), (status, cause, storedKey) => {
        const f = pairingFailure(status, { cause, storedKey });
        expect(f.failure).toBe(cause);
        expect(f.status).toBe(status);
        expect(f.reason).not.toBe('');
      }),
    );
  });
});
