import { describe, expect, it } from 'vitest';
import { InvalidStateError, Uuid, fromHex, hex } from '../../src/core/index.js';
import { SdpClient, type SdpClientEvent, decodeSdpPdu, encodeSdpPdu } from '../../src/sdp/index.js';

const SPP = Uuid.from16(0x1101);
const none: Uint8Array = new Uint8Array(0);

function drain(c: SdpClient): SdpClientEvent[] {
  const out: SdpClientEvent[] = [];
  for (let e = c.pollEvent(); e; e = c.pollEvent()) out.push(e);
  return out;
}

function ssaResponse(tid: number, attributeLists: Uint8Array, continuation = none): Uint8Array {
  return encodeSdpPdu({ type: 'service-search-attribute-response', transactionId: tid, attributeLists, continuation });
}

describe('SdpClient', () => {
  it('sends a ServiceSearchAttributeRequest for all attributes', () => {
    const c = new SdpClient();
    const id = c.serviceSearchAttribute([SPP], 0);
    expect(id).toBe(1);
    expect(hex(c.pollTransmit()!, ' ')).toBe('06 00 01 00 0f 35 03 19 11 01 ff ff 35 05 0a 00 00 ff ff 00');
    expect(c.pollTransmit()).toBeUndefined();
  });

  it('joins continued responses, with a new TransactionID per request, into records', () => {
    const c = new SdpClient({ maxAttributeByteCount: 100 });
    const id = c.serviceSearchAttribute([SPP], 0);
    const lists = fromHex('35 0f 35 0d 09 00 00 0a 00 01 00 00 09 01 00 08 07');
    const r1 = decodeSdpPdu(c.pollTransmit()!);
    c.receive(ssaResponse(r1.transactionId, lists.subarray(0, 6), fromHex('aa bb')), 1);
    const r2 = decodeSdpPdu(c.pollTransmit()!);
    expect(r2).toMatchObject({ type: 'service-search-attribute-request', transactionId: r1.transactionId + 1, maximumAttributeByteCount: 100 });
    expect(r2.type === 'service-search-attribute-request' && hex(r2.continuation)).toBe('aabb');
    c.receive(ssaResponse(r2.transactionId, lists.subarray(6)), 2);
    const [ev] = drain(c);
    expect(ev.type).toBe('records');
    if (ev.type !== 'records') return;
    expect(ev.requestId).toBe(id);
    expect(ev.records).toHaveLength(1);
    expect([...ev.records[0].keys()]).toEqual([0x0000, 0x0100]);
    expect(c.stats.continuations).toBe(1);
  });

  it('surfaces an ErrorResponse with its code, big-endian (a little-endian 02 00 is not 0x0002)', () => {
    const c = new SdpClient();
    c.serviceSearchAttribute([SPP], 0);
    c.receive(fromHex('01 00 01 00 02 00 05'), 0);
    c.serviceAttribute(0x10000, 0);
    c.receive(fromHex('01 00 02 00 02 02 00'), 0);
    expect(drain(c)).toEqual([
      { type: 'error-response', requestId: 1, errorCode: 5, errorName: 'Invalid Continuation State' },
      { type: 'error-response', requestId: 2, errorCode: 0x0200, errorName: 'reserved (0x0200)' },
    ]);
  });

  it('ignores responses with another TransactionID', () => {
    const c = new SdpClient();
    c.serviceSearchAttribute([SPP], 0);
    c.pollTransmit();
    c.receive(ssaResponse(99, fromHex('35 00')), 0);
    c.receive(fromHex('07 00'), 0);
    expect(drain(c)).toEqual([]);
    expect(c.stats.ignored).toBe(2);
    c.receive(ssaResponse(1, fromHex('35 00')), 0);
    expect(drain(c)).toEqual([{ type: 'records', requestId: 1, records: [] }]);
  });

  it('fails a request on timeout and starts the next one', () => {
    const c = new SdpClient({ requestTimeoutMs: 5000 });
    c.serviceSearchAttribute([SPP], 1000);
    const second = c.serviceSearch([SPP], 1000, 10);
    expect(c.pollTimeout()).toBe(6000);
    c.pollTransmit();
    c.handleTimeout(5999);
    expect(drain(c)).toEqual([]);
    c.handleTimeout(6000);
    expect(drain(c)).toMatchObject([{ type: 'failed', requestId: 1, reason: 'timeout' }]);
    const next = decodeSdpPdu(c.pollTransmit()!);
    expect(next).toMatchObject({ type: 'service-search-request', transactionId: 2, maximumServiceRecordCount: 10 });
    expect(c.pollTimeout()).toBe(11000);
    c.receive(encodeSdpPdu({ type: 'service-search-response', transactionId: 2, totalServiceRecordCount: 1, handles: [0x10000], continuation: none }), 6001);
    expect(drain(c)).toEqual([{ type: 'handles', requestId: second, handles: [0x10000], total: 1 }]);
    expect(c.pollTimeout()).toBeUndefined();
  });

  it('stops after 64 continuations', () => {
    const c = new SdpClient();
    c.serviceSearchAttribute([SPP], 0);
    for (let i = 0; i <= 64; i++) {
      const req = decodeSdpPdu(c.pollTransmit()!);
      c.receive(ssaResponse(req.transactionId, fromHex('35'), fromHex('01')), 0);
    }
    expect(c.pollTransmit()).toBeUndefined();
    expect(drain(c)).toMatchObject([{ type: 'failed', requestId: 1, reason: 'too-many-continuations' }]);
  });

  it('fails when the joined answer exceeds maxResponseBytes', () => {
    const c = new SdpClient({ maxResponseBytes: 10 });
    c.serviceSearchAttribute([SPP], 0);
    c.pollTransmit();
    c.receive(ssaResponse(1, new Uint8Array(11), fromHex('01')), 0);
    expect(drain(c)).toMatchObject([{ reason: 'too-large' }]);
  });

  it('fails on malformed answers: wrong response type, bad attribute lists, undecodable PDU', () => {
    const c = new SdpClient();
    c.serviceSearchAttribute([SPP], 0);
    c.receive(encodeSdpPdu({ type: 'service-attribute-response', transactionId: 1, attributeList: fromHex('35 00'), continuation: none }), 0);
    c.serviceSearchAttribute([SPP], 0);
    c.receive(ssaResponse(2, fromHex('35 03 35 01 08')), 0);
    c.serviceSearchAttribute([SPP], 0);
    c.receive(ssaResponse(3, fromHex('35 04 35 02 08 01')), 0);
    c.serviceSearchAttribute([SPP], 0);
    c.receive(fromHex('07 00 04 00 09'), 0);
    expect(drain(c).map((e) => (e.type === 'failed' ? e.reason : e.type))).toEqual(['malformed', 'malformed', 'malformed', 'malformed']);
  });

  it('bounds its queue and fails everything on close', () => {
    const c = new SdpClient({ maxQueued: 2 });
    c.serviceSearchAttribute([SPP], 0);
    c.serviceSearchAttribute([SPP], 0);
    c.serviceSearchAttribute([SPP], 0);
    expect(() => c.serviceSearchAttribute([SPP], 0)).toThrow(InvalidStateError);
    expect(c.outstanding).toBe(3);
    c.close();
    expect(drain(c).map((e) => e.type === 'failed' && e.reason)).toEqual(['closed', 'closed', 'closed']);
    expect(c.outstanding).toBe(0);
    expect(c.pollTransmit()).toBeUndefined();
    expect(c.pollTimeout()).toBeUndefined();
  });

  it('rejects local misuse', () => {
    const c = new SdpClient();
    expect(() => c.serviceSearchAttribute([], 0)).toThrow(/1\.\.12/);
    expect(() => c.serviceSearchAttribute(Array.from({ length: 13 }, () => SPP), 0)).toThrow(/1\.\.12/);
    expect(() => c.serviceSearchAttribute([SPP], 0, [])).toThrow(/at least one/);
    expect(() => c.serviceSearchAttribute([SPP], 0, [{ first: 2, last: 1 }])).toThrow(/ascending/);
    expect(() => new SdpClient({ maxAttributeByteCount: 6 })).toThrow(/7\.\.65535/);
  });

  it('wraps TransactionIDs at 16 bits', () => {
    const c = new SdpClient();
    const tids: number[] = [];
    for (let i = 0; i < 0x10001; i++) {
      c.serviceSearch([SPP], 0);
      const req = decodeSdpPdu(c.pollTransmit()!);
      const last = req.transactionId;
      tids.push(last);
      c.receive(fromHex(`01 ${hex(Uint8Array.of(last >> 8, last & 0xff), ' ')} 00 02 00 03`), 0);
      c.pollEvent();
    }
    expect(tids.slice(0, 2)).toEqual([1, 2]);
    expect(tids.slice(-3)).toEqual([0xffff, 0, 1]);
  });
});
