/** fast-check arbitraries for RFCOMM frames and MCCs, crossing the length boundaries on purpose. */
import fc from 'fast-check';
import { FRAME_TYPE, MCC_TYPE, type Mcc, type RfcommFrame, type RfcommFrameType } from '../../../src/rfcomm/index.js';

/** Lengths around 0, 127/128 (one- vs two-octet length), N1 defaults and the 2^14 MCC boundary. */
export const boundaryLength = (max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(...[0, 1, 126, 127, 128, 129, 255, 256, 666, 990, 1015, 16383, 16384, 32767].filter((n) => n <= max)), fc.integer({ min: 0, max: Math.min(max, 300) }));

export const bytesOf = (len: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> =>
  len.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

export const arbFrame: fc.Arbitrary<RfcommFrame> = fc
  .record({
    type: fc.constantFrom(...(Object.keys(FRAME_TYPE) as RfcommFrameType[])),
    dlci: fc.integer({ min: 0, max: 63 }),
    cr: fc.boolean(),
    pf: fc.boolean(),
    info: bytesOf(boundaryLength(32767)),
    credits: fc.integer({ min: 0, max: 255 }),
    longLength: fc.boolean(),
  })
  .map(({ type, dlci, cr, pf, info, credits, longLength }): RfcommFrame => {
    const data = type === 'UIH' || type === 'UI' ? info : new Uint8Array(0);
    const withCredits = type === 'UIH' && pf && dlci !== 0;
    return {
      type,
      dlci,
      cr,
      pf,
      info: data,
      ...(withCredits ? { credits } : {}),
      ...(longLength && data.length <= 127 ? { longLength: true } : {}),
    } as RfcommFrame;
  });

const u8 = fc.integer({ min: 0, max: 255 });
const dlci = fc.integer({ min: 0, max: 63 });
const known = new Set<number>([MCC_TYPE.PN, MCC_TYPE.MSC, MCC_TYPE.RPN, MCC_TYPE.RLS, MCC_TYPE.Test, MCC_TYPE.FCon, MCC_TYPE.FCoff, MCC_TYPE.NSC]);

export const arbMcc: fc.Arbitrary<Mcc> = fc.oneof(
  fc.record({
    type: fc.constant('PN' as const),
    cr: fc.boolean(),
    dlci,
    frameType: fc.integer({ min: 0, max: 15 }),
    cl: fc.integer({ min: 0, max: 15 }),
    priority: fc.integer({ min: 0, max: 63 }),
    ackTimer: u8,
    n1: fc.integer({ min: 0, max: 0xffff }),
    maxRetransmissions: u8,
    k: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ type: fc.constant('MSC' as const), cr: fc.boolean(), dlci, signals: u8, breakSignal: u8 }, { requiredKeys: ['type', 'cr', 'dlci', 'signals'] }),
  fc.record(
    {
      type: fc.constant('RPN' as const),
      cr: fc.boolean(),
      dlci,
      params: fc.record({ baudRate: u8, lineSettings: u8, flowControl: u8, xon: u8, xoff: u8, mask: fc.integer({ min: 0, max: 0xffff }) }),
    },
    { requiredKeys: ['type', 'cr', 'dlci'] },
  ),
  fc.record({ type: fc.constant('RLS' as const), cr: fc.boolean(), dlci, lineStatus: u8 }),
  fc.record({ type: fc.constant('Test' as const), cr: fc.boolean(), pattern: bytesOf(boundaryLength(20000)) }),
  fc.record({ type: fc.constantFrom('FCon' as const, 'FCoff' as const), cr: fc.boolean() }),
  fc.record({ type: fc.constant('NSC' as const), cr: fc.boolean(), commandType: u8 }),
  fc.record({
    type: fc.constant('unknown' as const),
    cr: fc.boolean(),
    code: fc.integer({ min: 0, max: 63 }).filter((c) => !known.has(c)),
    value: bytesOf(boundaryLength(300)),
  }),
);
