import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, concat, fromHex, hex } from '../../src/core/index.js';
import {
  CONFIG_OPTION_SPECS,
  SIGNAL_SPECS,
  basicFrameLength,
  configOptionLength,
  decodeBasicFrame,
  decodeConfigOptions,
  decodeSignal,
  decodeSignalingFrame,
  describeBasicFrame,
  describeConfigOption,
  describeSignal,
  encodeBasicFrame,
  encodeConfigOptions,
  encodeSignal,
  encodeSignalInto,
  firstRequestIdentifier,
  isResponseCode,
  rejectInvalidCid,
  rejectNotUnderstood,
  rejectSignalingMtuExceeded,
  signalLength,
} from '../../src/l2cap/index.js';
import { configOptionArb, configOptionsArb, optionArbs, signalArb, signalArbs, unknownSignalArb } from './support/arbitraries.js';

function totalOn(f: (b: Uint8Array) => unknown): (b: Uint8Array) => void {
  return (b) => {
    try {
      f(b);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
    }
  };
}

describe('signaling command golden vectors (docs/conformance.md P15, L1–L27)', () => {
  const vectors: [string, string][] = [
    ['02 01 04 00 03 00 40 00', 'ConnReq id=1 psm=0x0003 scid=0x0040'],
    ['03 03 08 00 00 00 41 00 02 00 00 00', 'ConnRsp id=3 dcid=0x0000 scid=0x0041 result=2 status=0'],
    ['04 02 08 00 40 00 00 00 01 02 30 00', 'ConfigReq id=2 dcid=0x0040 flags=0x0000 [mtu mtu=48]'],
    ['05 0f 0a 00 40 00 00 00 03 00 7f 02 aa bb', 'ConfigRsp id=15 scid=0x0040 flags=0x0000 result=3 [option 0x7f aabb]'],
    ['04 0e 08 00 40 00 00 00 ff 02 aa bb', 'ConfigReq id=14 dcid=0x0040 flags=0x0000 [option 0x7f hint aabb]'],
    ['06 06 04 00 12 34 56 78', 'DisconnReq id=6 dcid=0x3412 scid=0x7856'],
    ['07 11 04 00 40 00 40 00', 'DisconnRsp id=17 dcid=0x0040 scid=0x0040'],
    ['01 06 06 00 02 00 12 34 56 78', 'CmdReject id=6 reason=2 localCid=0x3412 remoteCid=0x7856'],
    ['01 0a 04 00 01 00 a0 02', 'CmdReject id=10 reason=1 mtuSig=672'],
    ['01 01 02 00 00 00', 'CmdReject id=1 reason=0'],
    ['08 0a 04 00 de ad be ef', 'EchoReq id=10 data=deadbeef'],
    ['09 08 00 00', 'EchoRsp id=8'],
    ['0a 0b 02 00 02 00', 'InfoReq id=11 infoType=2'],
    ['0b 0b 08 00 02 00 00 00 80 00 00 00', 'InfoRsp id=11 infoType=2 result=0 data=80000000'],
    ['0b 0c 0c 00 03 00 00 00 02 00 00 00 00 00 00 00', 'InfoRsp id=12 infoType=3 result=0 data=0200000000000000'],
    ['0b 0d 04 00 34 12 01 00', 'InfoRsp id=13 infoType=4660 result=1'],
    ['ff 01 00 00', 'Signal code=0xff id=1 len=0'],
  ];
  it.each(vectors)('%s', (bytes, described) => {
    const s = decodeSignal(fromHex(bytes));
    expect(describeSignal(s)).toBe(described);
    expect(hex(encodeSignal(s), ' ')).toBe(bytes);
  });

  it('builds the three Command Reject reasons with their data', () => {
    expect(hex(encodeSignal(rejectNotUnderstood(5)), ' ')).toBe('01 05 02 00 00 00');
    expect(hex(encodeSignal(rejectSignalingMtuExceeded(10, 672)), ' ')).toBe('01 0a 04 00 01 00 a0 02');
    expect(hex(encodeSignal(rejectInvalidCid(7, 0x3412, 0)), ' ')).toBe('01 07 06 00 02 00 12 34 00 00');
  });

  it.each([
    ['length field larger than the data (L7 class)', '02 05 05 00 00'],
    ['ConnReq with a 1-byte body (L7)', '02 05 01 00 00'],
    ['ConnReq with 8 data bytes', '02 0c 08 00 03 00 40 00 00 00 00 00'],
    ['Command Reject 0x0002 with 2 data bytes', '01 01 04 00 02 00 12 34'],
    ['Command Reject 0x0000 with data', '01 01 03 00 00 00 99'],
    ['InfoRsp success, features with 2 bytes', '0b 01 06 00 02 00 00 00 80 00'],
    ['ConfigReq with an option overrunning the command', '04 01 08 00 40 00 00 00 01 05 30 00'],
    ['ConfigReq with an MTU option of 3 bytes', '04 01 09 00 40 00 00 00 01 03 30 00 00'],
    ['header only 3 bytes', '08 01 00'],
  ])('rejects %s with DecodeError', (_what, bytes) => {
    expect(() => decodeSignal(fromHex(bytes))).toThrow(DecodeError);
  });
});

