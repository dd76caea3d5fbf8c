import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, Uuid, fromHex, hex } from '../../src/core/index.js';
import {
  type SdpPdu,
  decodeSdpPdu,
  describeSdpPdu,
  encodeSdpPdu,
  encodeSdpPduInto,
  peekSdpHeader,
  sdpPduLength,
} from '../../src/sdp/index.js';
import { sdpPduArb } from './support/arbitraries.js';

const none: Uint8Array = new Uint8Array(0);
const spp = Uuid.from16(0x1101);

/** Hand-built from the PDU layouts of Core v5.4 Vol 3 Part B §4.4-4.7 (big-endian throughout). */
const GOLDEN: [string, string, SdpPdu][] = [
  ['S1 ErrorResponse invalid syntax', '01 00 2a 00 02 00 03', { type: 'error-response', transactionId: 0x2a, errorCode: 3, info: none }],
  [
    'ServiceSearchRequest for SerialPort (§4.5.1)',
    '02 00 00 00 08 35 03 19 11 01 00 03 00',
    { type: 'service-search-request', transactionId: 0, pattern: [spp], patternLengthSize: 1, maximumServiceRecordCount: 3, continuation: none },
  ],
  [
    'ServiceSearchResponse with one handle (§4.5.2)',
    '03 00 00 00 09 00 01 00 01 00 01 00 00 00',
    { type: 'service-search-response', transactionId: 0, totalServiceRecordCount: 1, handles: [0x00010000], continuation: none },
  ],
  [
    'ServiceAttributeRequest for ProtocolDescriptorList (§4.6.1)',
    '04 00 02 00 0c 00 01 00 00 00 07 35 03 09 00 04 00',
    {
      type: 'service-attribute-request',
      transactionId: 2,
      handle: 0x00010000,
      maximumAttributeByteCount: 7,
      attributeIds: [4],
      attributeIdsLengthSize: 1,
      continuation: none,
    },
  ],
  [
    'ServiceAttributeResponse with a continuation (§4.6.2)',
    '05 00 02 00 0a 00 05 35 03 19 01 00 02 ab cd',
    { type: 'service-attribute-response', transactionId: 2, attributeList: fromHex('35 03 19 01 00'), continuation: fromHex('ab cd') },
  ],
  [
    'ServiceSearchAttributeRequest, all attributes (§4.7.1)',
    '06 00 01 00 0f 35 03 19 11 01 00 07 35 05 0a 00 00 ff ff 00',
    {
      type: 'service-search-attribute-request',
      transactionId: 1,
      pattern: [spp],
      patternLengthSize: 1,
      maximumAttributeByteCount: 7,
      attributeIds: [{ first: 0, last: 0xffff }],
      attributeIdsLengthSize: 1,
      continuation: none,
    },
  ],
  [
    'ServiceSearchAttributeResponse, last piece (§4.7.2)',
    '07 00 01 00 08 00 05 35 03 09 00 00 00',
    { type: 'service-search-attribute-response', transactionId: 1, attributeLists: fromHex('35 03 09 00 00'), continuation: none },
  ],
  [
    'ContinuationState of 16 bytes',
    '07 00 01 00 13 00 00 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f',
    { type: 'service-search-attribute-response', transactionId: 1, attributeLists: none, continuation: fromHex('000102030405060708090a0b0c0d0e0f') },
  ],
  ['unknown PDU ID 0x75', '75 00 09 00 02 aa bb', { type: 'unknown', pduId: 0x75, transactionId: 9, parameters: fromHex('aa bb') }],
];

