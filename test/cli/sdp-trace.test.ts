/**
 * `btc sdp` naming what it shows, and `--trace` on an ordinary command, between processes on
 * btvirt: the listener's record read back with attribute and UUID names and the profile version
 * as "1.2"; `connect --trace` prints the decoded packets on stderr while stdout keeps the echo;
 * `send ADDR FILE --service NAME` finds the receiver's channel by its service name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';

const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];

afterEach(() => killAll());

describe.skipIf(btvirtMissing())('btc sdp names and --trace on btvirt', () => {
  it('sdp names attributes and UUIDs; --json gives the profile version as "1.2"; connect --trace decodes on stderr', async () => {
    const server = startCli(['listen', '11', ...BTVIRT, '--service-name', 'Named Echo']);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 11/);

    const text = await runCli(['sdp', address, '--uuid', '1101', ...BTVIRT]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      [
        'Service: Named Echo',
        '  ServiceName (0x0100): Named Echo',
        '  ServiceClassIDList (0x0001):',
        '    0x1101 Serial Port',
        '  ProtocolDescriptorList (0x0004):',
        '    0x0100 L2CAP',
        '    0x0003 RFCOMM channel 11',
        '  BluetoothProfileDescriptorList (0x0009):',
        '    0x1101 Serial Port version 1.2',
      ].join('\n'),
    );

    const json = await runCli(['sdp', address, '--uuid', '1101', '--json', ...BTVIRT]);
    expect(json.code).toBe(0);
    const [record] = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(record).toMatchObject({ name: 'Named Echo', protocol: 'RFCOMM', port: 11, serviceClasses: [{ uuid: '1101', name: 'Serial Port' }], protocols: [{ uuid: '0100', name: 'L2CAP' }, { uuid: '0003', name: 'RFCOMM', channel: 11 }], profiles: [{ uuid: '1101', name: 'Serial Port', version: '1.2' }] });

    const traced = await runCli(['connect', address, '11', '--trace', ...BTVIRT], 'traced\n');
    expect(traced.code).toBe(0);
    expect(traced.stdout).toBe('traced\n');
    for (const layer of ['Create Connection', 'RFCOMM SABM', 'UIH', 'DISC']) expect(traced.stderr).toContain(layer);
    expect(traced.stderr).toMatch(/^ {2}< /m);
    expect(traced.stderr).toMatch(/^ {2}> /m);
    server.kill();
  });

  it('send ADDR FILE --service NAME finds the channel by SDP; --quiet leaves no progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btc-send-'));
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    writeFileSync(input, 'found by name\n');
    const receiver = startCli(['receive', '12', '--out', output, '--expect', '14', ...BTVIRT]);
    const [, address] = await receiver.waitFor(/Waiting on (\S+) RFCOMM channel 12/);
    const sent = await runCli(['send', address, input, '--service', 'btc receive', '-q', ...BTVIRT]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect((await receiver.exit()).code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('found by name\n');
  });
});
