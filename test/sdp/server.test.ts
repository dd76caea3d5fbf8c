import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Uuid, concat, fromHex, hex } from '../../src/core/index.js';
import {
  type AttributeIdItem,
  SDP_ERROR,
  type SdpPdu,
  SdpDatabase,
  SdpServer,
  decodeAttributeLists,
  decodeDataElement,
  decodeSdpPdu,
  encodeSdpPdu,
  serialPortRecord,
} from '../../src/sdp/index.js';

const none: Uint8Array = new Uint8Array(0);
const SPP = Uuid.from16(0x1101);
const ALL: AttributeIdItem[] = [{ first: 0, last: 0xffff }];

function setup(n = 1, opts = {}) {
  const db = new SdpDatabase();
  const handles = Array.from({ length: n }, (_, i) => db.add(serialPortRecord({ channel: (i % 30) + 1, name: `Serial ${i}` })));
  return { db, handles, server: new SdpServer(db, opts) };
}

function ssa(tid: number, pattern: Uuid[], max = 0xffff, ids: AttributeIdItem[] = ALL, continuation = none): Uint8Array {
  return encodeSdpPdu({ type: 'service-search-attribute-request', transactionId: tid, pattern, maximumAttributeByteCount: max, attributeIds: ids, continuation });
}

function decode(b: Uint8Array): SdpPdu {
  return decodeSdpPdu(b);
}

function errorCode(b: Uint8Array): number | undefined {
  const p = decode(b);
  return p.type === 'error-response' ? p.errorCode : undefined;
}

/** Follows a continuation chain to its end; returns the joined bytes and the pieces. */
function chain(server: SdpServer, first: (cont: Uint8Array, tid: number) => Uint8Array, key = 1) {
  const pieces: Uint8Array[] = [];
  let cont = none;
  for (let tid = 1; tid < 1000; tid++) {
    const rsp = decode(server.handle(key, first(cont, tid)));
    if (rsp.type !== 'service-search-attribute-response' && rsp.type !== 'service-attribute-response') throw new Error(`unexpected ${rsp.type}`);
    expect(rsp.transactionId).toBe(tid);
    pieces.push(rsp.type === 'service-attribute-response' ? rsp.attributeList : rsp.attributeLists);
    if (rsp.continuation.length === 0) break;
    cont = rsp.continuation;
  }
  return { joined: concat(...pieces), pieces };
}

