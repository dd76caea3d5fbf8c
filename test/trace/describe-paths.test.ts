/**
 * `PacketDecoder.describe` takes two short cuts (src/trace/describe.ts): it reads ACL packets in
 * place, and it remembers the lines of commands and events it has described. Its lines must be
 * exactly those of `describeDecoded(decode(…))`, the path every other packet takes, whatever the
 * stream — for every record of the real captures, and for random streams: ACL packets on a link
 * whose RFCOMM channel the trace opened (whole and fragmented PDUs, RFCOMM frames of every type,
 * MCC on DLCI 0, credits, long lengths, damaged frames, orphan continuations, broadcast, empty and
 * malformed ACL packets, PDUs on channels of other PSMs or none), and commands and events that
 * repeat.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSignal } from '../../src/l2cap/decoding.js';
import { encodeRfcommFrame, type RfcommFrame } from '../../src/rfcomm/decoding.js';
import { describeDecoded, PacketDecoder, readCaptureWithStats } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { h4Record } from './arbitraries.js';

type Direction = 'tx' | 'rx';
interface Packet {
  direction: Direction;
  h4: Uint8Array;
}

/** Feeds the same packets to two decoders, one describing in place, one through `decode`; the lines agree. */
function expectSameLines(packets: Iterable<Packet>): number {
  const inPlace = new PacketDecoder();
  const decoded = new PacketDecoder();
  let n = 0;
  for (const { direction, h4 } of packets) {
    n++;
    const lines = inPlace.describe(direction, h4);
    const expected = describeDecoded(decoded.decode(direction, h4), h4);
    if (lines.join('\n') !== expected.join('\n')) expect({ packet: n, lines }).toEqual({ packet: n, lines: expected });
  }
  return n;
}

function acl(handle: number, pb: number, bc: number, data: Uint8Array, length = data.length): Uint8Array {
  return Uint8Array.from([0x02, handle & 0xff, (handle >> 8) | (pb << 4) | (bc << 6), length & 0xff, length >> 8, ...data]);
}

function l2cap(cid: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8, ...payload]);
}

/** A PDU in ACL packets of at most `size` data octets: PB 0b10 then continuations. */
function fragments(handle: number, pdu: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < pdu.length; at += size) out.push(acl(handle, at === 0 ? 0b10 : 0b01, 0, pdu.subarray(at, at + size)));
  return out;
}

const HANDLE = 0x0b;
/** The channel the stream opens for RFCOMM: the requester (tx) receives on SCID, sends to DCID. */
const SCID = 0x0040;
const DCID = 0x0051;
const OTHER_PSM_DCID = 0x0052;

/** Connection Requests and Responses (Vol 3 Part A §4.2–4.3) that map the stream's CIDs to PSMs. */
function openChannels(): Packet[] {
  const signal = (direction: Direction, bytes: Uint8Array): Packet => ({ direction, h4: acl(HANDLE, 0b10, 0, l2cap(0x0001, bytes)) });
  return [
    signal('tx', encodeSignal({ type: 'connection-request', identifier: 1, psm: 0x0003, scid: SCID })),
    signal('rx', encodeSignal({ type: 'connection-response', identifier: 1, dcid: DCID, scid: SCID, result: 0, status: 0 })),
    signal('tx', encodeSignal({ type: 'connection-request', identifier: 2, psm: 0x1001, scid: 0x0041 })),
    signal('rx', encodeSignal({ type: 'connection-response', identifier: 2, dcid: OTHER_PSM_DCID, scid: 0x0041, result: 0, status: 0 })),
  ];
}

/** Any length up to 300 (fast-check's default size would keep arrays short: long frames and many fragments matter here). */
const info = fc.integer({ min: 0, max: 300 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const ascii = fc.string({ unit: fc.constantFrom('A', 'T', '0', '\r', '\n', '"', '\\', ' ', '>'), maxLength: 60 }).map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0)));

const rfcommFrame: fc.Arbitrary<Uint8Array> = fc
  .record({
    type: fc.constantFrom('SABM', 'UA', 'DM', 'DISC', 'UI', 'UIH', 'UIH'),
    dlci: fc.oneof(fc.constant(0), fc.constant(2), fc.integer({ min: 0, max: 63 })),
    cr: fc.boolean(),
    pf: fc.boolean(),
    credits: fc.integer({ min: 0, max: 255 }),
    info: fc.oneof(info, ascii, fc.constant(Uint8Array.from([0xe3, 0x05, 0x07, 0x0d]))),
    longLength: fc.boolean(),
  })
  .map(({ type, dlci, cr, pf, credits, info, longLength }) => {
    const withCredits = type === 'UIH' && pf && dlci !== 0;
    const frame = { type, dlci, cr, pf, info, ...(longLength ? { longLength } : {}), ...(withCredits ? { credits } : {}) } as RfcommFrame;
    return encodeRfcommFrame(frame);
  });

/** A frame with one octet changed (a bad FCS, type, length or address). */
const damagedFrame = fc.tuple(rfcommFrame, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, at, x]) => {
  const out = f.slice();
  out[at % out.length] ^= x;
  return out;
});

