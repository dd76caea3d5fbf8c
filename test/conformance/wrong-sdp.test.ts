/**
 * The SDP scenarios added for forged, replayed and out-of-order requests can fail: the project's
 * stack with its SDP answers changed on the way out gets FAIL with the bytes seen.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario } from '../../src/conformance/runner.js';
import { suite } from '../../src/conformance/suite/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';
import { fillPattern, matchPattern, type Captures } from '../../src/conformance/hex-pattern.js';
import { checkScenario } from '../../src/conformance/scenario.js';

/** Runs SDP scenario `id` with the device's ACL payloads rewritten by `mutate` (same length). */
async function run(id: string, mutate: (aclHex: string) => string) {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  t.medium.iut.advertise(serialPortRecord({ channel: 1, name: 'Serial' }));
  t.medium.iutOutput = (h4) => (h4[0] !== 0x02 ? h4 : Uint8Array.of(...h4.subarray(0, 5), ...fromHex(mutate(hex(h4.subarray(5), ' ')).replace(/ /g, ''))));
  return runScenario(t, suite('sdp').find((s) => s.id === id)!, { address: t.medium.iut.address });
}

describe('tail captures <name*>', () => {
  it('capture the rest of a PDU (one octet or more) and send it back', () => {
    const c: Captures = new Map();
    expect(matchPattern('07 00 0a <clen> <token*>', Uint8Array.of(7, 0, 10, 2, 0xab, 0xcd), c)).toBe(true);
    expect(hex(fillPattern('06 <clen> <token*>', c), ' ')).toBe('06 02 ab cd');
    expect(matchPattern('07 <token*>', Uint8Array.of(7, 0xab, 0xcd), c)).toBe(true);
    expect(matchPattern('07 <token*>', Uint8Array.of(7, 0xab), c)).toBe(false);
    expect(matchPattern('07 <rest*>', Uint8Array.of(7))).toBe(false);
    expect(() => matchPattern('<rest*> 00', Uint8Array.of(7))).toThrow(/must come last/);
  });
});

describe('scenario fields of the new steps are checked', () => {
  const base = { id: 'X', title: 't', rule: 'S4', spec: 's' };
  it('computeLength goes with send "sdp" only; deviceAction with the client role only; drop patterns are patterns', () => {
    expect(() => checkScenario({ ...base, steps: [{ send: 'signaling', hex: '08 01 00 00', computeLength: true }] })).toThrow(/computeLength/);
    expect(() => checkScenario({ ...base, deviceAction: 'send data', steps: [] })).toThrow(/deviceAction/);
    expect(() => checkScenario({ ...base, steps: [{ expect: 'sdp', hex: '01', drop: ['zz'] }] })).toThrow(/not an octet/);
    expect(checkScenario({ ...base, steps: [{ send: 'sdp', hex: '02 00 01 00 00 <token*>', computeLength: true }] }).steps).toHaveLength(1);
  });
});

describe('SDP verdicts against a deliberately wrong server', () => {
  it('scenario S8: another error code for a continuation state of another request gets FAIL', async () => {
    const r = await run('S8', (a) => a.replace('01 00 0b 00 02 00 05', '01 00 0b 00 02 00 03'));
    expect(r.verdict).toBe('FAIL');
    expect(r.seen).toEqual(['01 00 0b 00 02 00 03']);
  });

  it('scenario S9: a replayed continuation state taken as an offset (the next part again) gets FAIL', async () => {
    // The answer to the replay turned into a response PDU of the same size.
    const r = await run('S9', (a) => a.replace('01 00 0e 00 02 00 05', '07 00 0e 00 02 00 00'));
    expect(r.verdict).toBe('FAIL');
    expect(r.seen).toEqual(['07 00 0e 00 02 00 00']);
  });

  it('scenario S10: an answer that names the attributes in the request order gets FAIL', async () => {
    const r = await run('S10', (a) => a.replace(/(05 00 10 .. .. .. .. 35 .. )09 00 00/, '$109 00 04'));
    expect(r.verdict).toBe('FAIL');
    expect(r.seen[0]).toMatch(/^05 00 10 .. .. .. .. 35 .. 09 00 04 0a /);
  });

  it('scenario S11: a server that lets MaximumAttributeByteCount 6 pass gets FAIL', async () => {
    const r = await run('S11', (a) => a.replace('01 00 12 00 02 00 03', '01 00 12 00 02 00 02'));
    expect(r.verdict).toBe('FAIL');
  });
});
