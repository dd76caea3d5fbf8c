/** PN negotiation rules (docs/conformance.md P6–P8) as properties of the pure functions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptPnResponse, answerPn, maxN1For, pnOffer, type PnLimits } from '../../src/rfcomm/pn-negotiation.js';

const arbLimits: fc.Arbitrary<PnLimits> = fc.record({
  l2capMtu: fc.integer({ min: 7, max: 65535 }),
  maxN1: fc.integer({ min: 1, max: 32767 }),
  creditBasedFlowControl: fc.boolean(),
  rxCredits: fc.integer({ min: 0, max: 7 }),
  maxRxBytes: fc.integer({ min: 1, max: 1 << 20 }),
  priority: fc.integer({ min: 0, max: 63 }),
});

describe('PN negotiation', () => {
  it('the responder keeps N1 within 1..limit, only lowers it, and takes CBFC only for CL 0xF', () => {
    fc.assert(
      fc.property(arbLimits, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 7 }), (limits, n1, cl, k) => {
        const { params, response } = answerPn(limits, { type: 'PN', cr: true, dlci: 2, frameType: 0, cl, priority: 7, ackTimer: 0, n1, maxRetransmissions: 0, k });
        expect(params.n1).toBeGreaterThanOrEqual(1);
        expect(params.n1).toBeLessThanOrEqual(maxN1For(limits, params.cbfc));
        expect(params.n1 + 5 + (params.cbfc ? 1 : 0)).toBeLessThanOrEqual(Math.max(limits.l2capMtu, 6 + 1));
        if (n1 > 0) expect(params.n1).toBeLessThanOrEqual(n1);
        expect(params.cbfc).toBe(limits.creditBasedFlowControl && cl === 0xf);
        expect(response).toMatchObject({ cr: false, dlci: 2, priority: 7, n1: params.n1, cl: params.cbfc ? 0xe : 0, k: params.rxCredits });
        expect(params.rxCredits * params.n1).toBeLessThanOrEqual(Math.max(limits.maxRxBytes, params.n1));
        expect(params.txCredits).toBe(params.cbfc ? k : 0);
      }),
      { numRuns: 500 },
    );
  });

  it('the initiator never takes an N1 above its offer, nor 0, nor CBFC it did not offer', () => {
    fc.assert(
      fc.property(arbLimits, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 7 }), (limits, n1, cl, k) => {
        const { offer, command } = pnOffer(limits, 6);
        expect(command.cl).toBe(limits.creditBasedFlowControl ? 0xf : 0);
        const params = acceptPnResponse(offer, { ...command, cr: false, cl, n1, k });
        expect(params.n1).toBeGreaterThanOrEqual(1);
        expect(params.n1).toBeLessThanOrEqual(offer.n1);
        expect(params.cbfc).toBe(offer.cbfc && cl === 0xe);
      }),
      { numRuns: 500 },
    );
  });
});
