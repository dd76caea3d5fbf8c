/** The conformance tester on the virtual controller: raw frames out, decoded frames back. */
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { Tester, PSM } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { rfcommFrame, signalCommand } from '../../src/conformance/frames.js';

async function bench(): Promise<Tester<VirtualBench>> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  t.medium.iut.listenRfcomm(1);
  await t.connect(t.medium.iut.address);
  return t;
}

describe('Tester on the virtual controller', () => {
  it('sends an Echo Request and reads the Echo Response', async () => {
    const t = await bench();
    t.sendSignal('08 77 02 00 ab cd');
    const o = await t.next({ layer: 'signaling' });
    expect(o && hex(o.bytes, ' ')).toBe('09 77 02 00 ab cd');
    expect(o?.summary).toBe('Echo Response id 119');
  });

  it('opens PSM 3 with its own signaling and speaks RFCOMM on it', async () => {
    const t = await bench();
    const ch = await t.openChannel(PSM.RFCOMM);
    if (typeof ch === 'string') throw new Error(ch);
    t.sendOn(ch, rfcommFrame({ dlci: 0, control: 'SABM', pf: 1 }));
    const ua = await t.next({ layer: 'rfcomm' });
    expect(ua && hex(ua.bytes, ' ')).toBe('03 73 01 d7');
    t.sendOn(ch, rfcommFrame({ dlci: 0, control: 'SABM', pf: 1, fcs: 'wrong' }));
    expect(await t.next({ layer: 'rfcomm' }, 2000)).toBeUndefined();
  });

  it('sends a C-frame in two ACL fragments', async () => {
    const t = await bench();
    t.sendSignal(signalCommand({ code: 0x08, identifier: 5, data: '01020304' }), { fragments: [3, 20] });
    const o = await t.next({ layer: 'signaling' });
    expect(o && hex(o.bytes, ' ')).toBe('09 05 04 00 01 02 03 04');
  });
});

describe('Tester.frames', () => {
  it('iterates the frames matching a filter as they come, and ends when none come', async () => {
    const t = await bench();
    t.sendSignal('08 01 00 00 0a 02 02 00 02 00 08 03 00 00');
    const codes: number[] = [];
    for await (const f of t.frames({ layer: 'signaling', match: (o) => o.bytes[0] === 0x09 }, 1000)) codes.push(f.bytes[1]!);
    expect(codes).toEqual([1, 3]);
    expect(t.take({ layer: 'signaling' }).map((o) => o.summary)).toEqual(['Information Response id 2']);
  });
});
