/**
 * docs/conformance.md RB-RFCOMM: any remote input in any state never throws, every frame we send
 * is well formed, queues stay within their caps, and the session still answers a Test afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { decodeRfcommFrame, encodeMcc, encodeRfcommFrame } from '../../src/rfcomm/index.js';
import { arbFrame, arbMcc } from './support/arbitraries.js';
import { LowerTester, SID } from './support/lower-tester.js';

const GOOD = [
  '03 3f 01 1c',
  '03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70',
  '0b 3f 01 59',
  '03 ef 09 e3 05 0b 8d 70',
  '0b ff 01 05 86',
  '0b ef 07 61 62 63 9a',
  '0b 53 01 b8',
  '03 ef 07 93 03 0b 70',
  '03 ef 05 c3 01 70',
  '0b ff 07 03 61 62 63 86',
].map(fromHex);

const arbSdu = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.tuple(fc.constantFrom(...GOOD), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([g, at, v]) => {
    const b = Uint8Array.from(g);
    b[at % b.length] = v;
    return b;
  }),
  fc.constantFrom(...GOOD),
  arbFrame.filter((f) => f.info.length < 400 && [0, 1, 2, 3, 4, 62, 63].includes(f.dlci)).map(encodeRfcommFrame),
  fc.tuple(arbMcc, fc.boolean()).map(([m, cr]) => encodeRfcommFrame({ type: 'UIH', dlci: 0, cr, pf: false, info: encodeMcc(m).subarray(0, 600) })),
);

describe('RFCOMM robustness (docs/conformance.md RB-RFCOMM)', () => {
  it('arbitrary input in any state: no throw, well-formed output, bounded, still answers Test', () => {
    fc.assert(
      fc.property(fc.array(arbSdu, { maxLength: 30 }), fc.boolean(), (sdus, withDlc) => {
        const lt = withDlc ? LowerTester.withDlc({ maxControlFrames: 64 }).lt : LowerTester.responder({ maxControlFrames: 64 });
        for (const sdu of sdus) {
          expect(() => lt.rf.receive(SID, sdu, lt.now)).not.toThrow();
          if (lt.now % 3 === 0) lt.advance(7_000);
          lt.now++;
        }
        const out = lt.tx();
        expect(out.length).toBeLessThanOrEqual(64 + 40);
        for (const f of out) expect(wellFormed(fromHex(f))).toBe(true);
        lt.events();
        if (lt.rf.sessionInfo(SID)?.state === 'open') {
          lt.send('03 ef 0d 23 09 50 54 53 21 70');
          expect(lt.tx()).toContain('01 ef 0d 21 09 50 54 53 21 aa');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a flood of UIH to closed DLCIs is answered up to the control queue cap, then counted', () => {
    const lt = LowerTester.responder({ maxControlFrames: 8 });
    for (let i = 0; i < 20; i++) lt.send('1b ef 07 61 62 63 ' + hex(Uint8Array.of(encodeRfcommFrame({ type: 'UIH', dlci: 6, cr: true, pf: false, info: fromHex('616263') }).at(-1)!)));
    expect(lt.tx()).toHaveLength(8);
    expect(lt.rf.stats(SID)!.drops.controlOverflow).toBe(12);
    expect(lt.rf.stats(SID)!.dmSent).toBe(20);
  });
});

function wellFormed(b: Uint8Array): boolean {
  for (const credits of [true, false]) {
    try {
      decodeRfcommFrame(b, { credits });
      return true;
    } catch {
      // try the other credit interpretation
    }
  }
  return false;
}

describe('credit violations', () => {
  it('data while the peer holds no credit is dropped, counted and reported as a gap; the rest delivered', () => {
    const { lt, dlcId } = LowerTester.withDlc({ maxRxBytes: 2 * 127 });
    expect(lt.rf.dlcInfo(dlcId)!.rxCredits).toBe(2);
    lt.send('0b ef 07 61 62 63 9a');
    lt.send('0b ef 07 64 65 66 9a');
    lt.send('0b ef 07 67 68 69 9a');
    const events = lt.events();
    expect(events.filter((e) => e.type === 'dlc-data')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'dlc-dropped')).toEqual([
      { type: 'dlc-dropped', dlcId, bytes: 3, message: 'the peer sent 3 byte(s) while it held no credit (credit-based flow control): they were dropped' },
    ]);
    expect(lt.rf.dlcStats(dlcId)!.drops.noCredit).toBe(1);
    expect(lt.rf.dlcInfo(dlcId)!.rxCredits).toBe(0);
    lt.rf.consume(dlcId, 6, lt.now);
    expect(lt.tx()).toEqual(['09 ff 01 02 5c']);
  });
});

describe('a frame lost on the way (its L2CAP PDU cut short)', () => {
  it('a lost UIH on a DLC is reported with its length, spends the credit the peer spent and gives the credits of its octet', () => {
    const { lt, dlcId } = LowerTester.withDlc({ maxRxBytes: 4 * 127 });
    const before = lt.rf.dlcInfo(dlcId)!;
    // UIH, P/F = 1, length 3, credit octet 5: all that arrived of it.
    lt.rf.frameLost(SID, fromHex('0b ff 07 05'), lt.now);
    expect(lt.events().filter((e) => e.type === 'dlc-dropped')).toEqual([
      { type: 'dlc-dropped', dlcId, bytes: 3, message: 'a frame of 3 byte(s) was lost on the way (its ACL fragments did not fit together): a gap in what the channel received' },
    ]);
    expect(lt.rf.dlcInfo(dlcId)).toMatchObject({ rxCredits: before.rxCredits - 1, txCredits: before.txCredits + 5 });
    expect(lt.rf.dlcStats(dlcId)).toMatchObject({ drops: { lost: 1 }, bytesLost: 3 });
  });

  it('what does not show a UIH on an open DLC changes nothing: an MCC, a SABM, an unknown DLCI, a head too short', () => {
    const { lt, dlcId } = LowerTester.withDlc({ maxRxBytes: 4 * 127 });
    const before = lt.rf.dlcInfo(dlcId);
    for (const head of ['03 ef 09', '0b 3f 01', '0f ef 07', '0b', '0b ef']) lt.rf.frameLost(SID, fromHex(head), lt.now);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.dlcInfo(dlcId)).toEqual(before);
    expect(lt.rf.dlcStats(dlcId)!.drops.lost).toBe(0);
  });
});
