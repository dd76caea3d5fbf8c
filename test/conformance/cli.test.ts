/** `btc conformance` as a subprocess: listing, runs against the own stack, exit codes, JSON. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli } from '../support/cli.js';
import { ROOT } from '../support/env.js';

afterEach(() => killAll());

const fixture = (name: string): string => join(ROOT, 'test/conformance/fixtures', name);

describe('btc conformance', () => {
  it('--list prints every scenario with its rule and exits 0', async () => {
    const r = await runCli(['conformance', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^L8 +L8, P16 +Disconnection Request for an unknown DCID/m);
    expect(r.stdout).toMatch(/^R17 +R17, P11/m);
    expect(r.stdout).toMatch(/^S4 +S4, P20/m);
  });

  it('--self runs the SDP suite against the own stack: a table, JSON, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btc-conf-'));
    const json = join(dir, 'out.json');
    const snoop = join(dir, 'run.btsnoop');
    const r = await runCli(['conformance', '--self', '--suite', 'sdp', '--json', json, '--btsnoop', snoop]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^S4 +S4, P20 +PASS/m);
    expect(r.stdout).toMatch(/12 scenario\(s\): 12 passed, 0 failed/);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { results: { id: string; verdict: string }[] };
    expect(out.results.map((x) => x.verdict)).toEqual(Array(12).fill('PASS'));
    // The tester's own packets are recorded too: S3's request for the unknown handle 0x7fff1234.
    const capture = readFileSync(snoop);
    expect(capture.subarray(0, 8).toString('latin1')).toBe('btsnoop\0');
    expect(capture.includes(Buffer.from('04000300' + '0e7fff1234', 'hex'))).toBe(true);
  });

  it('runs a user scenario file', async () => {
    const r = await runCli(['conformance', '--self', '--scenario', fixture('user-scenario.json')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^U2 +R18 +PASS/m);
  });

  it('exits 1 with FAIL and the bytes seen when an answer differs', async () => {
    const r = await runCli(['conformance', '--self', '--scenario', fixture('wrong-expectation.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^X1 .* FAIL +wrong signaling answer .*seen: 01 06 06 00 02 00 12 34 56 78/m);
  });

  it('refuses an unknown scenario id and a missing address with exit 2', async () => {
    expect((await runCli(['conformance', '--self', '--only', 'Z9'])).code).toBe(2);
    expect((await runCli(['conformance'])).code).toBe(2);
  });

  it('--self --suite shared runs the shared-link scenarios beside the own stack; --stack-channel equal to --channel is a usage error', async () => {
    const r = await runCli(['conformance', '--self', '--suite', 'shared']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SA1 +R3, R7 +PASS/m);
    expect(r.stdout).toMatch(/4 scenario\(s\): 4 passed/);
    const same = await runCli(['conformance', '--self', '--suite', 'shared', '--stack-channel', '1']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--stack-channel must differ from --channel/);
  });
});

describe('btc conformance --accept', () => {
  it('--self --accept runs the client-role suite against the own stack connecting to the tester', async () => {
    const r = await runCli(['conformance', '--self', '--accept']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^C2 +P7, R5 +PASS/m);
    expect(r.stdout).toMatch(/^C6 +R13, P6 +PASS/m);
    expect(r.stdout).toMatch(/8 scenario\(s\): 8 passed/);
  });
});
