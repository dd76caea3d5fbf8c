/**
 * Table-driven properties: for every command and event spec, generated values round-trip through
 * the whole H4 packet, the length function matches the encoding, every strict prefix fails, and a
 * parameter block one octet short still decodes (raw) and re-encodes exactly. Plus totality and
 * byte-exact re-encoding on arbitrary bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/index.js';
import {
  COMMAND_LIST,
  decodeHciPacket,
  describeHciPacket,
  encodeHciPacket,
  EVENT_LIST,
  type HciPacket,
  hciPacketLength,
} from '../../src/hci/index.js';
import { commandArb, commandCompleteArb, eventArb, packetOfCommand, packetOfEvent, wellFormedPacketBytes } from './arbitraries.js';

function checkPacket(p: HciPacket): void {
  const b = encodeHciPacket(p);
  expect(b.length).toBe(hciPacketLength(p));
  expect(decodeHciPacket(b)).toEqual(p);
  expect(describeHciPacket(p)).not.toMatch(/\n/);
  for (let n = 0; n < b.length; n++) expect(() => decodeHciPacket(b.subarray(0, n))).toThrow(DecodeError);
  if (b.length > 4) {
    const short = b.slice(0, b.length - 1);
    short[p.type === 'command' ? 3 : 2]--;
    expect(encodeHciPacket(decodeHciPacket(short))).toEqual(short);
  }
}

describe('HCI command table properties', () => {
  it.each(COMMAND_LIST.map((s) => [s.name, s] as const))('%s round-trips, lengths agree, prefixes fail', (_n, spec) => {
    fc.assert(fc.property(commandArb(spec), (c) => checkPacket(packetOfCommand(c))), { numRuns: 40 });
  });
  it.each(COMMAND_LIST.filter((s) => s.returns.length > 0).map((s) => [s.name, s] as const))('Command Complete for %s round-trips', (_n, spec) => {
    fc.assert(
      fc.property(commandCompleteArb(spec), (ev) => {
        expect(ev.name === 'Command Complete' && ev.returns).toBeTruthy();
        checkPacket(packetOfEvent(ev));
      }),
      { numRuns: 40 },
    );
  });
});

describe('HCI event table properties', () => {
  it.each(EVENT_LIST.map((s) => [s.name, s] as const))('%s round-trips, lengths agree, prefixes fail', (_n, spec) => {
    fc.assert(fc.property(eventArb(spec), (ev) => checkPacket(packetOfEvent(ev))), { numRuns: 40 });
  });
});

describe('H4 packet decoding is total and exact', () => {
  it('arbitrary bytes decode or throw DecodeError, and what decodes re-encodes byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        let p: HciPacket;
        try {
          p = decodeHciPacket(b);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          return;
        }
        expect(encodeHciPacket(p)).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });
  it('every well-formed packet decodes and re-encodes byte for byte', () => {
    fc.assert(
      fc.property(wellFormedPacketBytes, (b) => {
        const p = decodeHciPacket(b);
        expect(encodeHciPacket(p)).toEqual(b);
        expect(hciPacketLength(p)).toBe(b.length);
        expect(typeof describeHciPacket(p)).toBe('string');
      }),
      { numRuns: 200 },
    );
  });
});