/** One step of the stream: the ACL packets it sends, in one direction. */
const step: fc.Arbitrary<Packet[]> = fc.oneof(
  fc.tuple(fc.constantFrom<Direction>('tx', 'rx'), fc.oneof(rfcommFrame, damagedFrame, info), fc.integer({ min: 1, max: 400 })).map(([direction, payload, size]) =>
    fragments(HANDLE, l2cap(direction === 'tx' ? DCID : SCID, payload), size).map((h4) => ({ direction, h4 })),
  ),
  fc.tuple(fc.constantFrom<Direction>('tx', 'rx'), fc.constantFrom(OTHER_PSM_DCID, 0x0077, 0x0001), info, fc.integer({ min: 1, max: 400 })).map(([direction, cid, payload, size]) =>
    fragments(HANDLE, l2cap(cid, payload), size).map((h4) => ({ direction, h4 })),
  ),
  // A PDU cut short: its first fragments only, so that the next start drops it.
  fc.tuple(rfcommFrame, fc.integer({ min: 1, max: 20 })).map(([frame, size]) => fragments(HANDLE, l2cap(DCID, frame), size).slice(0, 1).map((h4) => ({ direction: 'tx' as const, h4 }))),
  fc.tuple(fc.constantFrom<Direction>('tx', 'rx'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), info).map(([direction, pb, bc, data]) => [{ direction, h4: acl(HANDLE, pb, bc, data) }]),
  // ACL headers whose length disagrees with the octets, and packets too short for a header.
  fc.tuple(info, fc.integer({ min: 0, max: 0xffff })).map(([data, length]) => [{ direction: 'rx' as const, h4: acl(HANDLE, 0b10, 0, data, length === data.length ? length + 1 : length) }]),
  fc.uint8Array({ maxLength: 4 }).map((tail) => [{ direction: 'rx' as const, h4: Uint8Array.from([0x02, ...tail]) }]),
);

/** Commands and events, each likely to come again: a few distinct packets drawn many times. */
const repeatedHci: fc.Arbitrary<Packet[]> = fc
  .array(fc.oneof(h4Record.filter((r) => r.h4[0] === 0x01 || r.h4[0] === 0x04), fc.constant({ direction: 'rx' as const, h4: Uint8Array.from([0x04, 0x13, 0x05, 0x01, 0x0b, 0x00, 0x01, 0x00]) })), { minLength: 1, maxLength: 5 })
  .chain((distinct) => fc.array(fc.constantFrom(...distinct), { maxLength: 30 }))
  .map((records) => records.map(({ direction, h4 }) => ({ direction, h4 })));

function disconnectionComplete(handle: number): Packet {
  return { direction: 'rx', h4: Uint8Array.from([0x04, 0x05, 0x04, 0x00, handle & 0xff, handle >> 8, 0x13]) };
}

describe('describe, reading ACL in place and remembering commands and events, gives the lines of decode', () => {
  it('for random streams on a link with an RFCOMM channel open', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        expectSameLines([...openChannels(), ...steps.flat()]);
      }),
      { numRuns: 300 },
    );
  });

  it('for random repeated commands and events, mixed with ACL streams', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(step, repeatedHci), { maxLength: 20 }), (steps) => {
        expectSameLines([...openChannels(), ...steps.flat()]);
      }),
      { numRuns: 300 },
    );
  });

  it('a Disconnection Complete that comes again still ends what the decoder knew of the link', () => {
    // The first AVDTP channel of a link carries signaling, those opened while it is up carry media
    // (AVDTP 1.3 §5.4.4); once the link is gone, the next first channel is signaling again.
    const decoder = new PacketDecoder();
    const roleOfNewChannel = (identifier: number, scid: number): unknown => {
      const request = acl(HANDLE, 0b10, 0, l2cap(0x0001, encodeSignal({ type: 'connection-request', identifier, psm: 0x0019, scid })));
      decoder.describe('tx', request);
      // The requester receives on its SCID; 12 octets that read as an AVDTP signal and as an RTP header.
      const avdtp = decoder.decode('rx', acl(HANDLE, 0b10, 0, l2cap(scid, Uint8Array.from([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])))).avdtp;
      return avdtp && 'channel' in avdtp ? avdtp.channel : avdtp;
    };
    const disconnect = (): void => void decoder.describe('rx', disconnectionComplete(HANDLE).h4);
    expect([roleOfNewChannel(1, 0x40), roleOfNewChannel(2, 0x41)]).toEqual(['signaling', 'media']);
    disconnect();
    expect(roleOfNewChannel(3, 0x42)).toBe('signaling');
    disconnect();
    expect([roleOfNewChannel(4, 0x43), roleOfNewChannel(5, 0x44)]).toEqual(['signaling', 'media']);
  });

  it('returns lines of its own each time: changing them changes nothing remembered', () => {
    const decoder = new PacketDecoder();
    const event = disconnectionComplete(1).h4.slice();
    event[1] = 0x13;
    const first = decoder.describe('rx', event);
    first.push('changed');
    expect(decoder.describe('rx', event)).toEqual(first.slice(0, -1));
  });

  it('describes an RFCOMM data frame layer by layer', () => {
    const frame = encodeRfcommFrame({ type: 'UIH', dlci: 2, cr: true, pf: false, info: Uint8Array.from([0x41, 0x54, 0x0d]) });
    const packets = [...openChannels(), { direction: 'tx' as const, h4: acl(HANDLE, 0b10, 0, l2cap(DCID, frame)) }];
    const decoder = new PacketDecoder();
    const lines = packets.map((p) => decoder.describe(p.direction, p.h4)).at(-1);
    expect(lines).toEqual(['ACL handle=0x00b pb=first bc=0 len=11', '  L2CAP cid=0x0051 psm=RFCOMM len=7', '    RFCOMM UIH dlci=2 cr=1 pf=0 len=3', '      data "AT\\r"']);
  });

  const missing = tracesMissing();
  it.skipIf(missing).each(traceFiles())('for every record of %s', (name) => {
    const { records } = readCaptureWithStats(new Uint8Array(readFileSync(tracePath(name))));
    const n = expectSameLines(records.map((r) => ({ direction: r.direction, h4: r.h4 })));
    expect(n).toBe(records.length);
  });
});
