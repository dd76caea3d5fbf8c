/**
 * HCI coverage on the real captures: no command or Command Complete outside the vendor range
 * prints as raw hex, and the commands, events, return parameters and LE Meta subevents that the
 * decoder names carry the same field values as Wireshark's tshark decodes at the same frame
 * (`tshark -T fields -e …`), frame by frame. Vendor commands (OGF 0x3F) and events (0xFF) are
 * named as vendor at exactly the frames where tshark sees them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture, PacketDecoder, type DecodedPacket } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { run, toolMissing } from './tools.js';

type Kind = 'command' | 'event' | 'return' | 'le';
/** Our field name, tshark's field, and how our value reads in tshark's notation when it differs. */
type FieldPair = [ours: string, theirs: string, as?: (v: unknown) => unknown];

interface Check {
  kind: Kind;
  /** Our command / event / subevent name. */
  name: string;
  /** tshark's number for it: opcode, event code or LE subevent code. */
  code: number;
  fields: FieldPair[];
}

const bit = (n: number) => (v: unknown) => ((v as number) >> n) & 1;
const lower = (v: unknown) => String(v).toLowerCase();
const HANDLE: FieldPair = ['handle', 'bthci_cmd.connection_handle'];
const EVT_HANDLE: FieldPair = ['handle', 'bthci_evt.connection_handle'];
const EVT_STATUS: FieldPair = ['status', 'bthci_evt.status'];

const CHECKS: Check[] = [
  { kind: 'command', name: 'Read RSSI', code: 0x1405, fields: [HANDLE] },
  {
    kind: 'command',
    name: 'Sniff Mode',
    code: 0x0803,
    fields: [
      HANDLE,
      ['sniffMaxInterval', 'bthci_cmd.sniff_max_int'],
      ['sniffMinInterval', 'bthci_cmd.sniff_min_int'],
      ['sniffAttempt', 'bthci_cmd.sniff_attempt'],
      ['sniffTimeout', 'bthci_cmd.timeout'],
    ],
  },
  { kind: 'command', name: 'Exit Sniff Mode', code: 0x0804, fields: [HANDLE] },
  {
    kind: 'command',
    name: 'Write Link Policy Settings',
    code: 0x080d,
    fields: [
      HANDLE,
      ['linkPolicySettings', 'bthci_cmd.link_policy_switch', bit(0)],
      ['linkPolicySettings', 'bthci_cmd.link_policy_hold', bit(1)],
      ['linkPolicySettings', 'bthci_cmd.link_policy_sniff', bit(2)],
      ['linkPolicySettings', 'bthci_cmd.link_policy_park', bit(3)],
    ],
  },
  {
    kind: 'command',
    name: 'Sniff Subrating',
    code: 0x0811,
    fields: [HANDLE, ['maxLatency', 'bthci_cmd.max_latency'], ['minRemoteTimeout', 'bthci_cmd.min_remote_timeout'], ['minLocalTimeout', 'bthci_cmd.min_local_timeout']],
  },
  { kind: 'command', name: 'Read Remote Extended Features', code: 0x041c, fields: [HANDLE, ['pageNumber', 'bthci_cmd.page_number']] },
  { kind: 'command', name: 'Change Connection Packet Type', code: 0x040f, fields: [HANDLE, ['packetType', 'bthci_cmd.packet_type']] },
  { kind: 'command', name: 'Write Link Supervision Timeout', code: 0x0c37, fields: [HANDLE, ['linkSupervisionTimeout', 'bthci_cmd.timeout']] },
  { kind: 'command', name: 'Read Local Extended Features', code: 0x1004, fields: [['pageNumber', 'bthci_cmd.page_number']] },
  {
    kind: 'command',
    name: 'LE Set Scan Parameters',
    code: 0x200b,
    fields: [
      ['leScanType', 'bthci_cmd.le_scan_type'],
      ['leScanInterval', 'bthci_cmd.le_scan_interval'],
      ['leScanWindow', 'bthci_cmd.le_scan_window'],
    ],
  },
  {
    kind: 'command',
    name: 'LE Create Connection',
    code: 0x200d,
    fields: [
      ['leScanInterval', 'bthci_cmd.le_scan_interval'],
      ['leScanWindow', 'bthci_cmd.le_scan_window'],
      ['connectionIntervalMin', 'bthci_cmd.le_con_interval_min'],
      ['connectionIntervalMax', 'bthci_cmd.le_con_interval_max'],
      ['supervisionTimeout', 'bthci_cmd.le_supv_timeout'],
    ],
  },
  {
    kind: 'event',
    name: 'Mode Change',
    code: 0x14,
    fields: [EVT_STATUS, EVT_HANDLE, ['currentMode', 'bthci_evt.current_mode'], ['interval', 'bthci_evt.interval']],
  },
  {
    kind: 'event',
    name: 'Read Remote Extended Features Complete',
    code: 0x23,
    fields: [EVT_STATUS, EVT_HANDLE, ['pageNumber', 'bthci_evt.page_number'], ['maxPageNumber', 'bthci_evt.max_page_number']],
  },
  { kind: 'event', name: 'Connection Packet Type Changed', code: 0x1d, fields: [EVT_STATUS, EVT_HANDLE, ['packetType', 'bthci_evt.packet_type']] },
  {
    kind: 'event',
    name: 'Read Remote Version Information Complete',
    code: 0x0c,
    fields: [EVT_STATUS, EVT_HANDLE, ['version', 'bthci_evt.lmp_vers_nr'], ['companyIdentifier', 'bthci_evt.comp_id'], ['subversion', 'bthci_evt.lmp_sub_vers_nr']],
  },
  { kind: 'return', name: 'Read RSSI', code: 0x1405, fields: [EVT_STATUS, EVT_HANDLE, ['rssi', 'bthci_evt.rssi']] },
  { kind: 'return', name: 'Write Link Policy Settings', code: 0x080d, fields: [EVT_STATUS, EVT_HANDLE] },
  {
    kind: 'return',
    name: 'Read Local Extended Features',
    code: 0x1004,
    fields: [EVT_STATUS, ['pageNumber', 'bthci_evt.page_number'], ['maxPageNumber', 'bthci_evt.max_page_number']],
  },
  {
    kind: 'le',
    name: 'LE Connection Complete',
    code: 0x01,
    fields: [
      EVT_STATUS,
      EVT_HANDLE,
      ['role', 'bthci_evt.role'],
      ['peerAddressType', 'bthci_evt.le_peer_address_type'],
      ['peerAddress', 'bthci_evt.bd_addr', lower],
      ['connectionInterval', 'bthci_evt.le_con_interval'],
      ['peripheralLatency', 'bthci_evt.le_con_latency'],
      ['supervisionTimeout', 'bthci_evt.le_supv_timeout'],
    ],
  },
  {
    kind: 'le',
    name: 'LE Advertising Report',
    code: 0x02,
    fields: [
      ['eventType', 'bthci_evt.le_advts_event_type'],
      ['addressType', 'bthci_evt.le_peer_address_type'],
      ['address', 'bthci_evt.bd_addr', lower],
      ['rssi', 'bthci_evt.rssi'],
    ],
  },
  {
    kind: 'le',
    name: 'LE Enhanced Connection Complete',
    code: 0x0a,
    fields: [
      EVT_STATUS,
      EVT_HANDLE,
      ['peerAddress', 'bthci_evt.bd_addr', lower],
      ['localResolvablePrivateAddress', 'bthci_evt.le_local_rpa', lower],
      ['peerResolvablePrivateAddress', 'bthci_evt.le_peer_rpa', lower],
      ['connectionInterval', 'bthci_evt.le_con_interval'],
      ['supervisionTimeout', 'bthci_evt.le_supv_timeout'],
    ],
  },
];

