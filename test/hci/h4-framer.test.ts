/** H4 framer: chunking invariance, caps, the error state and vendor packets (docs/conformance.md H5, RB-H4). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, DecodeError, fromHex } from '../../src/core/index.js';
import { H4Framer } from '../../src/hci/index.js';
import { wellFormedPacketBytes } from './arbitraries.js';

function drain(f: H4Framer): (Uint8Array | DecodeError)[] {
  const out: (Uint8Array | DecodeError)[] = [];
  for (let x = f.poll(); x !== undefined; x = f.poll()) out.push(x);
  return out;
}

describe('H4Framer', () => {
  it('any split of a byte stream gives the same packets', () => {
    fc.assert(
      fc.property(fc.array(wellFormedPacketBytes, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (packets, cuts) => {
        const stream = concat(...packets);
        const points = [...new Set(cuts.map((c) => (stream.length ? c % (stream.length + 1) : 0)))].sort((a, b) => a - b);
        const f = new H4Framer();
        let prev = 0;
        const out: (Uint8Array | DecodeError)[] = [];
        for (const p of [...points, stream.length]) {
          f.push(stream.subarray(prev, p));
          out.push(...drain(f));
          prev = p;
        }
        expect(out).toEqual(packets);
      }),
      { numRuns: 200 },
    );
  });

  it('byte-by-byte feeding frames every packet', () => {
    const stream = fromHex('01 03 0c 00 04 0e 04 01 03 0c 00 02 0b 20 04 00 de ad be ef');
    const f = new H4Framer();
    const out: (Uint8Array | DecodeError)[] = [];
    for (const b of stream) {
      f.push(Uint8Array.of(b));
      out.push(...drain(f));
    }
    expect(out).toEqual([fromHex('01 03 0c 00'), fromHex('04 0e 04 01 03 0c 00'), fromHex('02 0b 20 04 00 de ad be ef')]);
  });

  it('H5 truncated event waits for its bytes and never throws', () => {
    const f = new H4Framer();
    f.push(fromHex('04 0e 10 01'));
    expect(drain(f)).toEqual([]);
    f.push(new Uint8Array(15));
    expect(drain(f)).toHaveLength(1);
  });

  it('unknown indicator: one DecodeError, then the framer stops and counts discarded bytes', () => {
    const f = new H4Framer();
    f.push(fromHex('01 03 0c 00 09 01 02 03'));
    const out = drain(f);
    expect(out[0]).toEqual(fromHex('01 03 0c 00'));
    expect(out[1]).toBeInstanceOf(DecodeError);
    expect((out[1] as DecodeError).offset).toBe(4);
    expect(f.failed).toBe(true);
    f.push(fromHex('01 03 0c 00'));
    expect(drain(f)).toEqual([]);
    expect(f.discardedBytes).toBe(8);
    f.reset();
    f.push(fromHex('01 03 0c 00'));
    expect(drain(f)).toEqual([fromHex('01 03 0c 00')]);
  });

  it('ACL length above the cap is a framing error, not a wait', () => {
    const f = new H4Framer({ maxDataLength: 1021 });
    f.push(fromHex('02 0b 20 fe 03'));
    const out = drain(f);
    expect(out).toHaveLength(1);
    expect((out[0] as DecodeError).reason).toMatch(/1022 data bytes, more than the cap of 1021/);
    const ok = new H4Framer({ maxDataLength: 1021 });
    ok.push(concat(fromHex('02 0b 20 fd 03'), new Uint8Array(1021)));
    expect(drain(ok)).toHaveLength(1);
  });

  it('vendor packets 0x07 (63 octets) are framed only with vendorPackets', () => {
    const diag = concat(Uint8Array.of(0x07), new Uint8Array(63).fill(0x5a));
    const stream = concat(diag, fromHex('04 0e 04 01 03 0c 00'));
    const on = new H4Framer({ vendorPackets: true });
    on.push(stream);
    expect(drain(on)).toEqual([diag, fromHex('04 0e 04 01 03 0c 00')]);
    const off = new H4Framer();
    off.push(stream);
    expect(drain(off)[0]).toBeInstanceOf(DecodeError);
  });

  it('a vendor format with a length field skips its payload', () => {
    const f = new H4Framer({ vendorPackets: true, vendorFormats: [{ indicator: 0xff, headerLength: 2, lengthOffset: 1, lengthSize: 1 }] });
    f.push(fromHex('ff 00 03 aa bb cc 01 03 0c 00'));
    expect(drain(f)).toEqual([fromHex('ff 00 03 aa bb cc'), fromHex('01 03 0c 00')]);
  });
});
