/**
 * `btc decode` as a user meets it (issue 16 items 2, 3 and 5): times, damage named with its record
 * number and byte offset and the exit status it gives, `--pcapng OUT` conversion and `--pcapng`
 * recording that tshark reads with no expert warnings. Files are built here with the project's btsnoop encoder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBtsnoopHeader, encodeBtsnoopRecord } from '../../src/trace/index.js';
import { runCli } from '../support/cli.js';
import { toolMissing } from './tools.js';

const T = 1_700_000_000_000_000;
const RESET = Uint8Array.of(0x01, 0x03, 0x0c, 0x00);
const RESET_COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);
/** Three records at 0, 1 and 3 ms: 28, 31 and 28 octets, at byte 16, 44 and 75 of the file. */
const RECORDS = [
  encodeBtsnoopRecord({ direction: 'tx', h4: RESET, timestampUs: T }),
  encodeBtsnoopRecord({ direction: 'rx', h4: RESET_COMPLETE, timestampUs: T + 1000 }),
  encodeBtsnoopRecord({ direction: 'tx', h4: RESET, timestampUs: T + 3000 }),
];
const FILE = Buffer.concat([encodeBtsnoopHeader(), ...RECORDS]);

const dir = mkdtempSync(join(tmpdir(), 'btc-decode-cli-'));
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The time column of each packet line. */
function times(stdout: string): string[] {
  return stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)[2]);
}

describe('btc decode --time', () => {
  const ok = file('ok.btsnoop', FILE);
  it.each([
    ['relative', ['0.000000', '0.001000', '0.003000']],
    ['delta', ['0.000000', '0.001000', '0.002000']],
    ['absolute', ['2023-11-14T22:13:20.000000Z', '2023-11-14T22:13:20.001000Z', '2023-11-14T22:13:20.003000Z']],
  ])('%s', async (mode, expected) => {
    const r = await runCli(['decode', ok, '--time', mode]);
    expect(r.code).toBe(0);
    expect(times(r.stdout)).toEqual(expected);
  });

  it('numbers the lines with the frame numbers and gives the time in JSON', async () => {
    const r = await runCli(['decode', ok, '--json']);
    expect(r.code).toBe(0);
    const packets = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(packets.map((p) => [p.frame, p.timestampUs])).toEqual([
      [1, T],
      [2, T + 1000],
      [3, T + 3000],
    ]);
  });

  it('refuses a mode it does not know, as a usage error', async () => {
    const r = await runCli(['decode', ok, '--time', 'sideways']);
    expect(r.code).toBe(2);
  });
});

describe('btc decode on a damaged file', () => {
  it('a cut last record: the records before it, the cut named with its record and offset, exit 0; --strict exits 1', async () => {
    const cut = file('cut.btsnoop', FILE.subarray(0, FILE.length - 2));
    const r = await runCli(['decode', cut]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('at byte 75: record 3 needs 4 data bytes, 2 left');
    const strict = await runCli(['decode', cut, '--strict']);
    expect(strict.code).toBe(1);
  });

  it('a record length of 0xFFFFFFFF: named with its record and offsets, decoding goes on at the next record; --strict exits 1 there', async () => {
    const bytes = Buffer.from(FILE);
    bytes.writeUInt32BE(0xffffffff, 16 + RECORDS[0].length + 4);
    const bad = file('bad.btsnoop', bytes);
    const r = await runCli(['decode', bad]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('damaged record at byte 44 (bad field at byte 48): record 2');
    expect(r.stderr).toContain('decoding goes on at byte 75');
    expect(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '3']);
    const strict = await runCli(['decode', bad, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('btc decode IN --pcapng OUT', () => {
  const skip = toolMissing('tshark');
  it.skipIf(skip !== undefined)('writes LINKTYPE 201 that tshark reads with direction, time and no expert warnings', async () => {
    const ok = file('conv.btsnoop', FILE);
    const out = join(dir, 'conv.pcapng');
    const r = await runCli(['decode', ok, '--pcapng', out]);
    expect(r.code).toBe(0);
    const fields = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.number', '-e', 'hci_h4.direction', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(fields.trim().split('\n').map((l) => l.split('\t'))).toEqual([
      ['1', '0x00', '1700000000.000000000'],
      ['2', '0x01', '1700000000.001000000'],
      ['3', '0x00', '1700000000.003000000'],
    ]);
    const expert = execFileSync('tshark', ['-r', out, '-q', '-z', 'expert'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(expert).not.toMatch(/Warning|Error|Malformed/);
  });

  it.skipIf(skip !== undefined)('--pcapng FILE on a recording command: tshark reads every packet, Reset first and the Inquiry sent, with no expert warnings', async () => {
    const out = join(dir, 'scan.pcapng');
    const r = await runCli(['scan', '--duration', '1', '--pcapng', out]);
    expect(r.code).toBe(0);
    const opcodes = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'hci_h4.direction', '-e', 'bthci_cmd.opcode'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(opcodes[0]).toEqual(['0x00', '0x0c03']);
    expect(opcodes).toContainEqual(['0x00', '0x0401']);
    const expert = execFileSync('tshark', ['-r', out, '-q', '-z', 'expert'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(expert).not.toMatch(/Warning|Error|Malformed/);
  });
});
