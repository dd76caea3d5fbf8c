/**
 * Verdicts can fail: the project's stack with its answers changed on the way out (a deliberately
 * wrong peer) gets FAIL with the bytes seen, NO-ANSWER when it says nothing, INCONCLUSIVE when the
 * set-up cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario, runScenarios } from '../../src/conformance/runner.js';
import { suite } from '../../src/conformance/suite/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';

/** A bench whose IUT's ACL packets pass through `mutate` (hex in, hex out; undefined drops). */
async function wrongPeer(mutate: (aclHex: string) => string | undefined, listen = true): Promise<Tester<VirtualBench>> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  if (listen) t.medium.iut.listenRfcomm(1);
  t.medium.iut.advertise(serialPortRecord({ channel: 1, name: 'Serial' }));
  t.medium.iutOutput = (h4) => {
    if (h4[0] !== 0x02) return h4;
    const out = mutate(hex(h4.subarray(5), ' '));
    return out === undefined ? undefined : Uint8Array.of(...h4.subarray(0, 5), ...fromHex(out.replace(/ /g, '')));
  };
  return t;
}

const scenario = (id: string) => {
  const s = suite('all').find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
};

describe('verdicts against a deliberately wrong peer', () => {
  it('FAIL with the bytes when Command Reject carries the wrong reason (L8)', async () => {
    const t = await wrongPeer((a) => a.replace('01 06 06 00 02 00', '01 06 06 00 00 00'));
    const r = await runScenario(t, scenario('L8'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
    expect(r.seen).toEqual(['01 06 06 00 00 00 12 34 56 78']);
  });

  it('NO-ANSWER when Echo Responses are dropped (L15)', async () => {
    const t = await wrongPeer((a) => (a.startsWith('0c 00 01 00 09') || a.startsWith('08 00 01 00 09') ? undefined : a));
    const r = await runScenario(t, scenario('L15'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('NO-ANSWER');
  });

  it('FAIL when the link is unusable after a bad input (L6 with Echo dropped)', async () => {
    const t = await wrongPeer((a) => (a.includes('09 ') && a.includes('c0 ff ee 00') ? undefined : a));
    const r = await runScenario(t, scenario('L6'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
    expect(r.detail).toMatch(/no longer usable/);
  });

  it('FAIL when the NSC echoes another type octet (R17)', async () => {
    const t = await wrongPeer((a) => a.replace('01 ef 07 11 03 c3 aa', '01 ef 07 11 03 c1 aa'));
    const r = await runScenario(t, scenario('R17'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
    expect(r.seen).toEqual(['01 ef 07 11 03 c1 aa']);
  });

  it('FAIL when an SDP ErrorCode is little-endian (S1)', async () => {
    const t = await wrongPeer((a) => a.replace('01 00 01 00 02 00 03', '01 00 01 00 02 03 00'));
    const r = await runScenario(t, scenario('S1'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
  });

  it('FAIL when a PN response raises N1 (R3)', async () => {
    const t = await wrongPeer((a) => a.replace(/^(.*01 ef 15 81 11 02 e0 07 00) .. ../, '$1 00 04'));
    const r = await runScenario(t, scenario('R3'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
  });

  it('INCONCLUSIVE when the DLC cannot be opened, and most RFCOMM scenarios then are not PASS', async () => {
    const t = await wrongPeer((a) => a, false);
    const r = await runScenario(t, scenario('R19'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('INCONCLUSIVE');
    const all = await runScenarios(t, suite('rfcomm'), { address: t.medium.iut.address });
    expect(all.filter((x) => x.verdict === 'PASS').length).toBeLessThan(all.length);
  });
});
