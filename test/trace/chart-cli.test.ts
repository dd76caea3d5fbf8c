/** `btc decode FILE --html OUT` writes the chart page; what it will not combine with is a usage error. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand, encodeEvent } from '../../src/hci/index.js';
import { BtsnoopWriter } from '../../src/trace/index.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'btc-chart-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): string {
  const reset = Uint8Array.from([0x01, ...encodeCommand({ name: 'Reset' })]);
  const done = Uint8Array.from([0x04, ...encodeEvent({ name: 'Inquiry Complete', status: 0 })]);
  const file = join(dir, 'two.btsnoop');
  writeFileSync(file, BtsnoopWriter.encodeFile([
    { direction: 'tx', h4: reset, timestampUs: 1_700_000_000_000_000 },
    { direction: 'rx', h4: done, timestampUs: 1_700_000_000_250_000 },
  ]));
  return file;
}

describe('btc decode --html', () => {
  it('writes the sequence chart of the capture and says so', async () => {
    const out = join(dir, 'two.html');
    const r = await runCli(['decode', capture(), '--html', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote a sequence chart of 2 packet(s) in 2 row(s) to ${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>two.btsnoop</title>');
    expect(html).toContain('data-frame="1" data-layer="hci-command" data-label="Reset"');
    expect(html).toContain('data-frame="2" data-layer="hci-event" data-label="Inquiry Complete"');
    expect(html).toContain('+0.250000');
  });

  it('takes no printing or converting option beside it, and needs a directory that exists', async () => {
    for (const extra of [['--json'], ['--time', 'relative'], ['--pcapng', join(dir, 'x.pcapng')]]) {
      const r = await runCli(['decode', capture(), '--html', join(dir, 'x.html'), ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--html draws the capture and prints no packets');
    }
    const r = await runCli(['decode', capture(), '--html', join(dir, 'missing', 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the directory');
  });
});