describe('SDP server scenarios (docs/conformance.md S1–S6)', () => {
  it('S1 invalid syntax answers 01 tt tt 00 02 00 03', () => {
    const { server } = setup();
    const pattern = fromHex('06 12 34 00 0e 35 02 08 01 00 07 35 05 0a 00 00 ff ff 00');
    expect(hex(server.handle(1, pattern), ' ')).toBe('01 12 34 00 02 00 03');
  });

  it('S2 ParameterLength ≠ actual answers 0x0004', () => {
    const { server } = setup();
    const good = ssa(7, [SPP]);
    const longer = Uint8Array.from(good);
    longer[4] += 1;
    const shorter = Uint8Array.from(good);
    shorter[4] -= 1;
    expect(hex(server.handle(1, longer), ' ')).toBe('01 00 07 00 02 00 04');
    expect(hex(server.handle(1, shorter), ' ')).toBe('01 00 07 00 02 00 04');
    expect(errorCode(server.handle(1, concat(good, fromHex('00'))))).toBe(SDP_ERROR.InvalidPduSize);
    expect(errorCode(server.handle(1, fromHex('06 00')))).toBe(SDP_ERROR.InvalidPduSize);
    expect(hex(server.handle(1, new Uint8Array(0)), ' ')).toBe('01 00 00 00 02 00 04');
  });

  it('S3 ServiceAttributeRequest with an unknown handle answers 0x0002', () => {
    const { server, handles } = setup();
    const req = (handle: number) =>
      encodeSdpPdu({ type: 'service-attribute-request', transactionId: 3, handle, maximumAttributeByteCount: 100, attributeIds: ALL, continuation: none });
    expect(hex(server.handle(1, req(0x00012345)), ' ')).toBe('01 00 03 00 02 00 02');
    expect(decode(server.handle(1, req(handles[0]))).type).toBe('service-attribute-response');
  });

  describe('S4 forged or replayed ContinuationState answers 0x0005', () => {
    const first = () => {
      const { server } = setup(3);
      const rsp = decode(server.handle(1, ssa(1, [SPP], 20)));
      if (rsp.type !== 'service-search-attribute-response') throw new Error('no response');
      expect(rsp.continuation.length).toBeGreaterThan(0);
      expect(rsp.continuation.length).toBeLessThanOrEqual(16);
      return { server, token: rsp.continuation };
    };
    it('a token this server never issued', () => {
      const { server } = first();
      expect(hex(server.handle(1, ssa(2, [SPP], 20, ALL, fromHex('01 00'))), ' ')).toBe('01 00 02 00 02 00 05');
    });
    it('a token with a flipped bit', () => {
      const { server, token } = first();
      const forged = Uint8Array.from(token);
      forged[forged.length - 1] ^= 1;
      expect(errorCode(server.handle(1, ssa(2, [SPP], 20, ALL, forged)))).toBe(SDP_ERROR.InvalidContinuationState);
    });
    it('a token replayed after it was used', () => {
      const { server, token } = first();
      expect(decode(server.handle(1, ssa(2, [SPP], 20, ALL, token))).type).toBe('service-search-attribute-response');
      expect(errorCode(server.handle(1, ssa(3, [SPP], 20, ALL, token)))).toBe(SDP_ERROR.InvalidContinuationState);
    });
    it('a token offered with a different request', () => {
      const { server, token } = first();
      expect(errorCode(server.handle(1, ssa(2, [SPP], 21, ALL, token)))).toBe(SDP_ERROR.InvalidContinuationState);
      const again = first();
      expect(errorCode(again.server.handle(1, ssa(2, [Uuid.from16(0x0100)], 20, ALL, again.token)))).toBe(SDP_ERROR.InvalidContinuationState);
    });
    it('a token offered on another channel, or after forget', () => {
      const { server, token } = first();
      expect(errorCode(server.handle(2, ssa(2, [SPP], 20, ALL, token)))).toBe(SDP_ERROR.InvalidContinuationState);
      server.forget(1);
      expect(server.pendingChannels).toBe(0);
      expect(errorCode(server.handle(1, ssa(2, [SPP], 20, ALL, token)))).toBe(SDP_ERROR.InvalidContinuationState);
    });
    it('tokens differ from one response to the next and carry no offset', () => {
      const { server } = setup(3);
      const seen = new Set<string>();
      let cont = none;
      for (let tid = 1; tid < 50; tid++) {
        const rsp = decode(server.handle(1, ssa(tid, [SPP], 7, ALL, cont)));
        if (rsp.type !== 'service-search-attribute-response' || rsp.continuation.length === 0) break;
        cont = rsp.continuation;
        expect(seen.has(hex(cont))).toBe(false);
        seen.add(hex(cont));
      }
      expect(seen.size).toBeGreaterThan(10);
    });
  });

  it('S5 MaximumAttributeByteCount = 7 gives a chain of pieces ≤ 7 bytes ending with ContinuationState 00', () => {
    const { server } = setup(2);
    const whole = decode(server.handle(1, ssa(1, [SPP])));
    if (whole.type !== 'service-search-attribute-response') throw new Error('no response');
    expect(whole.continuation.length).toBe(0);
    const { joined, pieces } = chain(server, (cont, tid) => ssa(tid, [SPP], 7, ALL, cont));
    expect(pieces.length).toBe(Math.ceil(whole.attributeLists.length / 7));
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(7);
    expect(hex(joined)).toBe(hex(whole.attributeLists));
    expect(decodeAttributeLists(joined)).toHaveLength(2);
    expect(server.pendingChannels).toBe(0);
  });

  it('S5 ServiceAttributeRequest continues the same way', () => {
    const { server, handles } = setup(1);
    const req = (cont: Uint8Array, tid: number) =>
      encodeSdpPdu({ type: 'service-attribute-request', transactionId: tid, handle: handles[0], maximumAttributeByteCount: 7, attributeIds: ALL, continuation: cont });
    const { joined, pieces } = chain(server, req);
    expect(pieces.length).toBeGreaterThan(5);
    const list = decodeDataElement(joined);
    expect(list.type === 'sequence' && list.items.length).toBe(2 * 7);
  });

  it('S6 elements nested 1500 deep, or sized beyond the PDU, answer 0x0003', () => {
    const { server } = setup();
    let inner: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 1500; i++) {
      const n = inner.length;
      inner = concat(Uint8Array.of(0x37, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff), inner);
    }
    const params = concat(inner, fromHex('00 07 35 05 0a 00 00 ff ff 00'));
    const deep = concat(Uint8Array.of(0x06, 0, 9, params.length >> 8, params.length & 0xff), params);
    expect(hex(server.handle(1, deep), ' ')).toBe('01 00 09 00 02 00 03');
    expect(hex(server.handle(1, fromHex('06 00 0a 00 0f 35 7f 19 11 01 00 07 35 05 0a 00 00 ff ff 00')), ' ')).toBe('01 00 0a 00 02 00 03');
  });
});

