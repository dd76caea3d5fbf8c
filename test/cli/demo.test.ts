/**
 * `btc demo` as a user meets it (and `npm start`, which runs it): the result fits one screen and
 * ends with a summary naming what was connected, the bytes echoed, the time taken and the btsnoop
 * file, whose packet count is the file's own.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { readCapture } from '../../src/trace/index.js';
import { runCli } from '../support/cli.js';

describe('btc demo', () => {
  it('ends with a summary: discovery, SDP, the bytes echoed, the close, the btsnoop file, the time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'btc-demo-')), 'demo.btsnoop');
    const r = await runCli(['demo', '--btsnoop', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [, server] = r.stdout.match(/^server (\S+) {2}client (\S+)/)!;
    const summary = r.stdout.slice(r.stdout.indexOf('\nSummary\n') + 1).split('\n');
    const packets = [...readCapture(readFileSync(file))].length;
    expect(summary.slice(0, 6)).toEqual([
      'Summary',
      `  discovery  found "btc echo server" at ${server}`,
      '  SDP        "Echo Service" on RFCOMM channel 1',
      '  RFCOMM     sent "Hello, world!" (13 bytes), 13 bytes echoed back',
      '  close      in order (DISC), link down',
      `  trace      ${packets} HCI packets in ${file} (btc decode ${file}; Wireshark; btmon -r); btc demo --trace prints them decoded`,
    ]);
    expect(summary[6]).toMatch(/^ {2}time {7}\d+\.\d s$/);
    expect(summary.slice(7)).toEqual(['  result     OK', '']);
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(24);
  });

  it('--pcapng records the same packets as the btsnoop file, with their directions, and says so in the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btc-demo-'));
    const [btsnoop, pcapng] = [join(dir, 'demo.btsnoop'), join(dir, 'demo.pcapng')];
    const r = await runCli(['demo', '--btsnoop', btsnoop, '--pcapng', pcapng]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fromBtsnoop = [...readCapture(readFileSync(btsnoop))];
    const fromPcapng = [...readCapture(readFileSync(pcapng))];
    expect(fromBtsnoop.length).toBeGreaterThan(20);
    expect(fromPcapng.map((p) => [p.direction, hex(p.h4)])).toEqual(fromBtsnoop.map((p) => [p.direction, hex(p.h4)]));
    expect(r.stdout).toContain(`  trace      ${fromBtsnoop.length} HCI packets in ${btsnoop} and ${pcapng} (`);
  });
});
