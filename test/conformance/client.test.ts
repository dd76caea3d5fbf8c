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

async function bench(): Promise<{ t: Tester<VirtualBench>; trigger: () => void }> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  const trigger = (): void => {
    t.medium.run((now) => t.medium.iut.connectRfcomm(t.medium.stack.address, 1, now));
  };
  return { t, trigger };
}

describe('client role (the device connects to the tester)', () => {
  it('every client scenario passes against this stack', async () => {
    const { t, trigger } = await bench();
    const results = await runScenarios(t, suite('client'), { address: '', trigger });
    expect(results.filter((r) => r.verdict !== 'PASS').map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`)).toEqual([]);
    const opened = t.medium.iutEvents.filter((e) => e.type === 'rfcomm-open');
    expect(opened).toHaveLength(2);
    expect(opened[1]?.type === 'rfcomm-open' && opened[1].n1).toBe(23);
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