describe('SDP server syntax rules (0x0003)', () => {
  const { server } = setup();
  const cases: [string, Uint8Array][] = [
    ['more than 12 UUIDs', ssa(1, Array.from({ length: 13 }, (_, i) => Uuid.from16(0x1100 + i)))],
    ['an empty pattern', ssa(1, [])],
    ['an empty attribute ID list', ssa(1, [SPP], 100, [])],
    ['a reversed range', ssa(1, [SPP], 100, [{ first: 5, last: 4 }])],
    ['MaximumAttributeByteCount 6', ssa(1, [SPP], 6)],
    ['MaximumServiceRecordCount 0', encodeSdpPdu({ type: 'service-search-request', transactionId: 1, pattern: [SPP], maximumServiceRecordCount: 0, continuation: none })],
    ['a response PDU', encodeSdpPdu({ type: 'service-search-attribute-response', transactionId: 1, attributeLists: none, continuation: none })],
    ['an unknown PDU ID', fromHex('00 00 01 00 00')],
    ['a reserved data element type', fromHex('06 00 01 00 0f 35 03 49 11 01 00 07 35 05 0a 00 00 ff ff 00')],
  ];
  it.each(cases)('%s', (_name, req) => {
    expect(errorCode(server.handle(1, req))).toBe(SDP_ERROR.InvalidRequestSyntax);
  });
  it('accepts 12 UUIDs (and finds nothing)', () => {
    const rsp = decode(server.handle(1, ssa(1, Array.from({ length: 12 }, () => SPP))));
    expect(rsp.type).toBe('service-search-attribute-response');
  });
});

