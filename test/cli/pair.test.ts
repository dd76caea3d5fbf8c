/**
 * `btc pair`, `btc keys` and `btc unpair` as a user meets them: a listener on btvirt keeps its
 * bonds in one key file, `btc pair` bonds with it from another process without opening a channel,
 * `keys` lists the bond (never the key), `unpair` removes it.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';

const BTVIRT = ['--transport', `h4:unix:${btvirtSocket()}`];
const PEER = '00:11:22:33:44:55';

afterEach(() => killAll());

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'btc-pair-')), name);
}

describe('btc pair / unpair / keys without a peer', () => {
  it.each([
    [['pair', PEER], /pair needs --keys FILE/],
    [['pair', 'nope', '--keys', 'k.json'], /ADDR must be a device address/],
    [['pair', PEER, '--keys', 'k.json', '--security', 'none'], /--security must be one of authenticated, encrypted, mitm for pair/],
    [['unpair', PEER], /unpair needs --keys FILE/],
    [['keys'], /keys needs --keys FILE/],
  ])('btc %j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('keys on a file not yet written lists no bond; unpair of an unknown device fails with exit 1', async () => {
    const file = tmp('none.json');
    const listed = await runCli(['keys', '--keys', file]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('0 bond(s)\n');
    const removed = await runCli(['unpair', PEER, '--keys', file]);
    expect(removed.code).toBe(1);
    expect(removed.stderr).toBe(`btc unpair: ${PEER} is not bonded (btc keys --keys ${file} lists the bonds)\n`);
  });
});

describe('btc pair with nobody there', () => {
  it('fails with exit 1 and the page timeout, and writes no key file', async () => {
    const file = tmp('absent.json');
    const r = await runCli(['pair', PEER, '--keys', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^Pairing with ${PEER} …\nbtc pair: EACCES: pairing with ${PEER} failed: could not connect to ${PEER}: controller status 0x04 \\(Page Timeout`));
    expect(existsSync(file)).toBe(false);
  });
});

describe.skipIf(btvirtMissing())('btc pair between processes on btvirt', () => {
  it('pair bonds without a channel, keys lists the bond, unpair forgets it', async () => {
    const theirs = tmp('listener.json');
    const ours = tmp('ours.json');
    const server = startCli(['listen', '9', ...BTVIRT, '--keys', theirs]);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 9/);
    const paired = await runCli(['pair', address, '--keys', ours, '--security', 'encrypted', ...BTVIRT]);
    expect(paired.stderr).toContain(`Pairing with ${address}`);
    expect(paired.stdout).toMatch(new RegExp(`^Paired with ${address}: \\w.* Combination Key.*; bond kept in ${ours}\\n$`));
    expect(paired.code).toBe(0);
    expect(statSync(ours).mode & 0o777).toBe(0o600);
    expect(server.stdout).not.toContain('Accepted');

    const listed = await runCli(['keys', '--keys', ours, '--json']);
    expect(listed.code).toBe(0);
    const [bond] = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(bond).toMatchObject({ address, authenticated: false });
    expect(bond.keyTypeName).toMatch(/^Unauthenticated Combination Key/);
    expect(listed.stdout).not.toContain(JSON.parse(readFileSync(ours, 'utf8')).keys[address].linkKey);

    // Paired again with the stored key: no new pairing, the bond holds.
    const again = await runCli(['pair', address, '--keys', ours, ...BTVIRT]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Paired with ${address}; bond kept in ${ours}\n`);

    expect((await runCli(['unpair', address, '--keys', ours])).code).toBe(0);
    expect((await runCli(['keys', '--keys', ours])).stdout).toBe('0 bond(s)\n');
    server.kill();
  });

  it('pair --security mitm with numeric comparison on both sides makes an authenticated bond', async () => {
    const ours = tmp('mitm.json');
    const server = startCli(['listen', '10', ...BTVIRT, '--keys', tmp('theirs.json'), '--io', 'DisplayYesNo', '--yes']);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 10/);
    const paired = await runCli(['pair', address, '--keys', ours, '--security', 'mitm', '--io', 'DisplayYesNo', '--yes', ...BTVIRT]);
    expect(paired.code).toBe(0);
    expect(paired.stdout).toMatch(new RegExp(`^Paired with ${address}: Authenticated Combination Key generated from P-(192|256); bond kept in ${ours}\\n$`));
    const listed = await runCli(['keys', '--keys', ours]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${address}  authenticated  Authenticated Combination Key generated from P-(192|256) \\(0x0[58]\\)\\n1 bond\\(s\\)\\n$`));
    server.kill();
  });

  it('pair --security mitm with a device that has no display or keyboard fails with exit 1 and keeps no key', async () => {
    const ours = tmp('refused.json');
    const server = startCli(['listen', '13', ...BTVIRT, '--keys', tmp('theirs.json')]);
    const [, address] = await server.waitFor(/Listening on (\S+) RFCOMM channel 13/);
    const paired = await runCli(['pair', address, '--keys', ours, '--security', 'mitm', '--io', 'DisplayYesNo', '--yes', ...BTVIRT]);
    expect(paired.code).toBe(1);
    expect(paired.stdout).toBe('');
    expect(paired.stderr).toMatch(new RegExp(`btc pair: EACCES: pairing with ${address} failed: MITM protection required but the link key is unauthenticated .+; the key file is left as it was\\n$`));
    expect((await runCli(['keys', '--keys', ours])).stdout).toBe('0 bond(s)\n');
    server.kill();
  });
});