describe('signaling command properties', () => {
  it.each(signalArbs.map((s) => [s.name, s.arb] as const))('%s: round trip, length, describe', (_name, arb) => {
    fc.assert(
      fc.property(arb, (s) => {
        const bytes = encodeSignal(s);
        expect(bytes.length).toBe(signalLength(s));
        expect(decodeSignal(bytes)).toEqual(s);
        expect(describeSignal(s)).not.toContain('\n');
      }),
      { numRuns: 150 },
    );
  });

  it('unknown codes round-trip as raw data', () => {
    fc.assert(fc.property(unknownSignalArb, (s) => {
      expect(decodeSignal(encodeSignal(s))).toEqual(s);
    }), { numRuns: 100 });
  });

  it('every strict prefix of a command fails', () => {
    fc.assert(
      fc.property(signalArb, (s) => {
        const bytes = encodeSignal(s);
        for (let n = 0; n < bytes.length; n++) expect(() => decodeSignal(bytes.subarray(0, n))).toThrow(DecodeError);
      }),
      { numRuns: 100 },
    );
  });

  it('encodeSignalInto writes at an offset and returns the octets written', () => {
    fc.assert(
      fc.property(signalArb, fc.integer({ min: 0, max: 9 }), (s, at) => {
        const out = new Uint8Array(at + signalLength(s) + 3);
        expect(encodeSignalInto(s, out, at)).toBe(signalLength(s));
        expect(out.subarray(at, at + signalLength(s))).toEqual(encodeSignal(s));
      }),
      { numRuns: 100 },
    );
  });

  it('decoding is total on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), totalOn(decodeSignal)), { numRuns: 200 });
    const headed = fc
      .tuple(fc.constantFrom(...SIGNAL_SPECS.map((s) => s.code)), fc.uint8Array({ maxLength: 40 }))
      .map(([code, data]) => concat(Uint8Array.of(code, 1, data.length & 0xff, data.length >> 8), data));
    fc.assert(fc.property(headed, totalOn(decodeSignal)), { numRuns: 200 });
  });
});

