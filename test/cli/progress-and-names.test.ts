/**
 * The pieces of the CLI's output that need no subprocess: the progress line (on a stand-in
 * terminal with a manual clock) and the SDP names `btc sdp` prints (src/sdp/names.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearProgressLine, formatDuration, Progress } from '../../src/cli/progress.js';
import { attributeLabel, profileVersion, uuid16Name, uuidLabel } from '../../src/sdp/names.js';

/** A terminal that records what is written. */
function terminal(): NodeJS.WriteStream & { text: string } {
  const out = { isTTY: true, text: '', write: (s: string) => ((out.text += s), true) };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress line', () => {
  it('erases the whole line on every redraw, shows the time left, and ends with a summary without it', () => {
    let now = 0;
    const out = terminal();
    const p = new Progress('sent', 4 * 1024 * 1024, out, true, () => now);
    now = 1000;
    p.add(1024 * 1024);
    const first = out.text;
    expect(first).toMatch(/^\r\x1b\[Ksent \[/);
    expect(first).toContain(' 25% 1.00 MiB/4.00 MiB in 1.00 s (1.00 MiB/s) ETA 3 s');
    now = 2000;
    p.add(1024 * 1024);
    expect(out.text.slice(first.length)).toMatch(/^\r\x1b\[Ksent .* 50% .* ETA 2 s$/);
    now = 4000;
    p.add(2 * 1024 * 1024);
    const line = p.finish();
    expect(line).toBe('sent [##############################] 100% 4.00 MiB/4.00 MiB in 4.00 s (1.00 MiB/s)');
    expect(out.text.endsWith(`\r\x1b[K${line}\n`)).toBe(true);
  });

  it('a message during a transfer first ends the bar line; with no bar on screen nothing is written', () => {
    let now = 0;
    const out = terminal();
    const p = new Progress('received', undefined, out, true, () => now);
    now = 500;
    p.add(10);
    clearProgressLine();
    expect(out.text.endsWith('\n')).toBe(true);
    const before = out.text;
    clearProgressLine();
    expect(out.text).toBe(before);
    expect(p.finish()).toBe('received 10 B in 0.50 s (20 B/s)');
  });

  it('--quiet (show false) writes nothing', () => {
    const out = terminal();
    const p = new Progress('sent', 10, out, false, () => 0);
    p.add(5);
    p.finish();
    expect(out.text).toBe('');
  });

  it('formats any duration as seconds, minutes or hours', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    fc.assert(fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (s) => /^\d+ (s|min \d\d s|h \d\d min)$/.test(formatDuration(s))));
  });
});

describe('SDP names', () => {
  it('names UUIDs as sdptool does, in their 16-bit, 32-bit and 128-bit base forms', () => {
    expect(uuidLabel('1101')).toBe('0x1101 Serial Port');
    expect(uuidLabel('0003')).toBe('0x0003 RFCOMM');
    expect(uuidLabel('0x0100')).toBe('0x0100 L2CAP');
    expect(uuidLabel('0000111f')).toBe('0x111f Handsfree Audio Gateway');
    expect(uuidLabel('0000110B-0000-1000-8000-00805F9B34FB')).toBe('0x110b Audio Sink');
    expect(uuidLabel('beef')).toBe('0xbeef');
    expect(uuidLabel('94f39d29-7d6d-437d-973b-fba39e49d4ee')).toBe('94f39d29-7d6d-437d-973b-fba39e49d4ee');
    expect(uuid16Name(0x1124)).toBe('Human Interface Device');
  });

  it('names attribute IDs with their number, language-based ones included', () => {
    expect(attributeLabel(0x0000)).toBe('ServiceRecordHandle (0x0000)');
    expect(attributeLabel(0x0004)).toBe('ProtocolDescriptorList (0x0004)');
    expect(attributeLabel(0x0009)).toBe('BluetoothProfileDescriptorList (0x0009)');
    expect(attributeLabel(0x0100)).toBe('ServiceName (0x0100)');
    expect(attributeLabel(0x0102)).toBe('ProviderName (0x0102)');
    expect(attributeLabel(0x0311)).toBe('0x0311');
  });

  it('writes a profile version as major.minor: 0x0102 is 1.2, never 258; any value and any text is total', () => {
    expect(profileVersion(0x0102)).toBe('1.2');
    expect(profileVersion(0x0108)).toBe('1.8');
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (v) => profileVersion(v) === `${v >> 8}.${v & 0xff}`));
    fc.assert(fc.property(fc.string(), (t) => typeof uuidLabel(t) === 'string'));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (id) => attributeLabel(id).includes(`0x${id.toString(16).padStart(4, '0')}`)));
  });
});
