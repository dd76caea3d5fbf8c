/**
 * Every capture in ../shared/traces reads without error, and its HCI records per kind equal what
 * Wireshark counted (tshark-counts.json, display filters bthci_cmd / bthci_evt / bthci_acl). The
 * frame total there counts every record, so frames − (cmd + evt + acl) is what we return as
 * `vendor` (H4 indicator 0x07 in the bluffs pcapng files) plus what we skip as non-HCI
 * (PacketLogger notes, power, kernel and LMP records).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BtsnoopWriter, readCaptureWithStats, type CaptureRecord } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';

interface TsharkCounts {
  frames: number;
  hci_cmd: number;
  hci_evt: number;
  hci_acl: number;
}

const missing = tracesMissing();
const files = traceFiles();
const counts = missing
  ? {}
  : (JSON.parse(readFileSync(tracePath('tshark-counts.json'), 'utf8')) as { files: Record<string, TsharkCounts> }).files;

/**
 * Non-HCI PacketLogger records per type, counted from the type byte of each record (the files'
 * INDEX says "6 non-HCI records (type 0x0a)" for hciparse: those are the LMP ones; it has power,
 * kernel and note records as well).
 */
const PKLG_SKIPPED: Record<string, Record<string, number>> = {
  'hciparse__test00.pklg': { 'PacketLogger KERNEL': 159, 'PacketLogger POWER': 21, 'PacketLogger LMP_SEND': 6, 'PacketLogger NOTE': 1 },
  'esp32_bluetooth_classic_sniffer__hci_dump.pklg': { 'PacketLogger NOTE': 36 },
};

function read(name: string) {
  return readCaptureWithStats(new Uint8Array(readFileSync(tracePath(name))));
}

describe.skipIf(missing)('real captures', () => {
  it('lists the captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  for (const name of files) {
    describe(name, () => {
      it('has HCI counts per kind equal to tshark-counts.json', () => {
        const { stats } = read(name);
        const c = counts[name];
        expect(c, `${name} missing from tshark-counts.json`).toBeDefined();
        expect({ command: stats.byKind.command, event: stats.byKind.event, acl: stats.byKind.acl }).toEqual({
          command: c.hci_cmd,
          event: c.hci_evt,
          acl: c.hci_acl,
        });
        expect(stats.byKind.sco + stats.byKind.iso).toBe(0);
        expect(stats.records + stats.skipped).toBe(c.frames);
        expect(stats.truncated).toBeUndefined();
        expect(stats.cut).toBe(0);
      });

      it('skips exactly the non-HCI records', () => {
        const { format, stats } = read(name);
        const c = counts[name];
        if (format === 'packetlogger') {
          expect(stats.skippedByWhat).toEqual(PKLG_SKIPPED[name]);
          expect(stats.byKind.vendor).toBe(0);
        } else {
          expect(stats.skipped).toBe(0);
          expect(stats.byKind.vendor).toBe(c.frames - c.hci_cmd - c.hci_evt - c.hci_acl);
        }
      });

      it('sends every command and receives every event', () => {
        const { records } = read(name);
        const wrong = records.filter((r) => (r.kind === 'command' && r.direction !== 'tx') || (r.kind === 'event' && r.direction !== 'rx'));
        expect(wrong).toHaveLength(0);
        const frames = records.map((r) => r.frame);
        expect(frames).toEqual([...frames].sort((a, b) => a - b));
      });
    });
  }

  it('bluffs pcapng: the vendor records are H4 type 0x07, sent by the host', () => {
    for (const name of files.filter((f) => f.startsWith('bluffs__'))) {
      const vendor = read(name).records.filter((r) => r.kind === 'vendor');
      expect(vendor.length).toBeGreaterThan(0);
      expect(vendor.every((r) => r.h4[0] === 0x07 && r.direction === 'tx')).toBe(true);
    }
  });

  it('pcapng and PacketLogger timestamps are Unix microseconds (years 2019–2022)', () => {
    for (const name of ['bluffs__sc-pixelbuds-aseries.pcapng', 'hciparse__test00.pklg']) {
      const first = read(name).records[0] as CaptureRecord;
      const year = new Date((first.timestampUs ?? 0) / 1000).getUTCFullYear();
      expect(year).toBeGreaterThanOrEqual(2019);
      expect(year).toBeLessThanOrEqual(2022);
    }
  });

  it('every btsnoop capture re-encodes byte for byte with BtsnoopWriter', () => {
    const btsnoop = files.filter((f) => f.endsWith('.log'));
    expect(btsnoop.length).toBeGreaterThan(0);
    for (const name of btsnoop) {
      const original = new Uint8Array(readFileSync(tracePath(name)));
      const { records } = readCaptureWithStats(original);
      const again = BtsnoopWriter.encodeFile(records);
      expect(Buffer.from(again).equals(Buffer.from(original)), name).toBe(true);
    }
  });
});