const CODE_FIELDS = ['bthci_cmd.opcode', 'bthci_evt.code', 'bthci_evt.opcode', 'bthci_evt.le_meta_subevent'];
const FIELDS = [...new Set([...CODE_FIELDS, ...CHECKS.flatMap((c) => c.fields.map((f) => f[1]))])];

/** Per frame: tshark's value of each field ('' when absent). */
function tsharkFields(path: string): Map<number, Record<string, string>> {
  const out = run('tshark', ['-r', path, '-Y', 'bthci_cmd || bthci_evt', '-T', 'fields', '-e', 'frame.number', ...FIELDS.flatMap((f) => ['-e', f])]);
  const rows = new Map<number, Record<string, string>>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, ...values] = line.split('\t');
    rows.set(Number(frame), Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? ''])));
  }
  return rows;
}

/** tshark's notation for a number: `0x0002`, `798`, `-57`; addresses as they are. */
function normal(v: unknown): unknown {
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^-?(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : s;
}

/** The values our decode gives for a check at this packet, or undefined when it is not that check's. */
function ours(check: Check, d: DecodedPacket): Record<string, unknown> | undefined {
  if ('error' in d.hci) return undefined;
  const hci = d.hci;
  if (check.kind === 'command') return hci.type === 'command' && hci.command.name === check.name ? (hci.command as unknown as Record<string, unknown>) : undefined;
  if (hci.type !== 'event') return undefined;
  const ev = hci.event;
  if (check.kind === 'event') return ev.name === check.name ? (ev as unknown as Record<string, unknown>) : undefined;
  if (check.kind === 'return') return ev.name === 'Command Complete' && ev.opcode === check.code ? ev.returns : undefined;
  if (!d.le || d.le.name !== check.name) return undefined;
  if ('fields' in d.le) return d.le.fields;
  // tshark's fields list every report's value in order: the first is compared.
  if ('reports' in d.le) return d.le.reports[0] as unknown as Record<string, unknown>;
  return undefined;
}

/** The frames tshark puts under a check, by its opcode / event code / subevent. */
function theirs(check: Check, row: Record<string, string>): boolean {
  const code = (f: string) => (row[f] === '' ? undefined : Number(row[f].split(',')[0]));
  if (check.kind === 'command') return code('bthci_cmd.opcode') === check.code;
  if (check.kind === 'event') return code('bthci_evt.code') === check.code;
  if (check.kind === 'return') return code('bthci_evt.code') === 0x0e && code('bthci_evt.opcode') === check.code;
  return code('bthci_evt.code') === 0x3e && code('bthci_evt.le_meta_subevent') === check.code;
}

const skipTraces = tracesMissing();
const skipTshark = skipTraces ?? toolMissing('tshark');
const files = traceFiles();

function decodeFile(name: string): { frame: number; decoded: DecodedPacket; line: string }[] {
  const decoder = new PacketDecoder();
  const describer = new PacketDecoder();
  return Array.from(readCapture(new Uint8Array(readFileSync(tracePath(name)))), (r) => ({
    frame: r.frame,
    decoded: decoder.decode(r.direction, r.h4),
    line: describer.describe(r.direction, r.h4)[0],
  }));
}

describe.skipIf(skipTraces)('HCI coverage of the real captures', () => {
  it('no command or Command Complete outside OGF 0x3F prints as raw hex; vendor ones are named', () => {
    const raw: string[] = [];
    let vendor = 0;
    for (const name of files) {
      for (const { decoded, line } of decodeFile(name)) {
        if ('error' in decoded.hci || !(decoded.hci.type === 'command' || line.startsWith('Command Complete'))) continue;
        if (line.startsWith('Vendor Command') || line.startsWith('Command Complete Vendor Command')) vendor++;
        else if (/ params=| return=/.test(line)) raw.push(`${name}: ${line.slice(0, 80)}`);
      }
    }
    expect(raw.slice(0, 10)).toEqual([]);
    expect(vendor).toBeGreaterThan(1000);
  });
});

describe.skipIf(skipTshark)('HCI fields agree with tshark, frame by frame', () => {
  const compared = new Map<string, number>();

  for (const name of files) {
    it(name, () => {
      const rows = tsharkFields(tracePath(name));
      const diffs: string[] = [];
      for (const { frame, decoded, line } of decodeFile(name)) {
        const row = rows.get(frame);
        if (!row) continue;
        const opcode = row['bthci_cmd.opcode'] ? Number(row['bthci_cmd.opcode']) : undefined;
        const completed = row['bthci_evt.opcode'] ? Number(row['bthci_evt.opcode'].split(',')[0]) : undefined;
        const vendorCommand = opcode !== undefined && opcode >>> 10 === 0x3f;
        if (vendorCommand !== line.startsWith('Vendor Command')) diffs.push(`frame ${frame}: tshark opcode ${opcode}, ours ${line.slice(0, 60)}`);
        const vendorComplete = row['bthci_evt.code'] === '0x0e' && completed !== undefined && completed >>> 10 === 0x3f;
        if (vendorComplete !== line.startsWith('Command Complete Vendor Command')) diffs.push(`frame ${frame}: tshark completes ${completed}, ours ${line.slice(0, 60)}`);
        if ((row['bthci_evt.code'] === '0xff') !== line.startsWith('Vendor Event')) diffs.push(`frame ${frame}: tshark event ${row['bthci_evt.code']}, ours ${line.slice(0, 60)}`);
        for (const check of CHECKS) {
          const values = ours(check, decoded);
          const tsharkHas = theirs(check, row);
          if (tsharkHas !== (values !== undefined)) {
            diffs.push(`frame ${frame} ${check.kind} ${check.name}: tshark ${tsharkHas}, ours ${values !== undefined} (${line.slice(0, 60)})`);
            continue;
          }
          if (!values) continue;
          compared.set(`${check.kind} ${check.name}`, (compared.get(`${check.kind} ${check.name}`) ?? 0) + 1);
          for (const [field, tsharkField, as] of check.fields) {
            const mine = normal(as ? as(values[field]) : values[field]);
            const their = normal(row[tsharkField].split(',')[0]);
            if (mine !== their) diffs.push(`frame ${frame} ${check.name}.${field}: tshark ${tsharkField}=${row[tsharkField]}, ours ${String(mine)}`);
          }
        }
      }
      expect(diffs.slice(0, 10)).toEqual([]);
    });
  }

  it('every check met its packets in some capture', () => {
    const missing = CHECKS.map((c) => `${c.kind} ${c.name}`).filter((k) => !compared.has(k));
    expect(missing).toEqual([]);
  });
});
