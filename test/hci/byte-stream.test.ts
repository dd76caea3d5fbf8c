/**
 * The host on a byte-stream transport (`byteStream`: H4 over a unix socket, TCP or a UART), where
 * a transport that loses or changes bytes desynchronises the framing: each ACL packet is delivered
 * only once the header after it is plausible (or the bytes so far end with it), a slip ends the
 * transport before the damaged packet is delivered, and ACL fragments that do not fit together end
 * their link. Also: received packets travel as views of the chunk they came in, and the 'packet'
 * trace is off unless asked for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex } from '../../src/core/index.js';
import { HciHost } from '../../src/hci/index.js';
import { aclBytes, h4Event, ScriptedController } from './scripted-controller.js';

const PEER = '00:11:22:33:44:55';
const HANDLE = 0x0b;

function connected(host: HciHost): ScriptedController {
  const c = ScriptedController.ready(host);
  c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0x5a020c, linkType: 1 });
  c.pump();
  c.sendEvent({ name: 'Connection Complete', status: 0, handle: HANDLE, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
  c.clear();
  return c;
}

/** A whole one-fragment L2CAP PDU on `cid` carrying `payload`. */
function pdu(cid: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8), payload);
}

const NOCP = h4Event({ name: 'Number Of Completed Packets', handles: [{ handle: HANDLE, numCompletedPackets: 0 }] });

describe('HciHost on a byte stream', () => {
  it('delivers every packet of a sound stream in order, however it is cut into chunks', () => {
    const packet = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 40 }).map((p) => aclBytes(HANDLE, 0b10, pdu(0x40, p))),
      fc.constant(NOCP),
    );
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 40 }), (packets, cuts) => {
        const c = connected(new HciHost({ byteStream: true }));
        const stream = concat(...packets);
        let at = 0;
        for (const n of cuts) {
          if (at >= stream.length) break;
          c.send(stream.subarray(at, Math.min(stream.length, at + n)));
          at += n;
        }
        if (at < stream.length) c.send(stream.subarray(at));
        const acl = packets.filter((p) => p[0] === 0x02).map((p) => p.subarray(5));
        expect(c.of('l2cap-pdu').map((e) => e.pdu)).toEqual(acl);
        expect(c.of('error')).toEqual([]);
      }),
    );
  });

  it('delivers a packet at once when the bytes pushed so far end with it', () => {
    const c = connected(new HciHost({ byteStream: true }));
    c.send(aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61 62'))));
    expect(c.of('l2cap-pdu')).toHaveLength(1);
  });

  it('a packet cut short, its place taken by the next packet: the damaged one is never delivered and the stream ends', () => {
    const c = connected(new HciHost({ byteStream: true }));
    const whole = aclBytes(HANDLE, 0b10, pdu(0x40, new Uint8Array(20).fill(0x61)));
    const next = aclBytes(HANDLE, 0b10, pdu(0x40, new Uint8Array(20).fill(0x62)));
    // The transport lost the last 10 bytes of the first packet (a partial write that btvirt drops the rest of).
    c.send(concat(whole.subarray(0, whole.length - 10), next, next));
    expect(c.of('l2cap-pdu')).toEqual([]);
    const [error] = c.of('error');
    expect(error.fatal).toBe(true);
    expect(error.error.message).toMatch(/desynchronised .*the packet before it was not delivered/);
    expect(c.host.allStats().framer.discardedPackets).toBe(1);
  });

  it('ACL data for a handle that is not up means the framing slipped: fatal, nothing delivered', () => {
    const c = connected(new HciHost({ byteStream: true }));
    c.send(aclBytes(0x0c, 0b10, pdu(0x40, fromHex('61'))));
    expect(c.of('l2cap-pdu')).toEqual([]);
    expect(c.of('error')[0]).toMatchObject({ fatal: true });
    expect(c.of('error')[0].error.message).toMatch(/ACL data for handle 0xc, which is not up/);
  });

  it('the header after a Connection Complete is judged with its link up', () => {
    const c = ScriptedController.ready(new HciHost({ byteStream: true }));
    c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0, linkType: 1 });
    c.pump();
    c.send(concat(h4Event({ name: 'Connection Complete', status: 0, handle: 0x22, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 }), aclBytes(0x22, 0b10, pdu(0x40, fromHex('61')))));
    expect(c.of('error')).toEqual([]);
    expect(c.of('l2cap-pdu')).toHaveLength(1);
  });

  it("with aclDamage 'end-link', fragments that do not fit together end their link: Disconnect, and nothing more from it is delivered", () => {
    const c = connected(new HciHost({ byteStream: true, aclDamage: 'end-link' }));
    c.send(aclBytes(HANDLE, 0b10, fromHex('08 00 40 00 01 02')));
    // A new start while 6 octets of the first PDU are still missing: octets were lost on the way.
    c.send(aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61'))));
    expect(c.of('l2cap-pdu')).toEqual([]);
    const [error] = c.of('error');
    expect(error).toMatchObject({ handle: HANDLE });
    expect(error.fatal).toBeUndefined();
    expect(error.error.message).toMatch(/6 octet\(s\) of the previous one were still missing.*link is disconnected/);
    c.pump();
    expect(c.commands.map((x) => x.name)).toContain('Disconnect');
    c.send(aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('62'))));
    expect(c.of('l2cap-pdu')).toEqual([]);
    expect(c.host.stats.aclAfterDamage).toBe(1);
  });

  it.each([
    ['on a byte stream', { byteStream: true }],
    ['on a transport that keeps packet boundaries', {}],
  ])('by default (docs/conformance.md H2) the same fragments are dropped and reported %s, and the link goes on', (_where, options) => {
    const c = connected(new HciHost(options));
    c.send(aclBytes(HANDLE, 0b10, fromHex('08 00 40 00 01 02')));
    c.send(aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61'))));
    expect(c.of('l2cap-pdu').map((e) => e.pdu)).toEqual([pdu(0x40, fromHex('61'))]);
    expect(c.of('error')).toHaveLength(1);
    expect(c.of('error')[0]).toMatchObject({ handle: HANDLE });
    c.pump();
    expect(c.commands.map((x) => x.name)).not.toContain('Disconnect');
  });
});

describe('received packets and the trace', () => {
  it('a PDU in one fragment reaches L2CAP as a view of the chunk it arrived in', () => {
    const c = connected(new HciHost());
    const chunk = concat(NOCP, aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61 62 63'))));
    c.send(chunk);
    const [e] = c.of('l2cap-pdu');
    expect(e.pdu.buffer).toBe(chunk.buffer);
    expect(e.pdu.byteOffset).toBe(chunk.byteOffset + NOCP.length + 5);
  });

  it("raises no 'packet' events unless tracePackets is on", () => {
    const off = connected(new HciHost());
    off.send(aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61'))));
    expect(off.of('packet')).toEqual([]);
    const on = connected(new HciHost({ tracePackets: true }));
    const bytes = aclBytes(HANDLE, 0b10, pdu(0x40, fromHex('61')));
    on.send(bytes);
    expect(on.of('packet')).toEqual([{ type: 'packet', direction: 'rx', bytes }]);
  });
});
