/**
 * The channel found by SDP, one resolver for `connect`, `send` and `bridge` (src/cli/channel-lookup.ts),
 * as a user meets it between processes on btvirt: `connect ADDR` finds the Serial Port service,
 * `send ADDR FILE --service NAME` the receiver's, and a UUID nobody advertises fails with exit 1
 * and a message that says what to do.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';

const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];

afterEach(() => killAll());

describe.skipIf(btvirtMissing())('the RFCOMM channel found by SDP, between processes on btvirt', () => {
  it('connect without CHANNEL finds the Serial Port service; an unknown UUID fails with exit 1', async () => {
    const server = startCli(['listen', '7', ...BTVIRT, '--service-name', 'Lookup Echo']);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 7/);
    const client = await runCli(['connect', address, ...BTVIRT], 'found by sdp\n');
    expect(client.stderr).toContain('SDP: "Lookup Echo" on channel 7');
    expect(client.stdout).toBe('found by sdp\n');
    expect(client.code).toBe(0);
    const missing = await runCli(['connect', address, '--uuid', '110a', ...BTVIRT]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`btc connect: ${address} advertises no RFCOMM service with UUID 110a; give the channel explicitly (btc sdp ${address} lists its services)\n`);
    server.kill();
  });

  it('send ADDR FILE --service NAME reaches the receiver by its service name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btc-lookup-'));
    const file = join(dir, 'in.bin');
    const out = join(dir, 'out.bin');
    writeFileSync(file, 'sent to a service found by name\n'.repeat(100));
    const receiver = startCli(['receive', '--out', out, ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel \d+/);
    const sender = await runCli(['send', address, file, '--service', 'btc receive', ...BTVIRT]);
    expect(sender.stderr).toMatch(/SDP: "btc receive" on channel \d+/);
    expect(sender.code).toBe(0);
    expect((await receiver.exit()).code).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(file));
  });
});