describe('SDP PDU golden vectors (§4)', () => {
  it.each(GOLDEN)('%s', (_name, h, pdu) => {
    const bytes = fromHex(h);
    expect(hex(encodeSdpPdu(pdu), ' ')).toBe(h);
    expect(sdpPduLength(pdu)).toBe(bytes.length);
    expect(decodeSdpPdu(bytes)).toEqual(pdu);
  });

  it('describes PDUs on one line', () => {
    expect(describeSdpPdu(decodeSdpPdu(fromHex(GOLDEN[0][1])))).toBe('Error-Rsp tid=42 code=0x0003 (Invalid request syntax)');
    expect(describeSdpPdu(decodeSdpPdu(fromHex(GOLDEN[5][1])))).toBe('SSA-Req tid=1 uuids=[0x1101] max=7 ids=0x0000-0xffff');
    expect(describeSdpPdu(decodeSdpPdu(fromHex(GOLDEN[4][1])))).toBe('SA-Rsp tid=2 bytes=5 cont=abcd');
  });

  it('reads a little-endian ErrorCode as the big-endian value it is (docs/conformance.md P20)', () => {
    const pdu = decodeSdpPdu(fromHex('01 00 01 00 02 02 00'));
    expect(pdu.type === 'error-response' && pdu.errorCode).toBe(0x0200);
    expect(describeSdpPdu(pdu)).toContain('reserved (0x0200)');
  });

  it('peeks the header of a PDU whose parameters cannot be trusted', () => {
    expect(peekSdpHeader(fromHex('06 12 34 ff ff'))).toEqual({ pduId: 6, transactionId: 0x1234, parameterLength: 0xffff });
    expect(peekSdpHeader(fromHex('06 12 34 ff'))).toBeUndefined();
  });

  it('refuses to encode a continuation longer than 16 bytes', () => {
    expect(() =>
      encodeSdpPdu({ type: 'service-attribute-response', transactionId: 0, attributeList: none, continuation: new Uint8Array(17) }),
    ).toThrow(/exceeds 16/);
  });

  it('encodes into a buffer at an offset', () => {
    const out = new Uint8Array(9);
    expect(encodeSdpPduInto(GOLDEN[0][2], out, 1)).toBe(7);
    expect(hex(out, ' ')).toBe('00 01 00 2a 00 02 00 03 00');
  });
});

const BAD: [string, string][] = [
  ['shorter than the header', '06 00 01 00'],
  ['ParameterLength larger than the bytes (S2)', '06 00 01 00 10 35 03 19 11 01 00 07 35 05 0a 00 00 ff ff 00'],
  ['ParameterLength smaller than the bytes (S2)', '06 00 01 00 0e 35 03 19 11 01 00 07 35 05 0a 00 00 ff ff 00'],
  ['ContinuationState InfoLength 17', '05 00 01 00 14 00 00 11 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10'],
  ['ContinuationState missing', '02 00 00 00 07 35 03 19 11 01 00 03'],
  ['pattern is not a sequence', '02 00 00 00 06 19 11 01 00 03 00'],
  ['pattern holds a uint8 (S1)', '02 00 00 00 07 35 02 08 01 00 03 00'],
  ['attribute ID is a uint8', '04 00 00 00 0b 00 01 00 00 00 07 35 02 08 04 00'],
  ['attribute ID is a uint64', '04 00 00 00 11 00 01 00 00 00 07 35 09 0b 00 00 00 00 00 00 00 04 00'],
  ['byte after the ContinuationState', '07 00 01 00 06 00 01 35 00 00 ff'],
  ['AttributeListsByteCount beyond the PDU', '07 00 01 00 05 00 09 35 00 00'],
  ['CurrentServiceRecordCount beyond the PDU', '03 00 00 00 09 00 02 00 02 00 01 00 00 00'],
  ['element size beyond the PDU (S6)', '02 00 00 00 08 35 09 19 11 01 00 03 00'],
];

describe('SDP PDU decoding errors', () => {
  it.each(BAD)('%s', (_name, h) => {
    expect(() => decodeSdpPdu(fromHex(h))).toThrow(DecodeError);
  });
});

describe('SDP PDU properties', () => {
  it('round trip and length = encoded length', () => {
    fc.assert(
      fc.property(sdpPduArb, (pdu) => {
        const bytes = encodeSdpPdu(pdu);
        expect(bytes.length).toBe(sdpPduLength(pdu));
        const back = decodeSdpPdu(bytes);
        expect(hex(encodeSdpPdu(back))).toBe(hex(bytes));
        expect(back.type).toBe(pdu.type);
        expect(back.transactionId).toBe(pdu.transactionId);
      }),
      { numRuns: 200 },
    );
  });

  it('every strict prefix fails', () => {
    fc.assert(
      fc.property(sdpPduArb, (pdu) => {
        const bytes = encodeSdpPdu(pdu);
        for (let n = 0; n < bytes.length; n++) expect(() => decodeSdpPdu(bytes.subarray(0, n))).toThrow(DecodeError);
      }),
      { numRuns: 100 },
    );
  });

  it('totality on arbitrary bytes, and byte-exact re-encoding of what decodes', () => {
    const framed = fc
      .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 }))
      .map(([id, tid, params]) => Uint8Array.of(id, tid >> 8, tid & 0xff, params.length >> 8, params.length & 0xff, ...params));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), framed), (bytes) => {
        try {
          expect(hex(encodeSdpPdu(decodeSdpPdu(bytes)))).toBe(hex(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
