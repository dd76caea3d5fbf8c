/**
 * The conformance tester over BlueZ's btvirt (a controller nobody here wrote): a subset of the
 * suite against the project's own stack (an Adapter with an RFCOMM server, as `btc listen` runs
 * it), from the library and from the CLI as a subprocess.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adapter, advertiseService, BluetoothSocket, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { DriverMedium } from '../../src/conformance/medium.js';
import { runScenarios } from '../../src/conformance/runner.js';
import { suite } from '../../src/conformance/suite/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { openTransport } from '../../src/transport/open.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { killAll, runCli, startCli } from '../support/cli.js';

const SPEC = `h4:unix:${btvirtSocket()}`;
const SUBSET = ['H1', 'H2', 'H3', 'L4', 'L6', 'L8', 'L10', 'L13', 'L15', 'L16', 'L19', 'L24', 'R1', 'R3', 'R7', 'R10', 'R14', 'R16', 'R17', 'R18', 'R22', 'R24', 'S1', 'S3', 'S4', 'S5'];

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

  it('btc conformance --accept over btvirt: the device connects once per client scenario, all pass', async () => {
    const cli = startCli(['conformance', '--accept', '--transport', SPEC, '--channel', '1']);
    const sockets: BluetoothSocket[] = [];
    try {
      for (let n = 1; n <= 4; n++) {
        const m = await cli.waitFor(new RegExp(`(?:waiting: connect the device to ([0-9A-F:]{17}) RFCOMM channel 1\\n[^]*){${n}}`), 60_000);
        const sock = new BluetoothSocket(RFCOMM, { adapter: iut });
        sockets.push(sock);
        sock.connect([m[1]!, 1]).catch(() => undefined);
      }
      const r = await cli.exit(120_000);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/4 scenario\(s\): 4 passed/);
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