describe('SDP server answers', () => {
  it('browsing the PublicBrowseRoot 0x1002 finds every advertised record', () => {
    const { server, handles } = setup(3);
    const rsp = decode(server.handle(1, encodeSdpPdu({ type: 'service-search-request', transactionId: 1, pattern: [Uuid.from16(0x1002)], maximumServiceRecordCount: 100, continuation: none })));
    expect(rsp).toMatchObject({ type: 'service-search-response', totalServiceRecordCount: 3, handles });
  });

  it('matches UUIDs across sizes and serves its own record at handle 0', () => {
    const { server } = setup(1);
    const search = (u: Uuid) =>
      decode(server.handle(1, encodeSdpPdu({ type: 'service-search-request', transactionId: 1, pattern: [u], maximumServiceRecordCount: 10, continuation: none })));
    expect(search(Uuid.parse('00001101-0000-1000-8000-00805f9b34fb'))).toMatchObject({ handles: [0x00010000] });
    expect(search(Uuid.from32(0x1101))).toMatchObject({ handles: [0x00010000] });
    expect(search(Uuid.from16(0x1000))).toMatchObject({ handles: [0] });
    expect(search(Uuid.from16(0x1105))).toMatchObject({ totalServiceRecordCount: 0, handles: [] });
  });

  it('cuts ServiceSearch answers to the MTU and honours MaximumServiceRecordCount', () => {
    const { server, handles } = setup(40, { mtu: 48 });
    const got: number[] = [];
    let cont = none;
    for (let tid = 1; tid < 20; tid++) {
      const bytes = server.handle(9, encodeSdpPdu({ type: 'service-search-request', transactionId: tid, pattern: [SPP], maximumServiceRecordCount: 30, continuation: cont }));
      expect(bytes.length).toBeLessThanOrEqual(48);
      const rsp = decode(bytes);
      if (rsp.type !== 'service-search-response') throw new Error(rsp.type);
      expect(rsp.totalServiceRecordCount).toBe(30);
      got.push(...rsp.handles);
      if (rsp.continuation.length === 0) break;
      cont = rsp.continuation;
    }
    expect(got).toEqual(handles.slice(0, 30));
  });

  it('keeps every response within the MTU given per call', () => {
    const { server } = setup(5);
    const whole = decode(server.handle(1, ssa(1, [SPP])));
    expect(whole).toMatchObject({ continuation: new Uint8Array(0) });
    const bytes = server.handle(2, ssa(1, [SPP]), 60);
    expect(bytes.length).toBe(60);
    expect(decode(bytes)).toMatchObject({ type: 'service-search-attribute-response' });
  });

  it('answers only the attributes asked for, in ascending order', () => {
    const { server } = setup(1);
    const rsp = decode(server.handle(1, ssa(1, [SPP], 0xffff, [0x0100, { first: 0x0000, last: 0x0001 }])));
    if (rsp.type !== 'service-search-attribute-response') throw new Error(rsp.type);
    const [rec] = decodeAttributeLists(rsp.attributeLists);
    expect([...rec.keys()]).toEqual([0x0000, 0x0001, 0x0100]);
  });

  it('0x0006 when the answer exceeds maxResponseBytes', () => {
    const { server } = setup(5, { maxResponseBytes: 100 });
    expect(hex(server.handle(1, ssa(4, [SPP])), ' ')).toBe('01 00 04 00 02 00 06');
  });

  it('0x0006 when more channels than maxChannels would hold continuation state', () => {
    const { server } = setup(3, { maxChannels: 2 });
    expect(decode(server.handle(1, ssa(1, [SPP], 7)))).toMatchObject({ type: 'service-search-attribute-response' });
    expect(decode(server.handle(2, ssa(1, [SPP], 7)))).toMatchObject({ type: 'service-search-attribute-response' });
    expect(errorCode(server.handle(3, ssa(1, [SPP], 7)))).toBe(SDP_ERROR.InsufficientResources);
    expect(server.pendingChannels).toBe(2);
    server.forget(1);
    expect(decode(server.handle(3, ssa(1, [SPP], 7)))).toMatchObject({ type: 'service-search-attribute-response' });
    expect(server.stats.errors[SDP_ERROR.InsufficientResources]).toBe(1);
  });

  it('a new request on a channel replaces its pending answer', () => {
    const { server } = setup(3);
    const r1 = decode(server.handle(1, ssa(1, [SPP], 7)));
    decode(server.handle(1, ssa(2, [SPP], 8)));
    expect(server.pendingChannels).toBe(1);
    if (r1.type !== 'service-search-attribute-response') throw new Error(r1.type);
    expect(errorCode(server.handle(1, ssa(3, [SPP], 7, ALL, r1.continuation)))).toBe(SDP_ERROR.InvalidContinuationState);
  });
});

describe('SDP server robustness (docs/conformance.md RB-SDP)', () => {
  it('never throws, always answers a decodable PDU with the request TransactionID, and stays usable', () => {
    const { server } = setup(3);
    const good = ssa(0x4242, [SPP]);
    const expected = hex(server.handle(5, good));
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: good.length }))
      .map(([i, v, cut]) => {
        const b = Uint8Array.from(good);
        b[i] = v;
        return b.subarray(0, Math.max(cut, i + 1));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), fc.integer({ min: 1, max: 4 }), (bytes, key) => {
        const out = server.handle(key, bytes);
        const rsp = decode(out);
        if (bytes.length >= 3) expect(rsp.transactionId).toBe((bytes[1] << 8) | bytes[2]);
        expect(hex(server.handle(5, good))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
    expect(server.pendingChannels).toBeLessThanOrEqual(5);
  });
});
