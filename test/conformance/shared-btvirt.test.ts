/**
 * The tester beside its own stack on one link, over BlueZ's btvirt: the 'shared' scenarios against
 * the project's own stack as a user runs it (an Adapter with two RFCOMM servers, one of them
 * echoing), from the library and from the CLI as a subprocess.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverMedium } from '../../src/conformance/medium.js';
import { runScenarios } from '../../src/conformance/runner.js';
import { SHARED_SUITE } from '../../src/conformance/suite/index.js';
import { Tester } from '../../src/conformance/tester.js';
import { Adapter, BluetoothSocket, PORT_ANY, RFCOMM } from '../../src/socket/index.js';
import { openTransport } from '../../src/transport/open.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';
import { killAll, runCli } from '../support/cli.js';

const SPEC = `h4:unix:${btvirtSocket()}`;

describe.skipIf(btvirtMissing())('the tester beside its own stack on btvirt', () => {
  let iut: Adapter;
  const servers: BluetoothSocket[] = [];
  let channel: number;
  let stackChannel: number;

  /** An RFCOMM server that accepts every DLC; `echo`: and sends back what each receives. */
  function server(echo: boolean): number {
    const s = new BluetoothSocket(RFCOMM, { adapter: iut });
    s.bind(['', PORT_ANY]);
    s.listen(1);
    servers.push(s);
    void (async () => {
      for (;;) {
        const [conn] = await s.accept();
        if (echo) void conn.pipe(conn);
      }
    })().catch(() => undefined);
    return s.getsockname()[1];
  }

  beforeEach(async () => {
    iut = await Adapter.open(SPEC, { name: 'btvirt-iut' });
    channel = server(false);
    stackChannel = server(true);
  });

  afterEach(async () => {
    killAll();
    for (const s of servers.splice(0)) s.close();
    await iut.close();
  });

  it('every shared scenario passes against the own stack (library)', async () => {
    const transport = await openTransport(SPEC);
    const tester = new Tester((w) => new DriverMedium(transport, w));
    try {
      await tester.medium.ready();
      const results = await runScenarios(tester, SHARED_SUITE, { address: iut.address, channel, stackChannel });
      expect(results.filter((r) => r.verdict !== 'PASS').map((r) => `${r.id} ${r.verdict} ${r.detail} ${r.seen.join(' / ')}`)).toEqual([]);
      expect(results).toHaveLength(SHARED_SUITE.length);
    } finally {
      await tester.medium.close();
    }
  });

  it('btc conformance --suite shared passes with exit 0 (CLI)', async () => {
    const r = await runCli(['conformance', iut.address, '--suite', 'shared', '--channel', String(channel), '--stack-channel', String(stackChannel), '--transport', SPEC], undefined, 120_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/4 scenario\(s\): 4 passed, 0 failed/);
  });
});
