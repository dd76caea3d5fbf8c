/**
 * `HciHostOptions.aclFragmentSize`: the host fragments outgoing L2CAP PDUs to
 * min(controller's ACL_Data_Packet_Length, aclFragmentSize) octets, never more, and a receiving host
 * reassembles exactly the PDUs that were sent. Values outside 27..65535 are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, concat } from '../../src/core/index.js';
import {
  AclScheduler,
  checkAclFragmentSize,
  commandCompleteEvent,
  decodeHciPacket,
  HciHost,
  MAX_ACL_FRAGMENT_SIZE,
  MIN_ACL_FRAGMENT_SIZE,
} from '../../src/hci/index.js';
import { answer, h4Event, ScriptedController } from './scripted-controller.js';

const PEER = '00:11:22:33:44:55';
const HANDLE = 0x0b;

/** A host initialised against a controller announcing `aclLength` × `aclCount` ACL buffers, with one link up. */
function sender(options: { aclFragmentSize?: number }, aclLength: number, aclCount: number): HciHost {
  const host = new HciHost(options);
  host.start(0);
  for (let out = host.pollTransmit(); out; out = host.pollTransmit()) {
    const p = decodeHciPacket(out);
    if (p.type !== 'command') continue;
    const ev =
      p.command.name === 'Read Buffer Size'
        ? commandCompleteEvent('Read Buffer Size', { status: 0, aclDataPacketLength: aclLength, synchronousDataPacketLength: 64, totalNumAclDataPackets: aclCount, totalNumSynchronousDataPackets: 0 })
        : answer(p.command);
    if (ev) host.receive(h4Event(ev), 0);
  }
  host.receive(h4Event({ name: 'Connection Complete', status: 0, handle: HANDLE, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 }), 0);
  while (host.pollEvent());
  return host;
}

/** The receiving side: a host with the same handle up, fed the sender's H4 ACL packets as they are. */
function receiver(): ScriptedController {
  const c = ScriptedController.ready(new HciHost());
  c.sendEvent({ name: 'Connection Complete', status: 0, handle: HANDLE, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
  c.clear();
  return c;
}

/** An L2CAP basic frame (length, CID 0x0040, payload) whose payload bytes depend on `seed`. */
function l2capPdu(payloadLength: number, seed: number): Uint8Array {
  const payload = Uint8Array.from({ length: payloadLength }, (_, i) => (seed * 131 + i * 7) & 0xff);
  return concat(Uint8Array.of(payloadLength & 0xff, payloadLength >> 8, 0x40, 0x00), payload);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Sends `pdus` from `tx` to `rx`, completing every packet at once; returns the ACL data lengths on the wire. */
function transfer(tx: HciHost, rx: ScriptedController, pdus: readonly Uint8Array[]): number[] {
  for (const pdu of pdus) expect(tx.sendL2cap(HANDLE, pdu)).toBe(true);
  const lengths: number[] = [];
  for (let round = 0; round < 1_000_000; round++) {
    const out = tx.pollTransmit();
    if (!out) {
      const { sent, completed } = tx.allStats().scheduler;
      if (sent === completed) return lengths;
      // Number Of Completed Packets for whatever is outstanding.
      tx.receive(h4Event({ name: 'Number Of Completed Packets', handles: [{ handle: HANDLE, numCompletedPackets: sent - completed }] }), 0);
      continue;
    }
    const p = decodeHciPacket(out);
    if (p.type !== 'acl') continue;
    while (tx.pollEvent());
    lengths.push(p.acl.data.length);
    rx.send(out);
  }
  throw new Error('transfer did not finish');
}

describe('HciHost aclFragmentSize', () => {
  it('property: no fragment exceeds min(controller length, aclFragmentSize), all but the last of a PDU are full, and the PDUs reassemble unchanged', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 27, max: 1100 }),
        fc.option(fc.integer({ min: MIN_ACL_FRAGMENT_SIZE, max: 1100 }), { nil: undefined }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }),
        (aclLength, aclFragmentSize, aclCount, payloadLengths) => {
          const tx = sender({ aclFragmentSize }, aclLength, aclCount);
          const size = Math.min(aclLength, aclFragmentSize ?? Infinity);
          expect(tx.aclMtu).toBe(aclLength);
          expect(tx.aclFragmentSize).toBe(size);
          const rx = receiver();
          const pdus = payloadLengths.map((n, i) => l2capPdu(n, i));
          const lengths = transfer(tx, rx, pdus);

          expect(Math.max(...lengths)).toBeLessThanOrEqual(size);
          // Fragment by fragment: every PDU is cut into full fragments and one last (maybe partial) one.
          const expected = pdus.flatMap((pdu) => Array.from({ length: Math.ceil(pdu.length / size) }, (_, i) => Math.min(size, pdu.length - i * size)));
          expect(lengths).toEqual(expected);
          if (pdus.some((p) => p.length >= size)) expect(Math.max(...lengths)).toBe(size);

          const got = rx.of('l2cap-pdu');
          expect(got.map((e) => e.handle)).toEqual(pdus.map(() => HANDLE));
          expect(got.length).toBe(pdus.length);
          got.forEach((e, i) => expect(equalBytes(e.pdu, pdus[i]), `PDU ${i} differs`).toBe(true));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fragments below the controller length, and a larger value is capped by the controller', () => {
    const pdu = l2capPdu(1000, 1);
    const small = transfer(sender({ aclFragmentSize: 27 }, 1021, 4), receiver(), [pdu]);
    expect(small).toEqual([...Array<number>(37).fill(27), 1004 - 37 * 27]);
    const capped = sender({ aclFragmentSize: 1021 }, 192, 1);
    expect(capped.aclFragmentSize).toBe(192);
    expect(Math.max(...transfer(capped, receiver(), [pdu]))).toBe(192);
  });

  it('before Read Buffer Size the fragment size is 0 and nothing is sent', () => {
    const host = new HciHost({ aclFragmentSize: 100 });
    expect(host.aclFragmentSize).toBe(0);
  });

  it.each([26, 0, -1, 27.5, Number.NaN, Number.POSITIVE_INFINITY, 65536])('refuses aclFragmentSize %s with an ArgumentError', (bad) => {
    expect(() => new HciHost({ aclFragmentSize: bad })).toThrow(ArgumentError);
    expect(() => new HciHost({ aclFragmentSize: bad })).toThrow(/aclFragmentSize must be an integer from 27 .* to 65535 .*, got /);
    expect(() => new AclScheduler({ aclFragmentSize: bad })).toThrow(/aclFragmentSize must be an integer from 27/);
    expect(() => checkAclFragmentSize(bad)).toThrow(expect.objectContaining({ code: 'BT_ARGUMENT' }));
  });

  it('accepts the bounds 27 and 65535', () => {
    expect(() => new HciHost({ aclFragmentSize: MIN_ACL_FRAGMENT_SIZE })).not.toThrow();
    expect(() => new HciHost({ aclFragmentSize: MAX_ACL_FRAGMENT_SIZE })).not.toThrow();
    expect(MIN_ACL_FRAGMENT_SIZE).toBe(27);
    expect(MAX_ACL_FRAGMENT_SIZE).toBe(65535);
  });
});
