/**
 * The client role on the virtual controller: this stack connects to the tester's RFCOMM channel
 * (as a phone connecting to a serial port would) and every client scenario passes; a device
 * whose PN differs gets FAIL.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario, runScenarios } from '../../src/conformance/runner.js';
import { suite } from '../../src/conformance/suite/index.js';
import type { Scenario } from '../../src/conformance/scenario.js';

/**
 * A bench whose trigger makes this stack connect to the tester; for a scenario with a
 * `deviceAction` it also writes 3 × N1 + 1 octets as soon as the channel is open.
 */
async function bench(): Promise<{ t: Tester<VirtualBench>; trigger: (s: Scenario) => void; written: number[] }> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  let sendOn: number | undefined;
  const written: number[] = [];
  t.medium.onIutEvent((e, now) => {
    if (e.type === 'rfcomm-open' && e.id === sendOn) written.push(t.medium.iut.writeRfcomm(e.id, new Uint8Array(3 * e.n1 + 1).fill(0x5a), now));
  });
  const trigger = (s: Scenario): void => {
    const id = t.medium.run((now) => t.medium.iut.connectRfcomm(t.medium.stack.address, 1, now));
    sendOn = s.deviceAction ? id : undefined;
  };
  return { t, trigger, written };
}

describe('client role (the device connects to the tester)', () => {
  it('every client scenario passes against this stack', async () => {
    const { t, trigger, written } = await bench();
    const results = await runScenarios(t, suite('client'), { address: '', trigger });
    expect(results.filter((r) => r.verdict !== 'PASS').map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`)).toEqual([]);
    const opened = t.medium.iutEvents.filter((e) => e.type === 'rfcomm-open');
    // C1, C2, C5–C8 open a DLC; C3 and C4 are refused.
    expect(opened.map((e) => e.type === 'rfcomm-open' && e.n1)).toEqual([opened[0]?.type === 'rfcomm-open' && opened[0].n1, 23, 23, expect.any(Number), expect.any(Number), expect.any(Number)]);
    // C5–C8 had their data: more than three full frames each.
    expect(written.map((n, i) => { const o = opened[2 + i]; return o?.type === 'rfcomm-open' && n === 3 * o.n1 + 1; })).toEqual([true, true, true, true]);
  });

  it('INCONCLUSIVE when the device never connects', async () => {
    const { t } = await bench();
    const r = await runScenario(t, suite('client')[0]!, { address: '', acceptTimeoutMs: 2000 });
    expect(r.verdict).toBe('INCONCLUSIVE');
  });

  it('FAIL with the bytes when the device offers no credits in its PN (C1)', async () => {
    const { t, trigger } = await bench();
    t.medium.iutOutput = (h4) => {
      const text = hex(h4, ' ').replace(/ 83 11 02 f0 /, ' 83 11 02 00 ');
      return fromHex(text.replace(/ /g, ''));
    };
    const r = await runScenario(t, suite('client')[0]!, { address: '', trigger });
    expect(r.verdict).toBe('FAIL');
    expect(r.seen[0]).toMatch(/^03 ef 15 83 11 02 00 /);
  });
});
