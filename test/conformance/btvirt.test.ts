/**
 * The conformance tester over BlueZ's btvirt (a controller nobody here wrote): a subset of the
 * suite against the project's own stack (an Adapter with an RFCOMM server, as `btc listen` runs
 * it), from the library and from the CLI as a subprocess.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adapter, advertiseService, BluetoothSocket, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { DriverMedium } from '../../src/conformance/medium.js';
import { runScenario, runScenarios } from '../../src/conformance/runner.js';
import { checkScenario } from '../../src/conformance/scenario.js';
import { hex } from '../../src/core/index.js';
import { suite } from '../../src/conformance/suite/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { openTransport } from '../../src/transport/open.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { killAll, runCli, startCli } from '../support/cli.js';

const SPEC = `h4:unix:${btvirtSocket()}`;
const SUBSET = ['H1', 'H2', 'H3', 'L4', 'L6', 'L8', 'L10', 'L13', 'L15', 'L16', 'L19', 'L24', 'R1', 'R3', 'R7', 'R10', 'R14', 'R16', 'R17', 'R18', 'R22', 'R24', 'S1', 'S3', 'S4', 'S5', 'S8', 'S9', 'S10', 'S11'];

describe.skipIf(btvirtMissing())('the conformance tester on btvirt', () => {
  let iut: Adapter;
  let server: BluetoothSocket;
  let channel: number;

  beforeEach(async () => {
    iut = await Adapter.open(SPEC, { name: 'btvirt-iut' });
    server = new BluetoothSocket(RFCOMM, { adapter: iut });
    server.bind(['', PORT_ANY]);
    server.listen(1);
    advertiseService(server, 'conformance target');
    channel = server.getsockname()[1];
    // As `btc listen` does: every DLC the tester opens is accepted (a full backlog would close it).
    void (async () => {
      for (;;) await server.accept();
    })().catch(() => undefined);
  });

  afterEach(async () => {
    killAll();
    server.close();
    await iut.close();
  });

  it('a subset of the suite passes against the own stack (library)', async () => {
    const transport = await openTransport(SPEC);
    const tester = new Tester((w) => new DriverMedium(transport, w));
    try {
      await tester.medium.ready();
      const scenarios = suite('all').filter((s) => SUBSET.includes(s.id));
      expect(scenarios).toHaveLength(SUBSET.length);
      const results = await runScenarios(tester, scenarios, { address: iut.address, channel });
      const bad = results.filter((r) => r.verdict !== 'PASS').map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`);
      expect(bad).toEqual([]);
    } finally {
      await tester.medium.close();
    }
  });

  it('raw HCI commands over btvirt: Command Complete / Status come back to the tester, decoded', async () => {
    const transport = await openTransport(SPEC);
    const tester = new Tester((w) => new DriverMedium(transport, w));
    try {
      await tester.medium.ready();
      const bdaddr = await tester.hciCommand({ opcode: 0x1009 });
      const own = tester.medium.stack.address.toLowerCase().split(':').reverse().join(' ');
      expect(bdaddr && hex(bdaddr.bytes, ' ')).toBe(`0e 0a 01 09 10 00 ${own}`);
      // An opcode nobody defines: Unknown HCI Command (0x01), as Command Status or Command Complete (Vol 4 Part E §4.5).
      const unknown = await tester.hciCommand({ opcode: 0xfc77, params: 'de ad' });
      const status = unknown?.bytes[0] === 0x0f ? unknown.bytes[2] : unknown?.bytes[5];
      expect(unknown?.summary, unknown && hex(unknown.bytes, ' ')).toMatch(/^Command (Complete|Status) 0xfc77/);
      expect(status).toBe(0x01);
      const r = await runScenario(tester, checkScenario({
        id: 'X1',
        title: 'Read Remote Version Information on the link under test',
        rule: 'H1',
        spec: 'Core Vol 4 Part E §7.1.23, §7.7.12',
        steps: [
          { send: 'hci', hex: '1d 04 02 <handle_lo> <handle_hi>' },
          { expect: 'hci', hex: '0f 04 00 ?? 1d 04' },
          { expect: 'hci', hex: '0c 08 00 <handle_lo> <handle_hi> *' },
        ],
        after: ['echo'],
      }), { address: iut.address, channel });
      expect(r.verdict, `${r.detail} ${r.seen.join(' / ')}`).toBe('PASS');
    } finally {
      await tester.medium.close();
    }
  });

  it('btc conformance --accept over btvirt: the device connects once per client scenario (and sends when asked), all pass', async () => {
    const cli = startCli(['conformance', '--accept', '--transport', SPEC, '--channel', '1']);
    const sockets: BluetoothSocket[] = [];
    const total = suite('client').length;
    try {
      for (let n = 1; n <= total; n++) {
        const m = await cli.waitFor(new RegExp(`(?:waiting: connect the device to ([0-9A-F:]{17}) RFCOMM channel 1(, then send[^\\n]*)?\\n[^]*?){${n}}`), 60_000);
        const sock = new BluetoothSocket(RFCOMM, { adapter: iut });
        sockets.push(sock);
        // 4000 octets: more than three frames at any N1 the default L2CAP MTU allows.
        const send = m[2] !== undefined;
        sock
          .connect([m[1]!, 1])
          .then(() => (send ? sock.sendall(new Uint8Array(4000).fill(0x5a)) : undefined))
          .catch(() => undefined);
      }
      const r = await cli.exit(180_000);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`${total} scenario\\(s\\): ${total} passed`));
    } finally {
      for (const sock of sockets) sock.close();
    }
  });

  it('btc conformance over btvirt exits 0 when all pass', async () => {
    const r = await runCli(['conformance', iut.address, '--transport', SPEC, '--channel', String(channel), '--only', 'L8,R17,S4']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 scenario\(s\): 3 passed/);
  });
});
