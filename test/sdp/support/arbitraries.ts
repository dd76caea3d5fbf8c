/** fast-check arbitraries for SDP data elements and PDUs; lengths cross the 1/2-byte length boundary (255/256). */
import fc from 'fast-check';
import { Uuid } from '../../../src/core/index.js';
import { type AttributeIdItem, type DataElement, type LengthSize, type SdpPdu, dataElementLength } from '../../../src/sdp/index.js';

const lengthSize = fc.constantFrom<LengthSize | undefined>(undefined, 1, 2, 4);

export const uuidArb = fc
  .oneof(fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
  .map((b) => Uuid.fromBytes(b));

const bytesArb = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) },
);

/** Picks a length size that can hold `n` (or none). */
function fit(ls: LengthSize | undefined, n: number): LengthSize | undefined {
  if (ls === 1 && n > 0xff) return undefined;
  if (ls === 2 && n > 0xffff) return undefined;
  return ls;
}


const leaf: fc.Arbitrary<DataElement> = fc.oneof(
  fc.constant<DataElement>({ type: 'nil' }),
  fc.integer({ min: 0, max: 0xff }).map((value): DataElement => ({ type: 'uint', size: 1, value })),
  fc.integer({ min: 0, max: 0xffff }).map((value): DataElement => ({ type: 'uint', size: 2, value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value): DataElement => ({ type: 'uint', size: 4, value })),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value): DataElement => ({ type: 'uint', size: 8, value })),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): DataElement => ({ type: 'uint', size: 16, value })),
  fc.integer({ min: -128, max: 127 }).map((value): DataElement => ({ type: 'int', size: 1, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value): DataElement => ({ type: 'int', size: 2, value })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value): DataElement => ({ type: 'int', size: 4, value })),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((value): DataElement => ({ type: 'int', size: 8, value })),
  fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n }).map((value): DataElement => ({ type: 'int', size: 16, value })),
  uuidArb.map((value): DataElement => ({ type: 'uuid', value })),
  fc.boolean().map((value): DataElement => ({ type: 'bool', value })),
  fc.tuple(bytesArb, lengthSize).map(([bytes, ls]): DataElement => ({ type: 'text', bytes, lengthSize: fit(ls, bytes.length) })),
  fc.tuple(bytesArb, lengthSize).map(([bytes, ls]): DataElement => ({ type: 'url', bytes, lengthSize: fit(ls, bytes.length) })),
);

export const dataElementArb: fc.Arbitrary<DataElement> = fc.letrec<{ el: DataElement }>((tie) => ({
  el: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(fc.constantFrom<'sequence' | 'alternative'>('sequence', 'alternative'), fc.array(tie('el'), { maxLength: 6 }), lengthSize)
      .map(([type, items, ls]): DataElement => ({ type, items, lengthSize: fit(ls, items.reduce((n, it) => n + dataElementLength(it), 0)) })),
  ),
})).el;

export const continuationArb = fc.uint8Array({ maxLength: 16 });
const tid = fc.integer({ min: 0, max: 0xffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const patternArb = fc.array(uuidArb, { maxLength: 14 });
const idsArb = fc.array(
  fc.oneof(
    u16 as fc.Arbitrary<AttributeIdItem>,
    fc.tuple(u16, u16).map(([first, last]): AttributeIdItem => ({ first, last })),
  ),
  { maxLength: 8 },
);

export const sdpPduArb: fc.Arbitrary<SdpPdu> = fc.oneof(
  fc.record({ type: fc.constant('error-response' as const), transactionId: tid, errorCode: u16, info: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({
    type: fc.constant('service-search-request' as const),
    transactionId: tid,
    pattern: patternArb,
    patternLengthSize: lengthSize,
    maximumServiceRecordCount: u16,
    continuation: continuationArb,
  }),
  fc.record({
    type: fc.constant('service-search-response' as const),
    transactionId: tid,
    totalServiceRecordCount: u16,
    handles: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }),
    continuation: continuationArb,
  }),
  fc.record({
    type: fc.constant('service-attribute-request' as const),
    transactionId: tid,
    handle: fc.integer({ min: 0, max: 0xffffffff }),
    maximumAttributeByteCount: u16,
    attributeIds: idsArb,
    attributeIdsLengthSize: lengthSize,
    continuation: continuationArb,
  }),
  fc.record({ type: fc.constant('service-attribute-response' as const), transactionId: tid, attributeList: bytesArb, continuation: continuationArb }),
  fc.record({
    type: fc.constant('service-search-attribute-request' as const),
    transactionId: tid,
    pattern: patternArb,
    patternLengthSize: lengthSize,
    maximumAttributeByteCount: u16,
    attributeIds: idsArb,
    attributeIdsLengthSize: lengthSize,
    continuation: continuationArb,
  }),
  fc.record({ type: fc.constant('service-search-attribute-response' as const), transactionId: tid, attributeLists: bytesArb, continuation: continuationArb }),
  fc.record({
    type: fc.constant('unknown' as const),
    pduId: fc.oneof(fc.constant(0), fc.integer({ min: 8, max: 255 })),
    transactionId: tid,
    parameters: fc.uint8Array({ maxLength: 12 }),
  }),
);
