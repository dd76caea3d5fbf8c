/** ACL reassembly: docs/conformance.md H1–H3 and RB-ACL, and fragment/reassemble identity. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concat, fromHex } from '../../src/core/index.js';
import { AclReassembler, decodeAcl, fragmentPdu, type AclPacket } from '../../src/hci/index.js';

const acl = (h: string): AclPacket => decodeAcl(fromHex(h));

function l2capPdu(payload: Uint8Array, cid = 0x0040): Uint8Array {
  return concat(Uint8Array.of(payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8), payload);
}

describe('AclReassembler', () => {
  it('H1 continuation fragment with no start is dropped silently', () => {
    const r = new AclReassembler();
    expect(r.push(acl('0b 10 04 00 de ad be ef'))).toBeUndefined();
    expect(r.stats.orphanContinuations).toBe(1);
    expect(r.isPending(0x0b)).toBe(false);
  });

  it('H2 a new start drops the stale partial and begins the new PDU', () => {
    const r = new AclReassembler();
    expect(r.push(acl('0b 20 08 00 14 00 40 00 01 02 03 04'))).toBeUndefined();
    const second = acl('0b 20 06 00 02 00 40 00 aa bb');
    expect(r.push(second)).toEqual(fromHex('02 00 40 00 aa bb'));
    expect(r.stats.restarted).toBe(1);
  });

  it('H3 a continuation overrunning the announced length discards and resets', () => {
    const r = new AclReassembler();
    r.push(acl('0b 20 08 00 0a 00 40 00 01 02 03 04'));
    const big: AclPacket = { handle: 0x0b, pb: 1, bc: 0, data: new Uint8Array(200) };
    expect(r.push(big)).toBeUndefined();
    expect(r.stats.overruns).toBe(1);
    expect(r.isPending(0x0b)).toBe(false);
    expect(r.push(acl('0b 10 04 00 de ad be ef'))).toBeUndefined();
    expect(r.stats.orphanContinuations).toBe(1);
  });

  it('drops a PDU announcing more than the cap at its start', () => {
    const r = new AclReassembler({ maxPduLength: 676 });
    expect(r.push(acl('0b 20 04 00 a1 02 40 00'))).toBeUndefined();
    expect(r.stats.overCap).toBe(1);
    const ok = fragmentPdu(0x0b, l2capPdu(new Uint8Array(672)), 100);
    expect(ok.map((p) => r.push(p)).at(-1)).toHaveLength(676);
  });

  it('names the channel and SDU length of a dropped PDU whose header had arrived, and no channel otherwise', () => {
    const r = new AclReassembler({ maxPduLength: 676 });
    // Restarted: 0x14 octets for CID 0x0041 announced, 4 arrived.
    r.push(acl('0b 20 08 00 14 00 41 00 01 02 03 04'));
    r.push(acl('0b 20 06 00 02 00 40 00 aa bb'));
    expect(r.lost).toEqual({ cid: 0x41, length: 0x14, head: fromHex('01 02 03 04') });
    // Overrun: 0x10 octets for CID 0x0042 announced, 10 arrived, then 200 more; the head keeps 8 octets at most.
    r.push(acl('0b 20 0e 00 10 00 42 00 01 02 03 04 05 06 07 08 09 0a'));
    r.push({ handle: 0x0b, pb: 1, bc: 0, data: new Uint8Array(200) });
    expect(r.lost).toEqual({ cid: 0x42, length: 0x10, head: fromHex('01 02 03 04 05 06 07 08') });
    // Over the cap: 0x02a1 octets for CID 0x0043.
    r.push(acl('0b 20 04 00 a1 02 43 00'));
    expect(r.lost).toEqual({ cid: 0x43, length: 0x02a1, head: new Uint8Array(0) });
    // An orphan continuation, and a restart before the first PDU's header was whole: no channel to name.
    r.push(acl('0b 10 04 00 de ad be ef'));
    expect([r.anomaly, r.lost]).toEqual([expect.stringContaining('continuation'), undefined]);
    r.push(acl('0b 20 02 00 14 00'));
    r.push(acl('0b 20 06 00 02 00 40 00 aa bb'));
    expect([r.anomaly, r.lost]).toEqual([expect.stringContaining('the header of the previous one'), undefined]);
    // A sound PDU clears it.
    r.push(acl('0b 20 06 00 02 00 40 00 aa bb'));
    expect([r.anomaly, r.lost]).toEqual([undefined, undefined]);
  });

  it('drops zero-length and broadcast packets', () => {
    const r = new AclReassembler();
    expect(r.push({ handle: 1, pb: 2, bc: 0, data: new Uint8Array(0) })).toBeUndefined();
    expect(r.push({ handle: 1, pb: 2, bc: 1, data: fromHex('00 00 40 00') })).toBeUndefined();
    expect(r.stats.emptyPackets).toBe(1);
    expect(r.stats.broadcast).toBe(1);
  });

  it('completes a PDU whose 4-octet header is split across fragments', () => {
    const r = new AclReassembler();
    expect(r.push(acl('0b 20 01 00 02'))).toBeUndefined();
    expect(r.push(acl('0b 10 02 00 00 40'))).toBeUndefined();
    expect(r.push(acl('0b 10 03 00 00 aa bb'))).toEqual(fromHex('02 00 40 00 aa bb'));
  });

  it('keeps handles apart', () => {
    const r = new AclReassembler();
    r.push(acl('01 20 05 00 02 00 40 00 aa'));
    r.push(acl('02 20 05 00 01 00 41 00 cc'));
    expect(r.push(acl('01 10 01 00 bb'))).toEqual(fromHex('02 00 40 00 aa bb'));
  });

  it('fragmenting at every ACL size 27..1021 and reassembling is the identity', () => {
    const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
    const pdu = l2capPdu(payload);
    const r = new AclReassembler();
    for (let size = 27; size <= 1021; size++) {
      const frags = fragmentPdu(0x0b, pdu, size);
      expect(frags.every((f) => f.data.length <= size)).toBe(true);
      const results = frags.map((f) => r.push(f));
      expect(results.slice(0, -1).every((x) => x === undefined)).toBe(true);
      expect(bytesEqual(results.at(-1)!, pdu)).toBe(true);
    }
  });

  it('fragment/reassemble identity for arbitrary PDUs and sizes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 1021 }), fc.boolean(), (payload, size, nf) => {
        const pdu = l2capPdu(payload);
        const frags = fragmentPdu(3, pdu, size, nf);
        expect(frags[0].pb).toBe(nf ? 0 : 2);
        expect(frags.slice(1).every((f) => f.pb === 1)).toBe(true);
        const r = new AclReassembler();
        const out = frags.map((f) => r.push(f)).filter((x) => x !== undefined);
        expect(out).toEqual([pdu]);
      }),
      { numRuns: 200 },
    );
  });
});
