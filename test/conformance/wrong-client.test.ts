/**
 * The client-role scenarios can fail: this stack connects to the tester, with what it receives or
 * sends rewritten on the way (a device that misreads the tester's PN or MSC, or that sends on a
 * refused DLC). Each such device gets FAIL with the bytes seen.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario } from '../../src/conformance/runner.js';
import type { Scenario } from '../../src/conformance/scenario.js';
import { suite } from '../../src/conformance/suite/index.js';

type Rewrite = (aclHex: string) => string | undefined;

/** Applies `rewrite` to the payload of ACL packets (same length: the headers stay). */
const onAcl =
  (rewrite: Rewrite) =>
  (h4: Uint8Array): Uint8Array | undefined => {
    if (h4[0] !== 0x02) return h4;
    const out = rewrite(hex(h4.subarray(5), ' '));
    return out === undefined ? undefined : Uint8Array.of(...h4.subarray(0, 5), ...fromHex(out.replace(/ /g, '')));
  };

/** Runs client scenario `id` against this stack with its input and output rewritten; it writes 3 × N1 + 1 octets once open. */
async function run(id: string, input: Rewrite, output: Rewrite = (a) => a) {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  t.medium.iutInput = onAcl(input);
  t.medium.iutOutput = onAcl(output);
  let sendOn: number | undefined;
  t.medium.onIutEvent((e, now) => {
    if (e.type === 'rfcomm-open' && e.id === sendOn) t.medium.iut.writeRfcomm(e.id, new Uint8Array(3 * e.n1 + 1).fill(0x5a), now);
  });
  const trigger = (s: Scenario): void => {
    const dlc = t.medium.run((now) => t.medium.iut.connectRfcomm(t.medium.stack.address, 1, now));
    sendOn = s.deviceAction ? dlc : undefined;
  };
  const scenario = suite('client').find((s) => s.id === id)!;
  return { r: await runScenario(t, scenario, { address: '', trigger }), t };
}

/** A UIH on DLCI 2 from the device (initiator). */
const dataFrame = (seen: string): boolean => /^0b (ef|ff) /.test(seen);

describe('client-role verdicts against a deliberately wrong device', () => {
  it('C5: a device that keeps its own N1 after the tester lowered it to 23 gets FAIL', async () => {
    const { r } = await run('C5', (a) => a.replace(/81 11 (..) e0 (..) 00 17 00/, '81 11 $1 e0 $2 00 7f 00'));
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.seen[0]).toMatch(/^0b (ef|ff) ff /);
  });

  it('C6: a device that sends without credits gets FAIL with its data frame', async () => {
    const { r } = await run('C6', (a) => a.replace(/81 11 (..) e0 (.. 00 .. ..) 00 00/, '81 11 $1 e0 $2 00 07'));
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.seen.some(dataFrame)).toBe(true);
  });

  it('C6: a device that sends a third frame on two credits gets FAIL', async () => {
    // The device reads the grant of 2 as 3.
    const { r } = await run('C6', (a) => a.replace(/^(.. .. .. .. 09 ff 01) 02/, '$1 03'));
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.detail).toMatch(/credits spent|expected no rfcomm/);
    expect(r.seen).toHaveLength(1);
  });

  it('C7: a device that answers MSC FC = 1 but goes on sending gets FAIL', async () => {
    const { r } = await run(
      'C7',
      (a) => a.replace(/e3 05 (..) 8f/, 'e3 05 $1 8d'),
      (a) => a.replace(/e1 05 (..) 8d/, 'e1 05 $1 8f'),
    );
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.seen.some(dataFrame)).toBe(true);
  });

  it('C8: a device that answers FCoff but goes on sending gets FAIL', async () => {
    // FCoff reaches it as a Test command; its Test response goes back as the FCoff response.
    const { r } = await run(
      'C8',
      (a) => a.replace(/01 ef 05 63 01/, '01 ef 05 23 01'),
      (a) => a.replace(/03 ef 05 21 01/, '03 ef 05 61 01'),
    );
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.seen.some(dataFrame)).toBe(true);
  });

  it('C3: a device that sends on the DLC refused with DM gets FAIL', async () => {
    // Its DISC on DLCI 0 turns into an empty UIH on the refused DLC.
    const { r } = await run('C3', (a) => a, (a) => a.replace(/03 53 01 fd$/, '0b ef 01 9a'));
    expect(r.verdict, r.detail).toBe('FAIL');
    expect(r.seen).toEqual(['0b ef 01 9a']);
  });

  it('C3: this stack reports the refused DLC to its user', async () => {
    const { r, t } = await run('C3', (a) => a);
    expect(r.verdict, r.detail).toBe('PASS');
    expect(t.medium.iutEvents.some((e) => e.type === 'rfcomm-closed')).toBe(true);
    expect(t.medium.iutEvents.some((e) => e.type === 'rfcomm-open')).toBe(false);
  });
});