describe('C-frames with several commands', () => {
  it('splits complete commands and keeps the truncated tail (L10, L11)', () => {
    fc.assert(
      fc.property(fc.array(signalArb, { maxLength: 5 }), fc.uint8Array({ maxLength: 3 }), (signals, junk) => {
        const tail = junk.length === 0 ? new Uint8Array(0) : concat(junk, Uint8Array.of(0xff, 0xff)).subarray(0, junk.length);
        const payload = concat(...signals.map(encodeSignal), tail);
        const frame = decodeSignalingFrame(payload);
        expect(frame.commands.map((c) => (c.kind === 'signal' ? c.signal : c))).toEqual(signals);
        if (tail.length) expect(frame.tail).toEqual(tail);
        else expect(frame.tail).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('marks a malformed command and goes on', () => {
    const frame = decodeSignalingFrame(fromHex('02 05 01 00 00 08 09 00 00 08 02 01 00'));
    expect(frame.commands.map((c) => c.kind)).toEqual(['malformed', 'signal']);
    expect(frame.commands[0]).toMatchObject({ code: 2, identifier: 5 });
    expect(hex(frame.tail!, ' ')).toBe('08 02 01 00');
  });

  it('never throws on arbitrary payloads and re-encodes what it decoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        const frame = decodeSignalingFrame(b);
        const again = concat(...frame.commands.map((c) => (c.kind === 'signal' ? encodeSignal(c.signal) : c.bytes)), frame.tail ?? new Uint8Array(0));
        expect(again).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Command Reject data by reason (§4.1)', () => {
  it('describe shows the actual MTUsig and the CID pair; the decoded object keeps its raw data', () => {
    const mtu = decodeSignal(fromHex('01 0a 04 00 01 00 a0 02'));
    expect(mtu).toEqual({ type: 'command-reject', identifier: 10, reason: 1, data: fromHex('a0 02') });
    expect(describeSignal(mtu)).toBe('CmdReject id=10 reason=1 mtuSig=672');
    const cid = decodeSignal(fromHex('01 07 06 00 02 00 40 00 41 00'));
    expect(cid).toEqual({ type: 'command-reject', identifier: 7, reason: 2, data: fromHex('40 00 41 00') });
    expect(describeSignal(cid)).toBe('CmdReject id=7 reason=2 localCid=0x0040 remoteCid=0x0041');
    expect(describeSignal(rejectNotUnderstood(3))).toBe('CmdReject id=3 reason=0');
  });

  it('a reason this codec does not know keeps its data raw', () => {
    const s = decodeSignal(fromHex('01 01 04 00 05 00 aa bb'));
    expect(describeSignal(s)).toBe('CmdReject id=1 reason=5 data=aabb');
    expect(hex(encodeSignal(s), ' ')).toBe('01 01 04 00 05 00 aa bb');
  });
});

describe('firstRequestIdentifier (the identifier of a Command Reject 0x0001, §4.1)', () => {
  it.each([
    ['an oversized EchoReq', '08 0a b8 02', 0x0a],
    ['an EchoRsp then an EchoReq', '09 55 04 00 de ad be ef 08 56 00 00', 0x56],
    ['a Command Reject then a ConnReq cut short', '01 01 02 00 00 00 02 09 04', 0x09],
    ['an unknown code (not a known response)', 'ff 07 00 00', 0x07],
    ['only an oversized EchoRsp', '09 55 b8 02', undefined],
    ['only responses', '03 01 08 00 40 00 40 00 00 00 00 00 05 02 06 00 40 00 00 00 00 00', undefined],
    ['a response header cut short', '09 55 04', undefined],
    ['one byte', '08', undefined],
    ['nothing', '', undefined],
  ])('%s', (_what, payload, expected) => {
    expect(firstRequestIdentifier(fromHex(payload))).toBe(expected);
  });

  it('is the identifier of the first command that is not a response, for any list of commands', () => {
    fc.assert(
      fc.property(fc.array(signalArb, { maxLength: 5 }), (signals) => {
        const first = signals.find((s) => !isResponseCode(encodeSignal(s)[0]));
        expect(firstRequestIdentifier(concat(...signals.map(encodeSignal)))).toBe(first?.identifier);
      }),
      { numRuns: 150 },
    );
  });
});

describe('configuration options', () => {
  it.each(CONFIG_OPTION_SPECS.map((s, i) => [s.type, optionArbs[i]] as const))('%s: round trip, length, every strict prefix fails', (_t, arb) => {
    fc.assert(
      fc.property(arb, (o) => {
        const bytes = encodeConfigOptions([o]);
        expect(bytes.length).toBe(configOptionLength(o));
        expect(decodeConfigOptions(bytes)).toEqual([o]);
        for (let n = 1; n < bytes.length; n++) expect(() => decodeConfigOptions(bytes.subarray(0, n))).toThrow(DecodeError);
        expect(describeConfigOption(o)).not.toContain('\n');
      }),
      { numRuns: 100 },
    );
  });

  it('lists round-trip and keep unknown options with their hint bit', () => {
    fc.assert(fc.property(configOptionsArb, (list) => {
      expect(decodeConfigOptions(encodeConfigOptions(list))).toEqual(list);
    }), { numRuns: 150 });
    expect(decodeConfigOptions(fromHex('ff 02 aa bb 7f 00'))).toEqual([
      { type: 'unknown', hint: true, optionType: 0x7f, data: fromHex('aa bb') },
      { type: 'unknown', hint: false, optionType: 0x7f, data: new Uint8Array(0) },
    ]);
  });

  it('decodes the basic-mode RFC option and an MTU hint', () => {
    expect(decodeConfigOptions(fromHex('04 09 00 00 00 00 00 00 00 00 00 81 02 30 00'))).toEqual([
      { type: 'retransmission-flow-control', hint: false, mode: 0, txWindowSize: 0, maxTransmit: 0, retransmissionTimeout: 0, monitorTimeout: 0, maxPduSize: 0 },
      { type: 'mtu', hint: true, mtu: 48 },
    ]);
  });

  it('is total on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), totalOn(decodeConfigOptions)), { numRuns: 200 });
  });

  it('refuses a value that does not fit its field', () => {
    expect(() => encodeConfigOptions([{ type: 'mtu', hint: false, mtu: 0x10000 }])).toThrow(expect.objectContaining({ code: 'BT_ARGUMENT', argument: 'mtu' }));
    expect(() => encodeConfigOptions([{ type: 'unknown', hint: false, optionType: 0x80, data: new Uint8Array(0) }])).toThrow(/0\.\.127/);
    fc.assert(fc.property(configOptionArb, (o) => {
      expect(configOptionLength(o)).toBeGreaterThanOrEqual(2);
    }), { numRuns: 20 });
  });
});

describe('basic frame', () => {
  it('encodes and decodes the header (golden)', () => {
    const f = decodeBasicFrame(fromHex('08 00 01 00 08 01 00 00 08 09 00 00'));
    expect(f.cid).toBe(1);
    expect(hex(f.payload, ' ')).toBe('08 01 00 00 08 09 00 00');
    expect(describeBasicFrame(f)).toBe('L2CAP cid=0x0001 len=8 0801000008090000');
  });

  it('round-trips, length, every strict prefix and any extra byte fail', () => {
    const arb = fc.record({ cid: fc.integer({ min: 0, max: 0xffff }), payload: fc.uint8Array({ maxLength: 700 }) });
    fc.assert(
      fc.property(arb, (f) => {
        const b = encodeBasicFrame(f);
        expect(b.length).toBe(basicFrameLength(f));
        expect(decodeBasicFrame(b)).toEqual(f);
        expect(() => decodeBasicFrame(b.subarray(0, b.length - 1))).toThrow(DecodeError);
        expect(() => decodeBasicFrame(concat(b, Uint8Array.of(0)))).toThrow(DecodeError);
      }),
      { numRuns: 100 },
    );
  });

  it('is total on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), totalOn(decodeBasicFrame)), { numRuns: 200 });
  });
});
