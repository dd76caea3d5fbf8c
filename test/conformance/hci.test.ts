/**
 * Raw HCI commands from the conformance tester: any opcode, parameters and length field go to the
 * tester's controller; their Command Complete / Command Status come back to the tester alone (the
 * stack beside keeps its own answers), decoded, through the same observation API.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { hciCommand } from '../../src/conformance/frames.js';
import { LinkTap } from '../../src/conformance/link-tap.js';
import { VirtualBench } from '../../src/conformance/medium.js';
import { runScenario } from '../../src/conformance/runner.js';
import { checkScenario, type Scenario } from '../../src/conformance/scenario.js';
import { Tester } from '../../src/conformance/tester.js';

const bytes = (h: string): Uint8Array => fromHex(h.replace(/ /g, ''));

/** A tap with recording hooks: what the host got, what the tester got. */
function tap(): { tap: LinkTap; host: string[]; tester: string[] } {
  const host: string[] = [];
  const tester: string[] = [];
  const t = new LinkTap({
    toController: () => undefined,
    toHost: (h4) => host.push(hex(h4, ' ')),
    onFrame: () => undefined,
    onLinkUp: () => undefined,
    onLinkDown: () => undefined,
    onEvent: (e) => tester.push(hex(e, ' ')),
  });
  return { tap: t, host, tester };
}

async function bench(): Promise<Tester<VirtualBench>> {
  const t = new Tester((w) => new VirtualBench(w));
  await t.medium.ready();
  return t;
}

/** Little-endian BD_ADDR octets of "AA:BB:…", spaced. */
const addressOctets = (a: string): string => a.toLowerCase().split(':').reverse().join(' ');

describe('hciCommand builder', () => {
  it('writes opcode, length field and parameters as given', () => {
    expect(hex(hciCommand({ opcode: 0x0c1a, params: '03' }), ' ')).toBe('01 1a 0c 01 03');
    expect(hex(hciCommand({ opcode: 0xfc77, params: '01 02', length: 9 }), ' ')).toBe('01 77 fc 09 01 02');
    expect(() => hciCommand({ opcode: 0x10000 })).toThrow(/16 bits/);
  });
});

describe('LinkTap: who gets a Command Complete / Command Status', () => {
  it('the same opcode from the host and the tester: answers in the order sent', () => {
    const { tap: t, host, tester } = tap();
    t.fromHost(bytes('01 03 0c 00'));
    t.inject(bytes('01 03 0c 00'));
    t.inject(bytes('01 05 04 0d 00'));
    t.fromController(bytes('04 0e 04 01 03 0c 00'));
    t.fromController(bytes('04 0e 04 01 03 0c 12'));
    t.fromController(bytes('04 0f 04 00 01 05 04'));
    expect(host).toEqual(['04 0e 04 01 03 0c 00']);
    expect(tester).toEqual(['0e 04 01 03 0c 12', '0f 04 00 01 05 04']);
  });

  it('an answer nobody waits for goes to the host; other events go to both', () => {
    const { tap: t, host, tester } = tap();
    t.fromController(bytes('04 0e 03 01 00 00'));
    t.fromController(bytes('04 14 06 00 2a 00 02 00 04'));
    expect(host).toEqual(['04 0e 03 01 00 00', '04 14 06 00 2a 00 02 00 04']);
    expect(tester).toEqual(['14 06 00 2a 00 02 00 04']);
  });
});

describe('raw HCI commands on the virtual controller', () => {
  it('Read BD_ADDR: the Command Complete comes back decoded, with the address', async () => {
    const t = await bench();
    const o = await t.hciCommand({ opcode: 0x1009 });
    expect(o && hex(o.bytes, ' ')).toBe(`0e 0a 01 09 10 00 ${addressOctets(t.medium.stack.address)}`);
    expect(o?.summary).toBe('Command Complete 0x1009 status 0x00');
    expect(o?.layer).toBe('hci');
  });

  it('an unknown opcode and a wrong parameter length get the error status, and the stack goes on', async () => {
    const t = await bench();
    const unknown = await t.hciCommand({ opcode: 0xfc77, params: 'de ad' });
    expect(unknown && hex(unknown.bytes, ' ')).toBe('0e 04 01 77 fc 01');
    const short = await t.hciCommand({ opcode: 0x0c1a });
    expect(short && hex(short.bytes, ' ')).toBe('0e 04 01 1a 0c 12');
    // The stack beside still pages and answers: its own commands got their own answers.
    await t.connect(t.medium.iut.address);
    t.sendSignal('08 07 01 00 99');
    const echo = await t.next({ layer: 'signaling' });
    expect(echo && hex(echo.bytes, ' ')).toBe('09 07 01 00 99');
  });

  it('Read Remote Version Information: Command Status, then the completion event through frames()', async () => {
    const t = await bench();
    await t.connect(t.medium.iut.address);
    const h = t.handle;
    const status = await t.hciCommand({ opcode: 0x041d, params: Uint8Array.of(h & 0xff, h >>> 8) });
    expect(status && hex(status.bytes, ' ')).toBe('0f 04 00 01 1d 04');
    const seen: string[] = [];
    for await (const o of t.frames({ layer: 'hci', match: (x) => x.bytes[0] === 0x0c }, 2000)) seen.push(`${o.summary}: ${hex(o.bytes.subarray(0, 5), ' ')}`);
    expect(seen).toEqual([`Read Remote Version Information Complete: 0c 08 00 ${hex(Uint8Array.of(h & 0xff, h >>> 8), ' ')}`]);
  });
});

describe('the "hci" step of the scenario format', () => {
  const scenario = (expectHex: string): Scenario =>
    checkScenario({
      id: 'X1',
      title: 'Raw HCI commands',
      rule: 'H1',
      spec: 'Core Vol 4 Part E §5.4.1, §7.7.14',
      setup: 'link',
      steps: [
        { send: 'hci', hex: '1d 04 02 <handle_lo> <handle_hi>' },
        { expect: 'hci', hex: '0f 04 00 ?? 1d 04' },
        { send: 'hci', hex: '77 fc 00' },
        { expect: 'hci', hex: expectHex },
      ],
      after: ['echo'],
    });

  it('PASS when the answers are the ones expected', async () => {
    const t = await bench();
    const r = await runScenario(t, scenario('0e 04 ?? 77 fc 01'), { address: t.medium.iut.address });
    expect(r.verdict, `${r.detail} ${r.seen.join(' / ')}`).toBe('PASS');
  });

  it('FAIL with the bytes when the Command Complete differs', async () => {
    const t = await bench();
    const r = await runScenario(t, scenario('0e 04 ?? 77 fc 00'), { address: t.medium.iut.address });
    expect(r.verdict).toBe('FAIL');
    expect(r.seen).toEqual(['0e 04 01 77 fc 01']);
  });

  it('a set-up of none needs no link; a command shorter than its header is refused', async () => {
    const t = await bench();
    const s = checkScenario({ id: 'X2', title: 'Controller only', rule: 'H1', spec: 'Core Vol 4 Part E §7.4.6', setup: 'none', steps: [{ send: 'hci', hex: '09 10 00' }, { expect: 'hci', hex: '0e 0a ?? 09 10 00 *' }] });
    const r = await runScenario(t, s, { address: '00:00:00:00:00:00' });
    expect(r.verdict, r.detail).toBe('PASS');
    expect(t.link).toBeUndefined();
    expect(() => checkScenario({ id: 'X3', title: 't', rule: 'H1', spec: 's', steps: [{ send: 'hci', hex: '09 10' }] })).toThrow(/at least 3 octets/);
  });
});
