/**
 * The tester standing aside on one DLCI or one L2CAP channel (`standAside: 'channels'`) while its
 * own stack keeps an RFCOMM channel on the same link: the 'shared' scenarios against this stack on
 * the virtual controller, the routing of frames between the tester and the stack, and a device
 * that answers wrongly on the shared link failing.
 */
import { describe, expect, it } from 'vitest';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario, runScenarios, type ScenarioResult } from '../../src/conformance/runner.js';
import { SHARED_SUITE } from '../../src/conformance/suite/index.js';
import { SHARED_FIRST_CID, Tester } from '../../src/conformance/tester.js';
import { computeFcs } from '../../src/rfcomm/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';

/** A device with server channels 1 and 2 that echoes what every channel receives. */
async function bench(options: { echo?: boolean } = {}): Promise<Tester<VirtualBench>> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  const iut = t.medium.iut;
  iut.listenRfcomm(1);
  iut.listenRfcomm(2);
  iut.advertise(serialPortRecord({ channel: 1, name: 'Serial' }));
  t.medium.onIutEvent((e, now) => {
    if (e.type === 'rfcomm-data' && options.echo !== false) {
      iut.writeRfcomm(e.id, e.data.slice(), now);
      iut.consumeRfcomm(e.id, e.data.length, now);
    }
  });
  return t;
}

const table = (rs: ScenarioResult[]): string => rs.map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`).join('\n');

describe('the tester beside its own stack on one link (virtual controller)', () => {
  it('every shared scenario passes against this stack', async () => {
    const t = await bench();
    const results = await runScenarios(t, SHARED_SUITE, { address: t.medium.iut.address });
    expect(results.filter((r) => r.verdict !== 'PASS'), table(results)).toEqual([]);
    expect(results).toHaveLength(SHARED_SUITE.length);
  });

  it("frames of the tester's DLCI go to the tester; the stack's DLCI, DLCI 0 commands without a DLCI and its signaling stay with the stack", async () => {
    const t = await bench();
    t.standAside('channels');
    await t.connect(t.medium.iut.address);
    const r = await runScenario(t, { ...SHARED_SUITE[0]!, after: [] }, { address: t.medium.iut.address });
    expect(r.verdict, r.detail).toBe('PASS');
    // While the scenario ran, the stack's session carried its own DLC (DLCI 4) and the tester's (DLCI 2):
    // the tester saw RFCOMM frames of DLCI 2 and of DLCI 0 naming DLCI 2 only.
    const rfcomm = t.seen.filter((o) => o.layer === 'rfcomm');
    expect(rfcomm.length).toBeGreaterThan(0);
    for (const o of rfcomm) {
      const dlci = o.bytes[0]! >>> 2;
      if (dlci === 0) expect([0x81, 0x83, 0xe1, 0xe3]).toContain(o.bytes[3]);
      else expect(dlci).toBe(2);
    }
    expect(t.medium.stack.l2cap.channelsOn(t.handle).every((c) => c.cid < SHARED_FIRST_CID)).toBe(true);
  });

  it("the tester's own L2CAP channel takes a CID the stack never allocates, and its Echo answer comes back to it", async () => {
    const t = await bench();
    const r = await runScenario(t, SHARED_SUITE.find((s) => s.id === 'SA4')!, { address: t.medium.iut.address });
    expect(r.verdict, r.detail).toBe('PASS');
    const cids = t.seen.filter((o) => o.layer === 'sdp').map((o) => o.cid);
    expect(cids.length).toBeGreaterThan(0);
    for (const cid of cids) expect(cid).toBeGreaterThanOrEqual(SHARED_FIRST_CID);
  });

  it("a device whose other channel stops echoing fails the stack's check", async () => {
    const t = await bench({ echo: false });
    const results = await runScenarios(t, SHARED_SUITE, { address: t.medium.iut.address });
    for (const r of results) {
      expect(r.verdict, `${r.id}: ${r.detail}`).toBe('FAIL');
      expect(r.detail).toMatch(/stack's own channel echoed 0 of/);
    }
  });

  it('a device that answers a second DLC on the session with DM fails SA1 with the bytes seen', async () => {
    const t = await bench();
    // The device refuses every SABM for DLCI 2 (server channel 1) by rewriting its UA into DM.
    t.medium.iutOutput = (h4) => {
      const at = h4.findIndex((_, i) => i >= 9 && h4[i] === 0x0b && h4[i + 1] === 0x73);
      if (at < 0 || h4[0] !== 0x02) return h4;
      const out = h4.slice();
      out[at + 1] = 0x1f;
      out[at + 3] = 0xff - computeFcs(out.subarray(at, at + 2));
      return out;
    };
    const r = await runScenario(t, SHARED_SUITE[0]!, { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
    expect(r.seen.join(' ')).toContain('0b 1f 01');
  });
});
