/**
 * Above HCI on the real captures, frame by frame against Wireshark's tshark (`-T fields -e …`):
 * every L2CAP PDU carries its payload (length, CID and the channel's PSM as tshark has them, and
 * the bytes where tshark shows `btl2cap.payload`); AVDTP signaling headers and media (RTP)
 * headers; AVCTP headers with AVRCP's AV/C frame; AT command lines of HFP over RFCOMM. Each
 * decoded layer is present at exactly the frames where tshark decodes that protocol.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { readCapture, PacketDecoder, type DecodedPacket } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { run, toolMissing } from './tools.js';

const FIELDS = [
  'btl2cap.cid',
  'btl2cap.length',
  'btl2cap.psm',
  'btl2cap.payload',
  'btavdtp.transaction',
  'btavdtp.packet_type',
  'btavdtp.message_type',
  'btavdtp.signal_id',
  'rtp.seq',
  'rtp.timestamp',
  'rtp.p_type',
  'rtp.ssrc',
  'btavctp.transaction',
  'btavctp.packet_type',
  'btavctp.cr',
  'btavctp.ipid',
  'btavctp.pid',
  'btavrcp.ctype',
  'btavrcp.subunit_type',
  'btavrcp.subunit_id',
  'btavrcp.opcode',
  'btavrcp.pdu_id',
  'btavrcp.passthrough.operation',
  'btavrcp.passthrough.state',
  'bthfp.at_cmd',
  'bthfp.command_line_prefix',
] as const;
type Field = (typeof FIELDS)[number];

function tsharkFields(path: string): Map<number, Record<Field, string>> {
  const out = run('tshark', ['-r', path, '-Y', 'btl2cap', '-T', 'fields', '-e', 'frame.number', ...FIELDS.flatMap((f) => ['-e', f])]);
  const rows = new Map<number, Record<Field, string>>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, ...values] = line.split('\t');
    rows.set(Number(frame), Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? ''])) as Record<Field, string>);
  }
  return rows;
}

const num = (s: string) => (s === '' ? undefined : Number(s));
const PACKET_TYPES = ['single', 'start', 'continue', 'end'];
const MESSAGE_TYPES = ['command', 'general-reject', 'accept', 'reject'];

/** Differences between tshark's row and our decode of one frame, one line each. */
function compare(frame: number, t: Record<Field, string>, d: DecodedPacket): string[] {
  const diffs: string[] = [];
  const same = (what: string, theirs: unknown, ours: unknown) => {
    if (theirs !== ours) diffs.push(`frame ${frame} ${what}: tshark ${String(theirs)}, ours ${String(ours)}`);
  };
  const l2 = d.l2cap;
  if (!l2 || 'error' in l2) return [`frame ${frame}: tshark has L2CAP, ours ${l2 ? l2.error : 'none'}`];
  same('cid', num(t['btl2cap.cid']), l2.cid);
  same('length', num(t['btl2cap.length']), l2.payload.length);
  if (t['btl2cap.psm'] && l2.cid >= 0x40) same('psm', num(t['btl2cap.psm']), l2.psm);
  if (t['btl2cap.payload']) same('payload', t['btl2cap.payload'], hex(l2.payload));

  const signaling = t['btavdtp.signal_id'] !== '' || (t['btavdtp.packet_type'] !== '' && t['btavdtp.transaction'] !== '');
  const media = t['rtp.seq'] !== '' && l2.psm === 0x19;
  const a = d.avdtp && !('error' in d.avdtp) ? d.avdtp : undefined;
  same('AVDTP signaling', signaling, a?.channel === 'signaling');
  same('AVDTP media', media, a?.channel === 'media');
  if (a?.channel === 'signaling') {
    same('avdtp transaction', num(t['btavdtp.transaction']), a.transaction);
    same('avdtp packet type', PACKET_TYPES[num(t['btavdtp.packet_type']) ?? -1], a.packetType);
    same('avdtp message type', MESSAGE_TYPES[num(t['btavdtp.message_type']) ?? -1], a.messageType);
    same('avdtp signal id', num(t['btavdtp.signal_id']), a.signalId);
  } else if (a?.channel === 'media') {
    same('rtp seq', num(t['rtp.seq']), a.sequence);
    same('rtp timestamp', num(t['rtp.timestamp']), a.timestamp);
    same('rtp payload type', num(t['rtp.p_type']), a.payloadType);
    same('rtp ssrc', num(t['rtp.ssrc']), a.ssrc);
  }

  const c = d.avctp && !('error' in d.avctp) ? d.avctp : undefined;
  same('AVCTP', t['btavctp.transaction'] !== '', c !== undefined);
  if (c) {
    same('avctp transaction', num(t['btavctp.transaction']), c.transaction);
    same('avctp packet type', PACKET_TYPES[num(t['btavctp.packet_type']) ?? -1], c.packetType);
    same('avctp cr', num(t['btavctp.cr']), c.cr === 'response' ? 1 : 0);
    same('avctp ipid', num(t['btavctp.ipid']), c.ipid ? 1 : 0);
    same('avctp pid', num(t['btavctp.pid']), c.pid);
    same('AV/C', t['btavrcp.ctype'] !== '', c.avc !== undefined);
    if (c.avc) {
      same('avc ctype', num(t['btavrcp.ctype']), c.avc.ctype);
      same('avc subunit type', num(t['btavrcp.subunit_type']), c.avc.subunitType);
      same('avc subunit id', num(t['btavrcp.subunit_id']), c.avc.subunitId);
      same('avc opcode', num(t['btavrcp.opcode']), c.avc.opcode);
      same('avrcp pdu id', num(t['btavrcp.pdu_id']), c.avc.pduId);
      same('avrcp passthrough operation', num(t['btavrcp.passthrough.operation']), c.avc.operationId);
      same('avrcp passthrough state', num(t['btavrcp.passthrough.state']), c.avc.released === undefined ? undefined : c.avc.released ? 1 : 0);
    }
  }

  const rf = d.rfcomm && !('error' in d.rfcomm) ? d.rfcomm : undefined;
  same('AT', t['bthfp.at_cmd'] !== '', rf?.at !== undefined);
  if (rf?.at) {
    same('at commands', t['bthfp.at_cmd'], rf.at.map((l) => l.name).join(','));
    same('at prefixes', t['bthfp.command_line_prefix'], rf.at.filter((l) => l.kind === 'command').map(() => 'AT').join(','));
  }
  return diffs;
}

const skip = tracesMissing() ?? toolMissing('tshark');
const files = traceFiles();

describe.skipIf(skip)('L2CAP payloads, AVDTP, AVCTP/AVRCP and HFP AT lines agree with tshark, frame by frame', () => {
  const seen = { l2cap: 0, payload: 0, signaling: 0, media: 0, avctp: 0, avc: 0, at: 0 };

  for (const name of files) {
    it(name, () => {
      const rows = tsharkFields(tracePath(name));
      const decoder = new PacketDecoder();
      const diffs: string[] = [];
      const ours = new Set<number>();
      for (const r of readCapture(new Uint8Array(readFileSync(tracePath(name))))) {
        const d = decoder.decode(r.direction, r.h4);
        if (d.l2cap) ours.add(r.frame);
        const t = rows.get(r.frame);
        if (!t) continue;
        diffs.push(...compare(r.frame, t, d));
        if (d.l2cap && !('error' in d.l2cap)) seen.l2cap++;
        if (t['btl2cap.payload']) seen.payload++;
        if (d.avdtp && !('error' in d.avdtp)) seen[d.avdtp.channel]++;
        if (d.avctp && !('error' in d.avctp)) {
          seen.avctp++;
          if (d.avctp.avc) seen.avc++;
        }
        if (d.rfcomm && !('error' in d.rfcomm) && d.rfcomm.at) seen.at++;
      }
      const extra = [...ours].filter((f) => !rows.has(f));
      expect(extra.slice(0, 5), 'frames with L2CAP that tshark has none at').toEqual([]);
      expect(diffs.slice(0, 10)).toEqual([]);
    });
  }

  it('met every protocol: AVDTP 351 signaling frames, 1,549 media, AVCTP 215, HFP 117', () => {
    expect(seen.l2cap).toBeGreaterThan(150_000);
    expect(seen.payload).toBeGreaterThan(0);
    expect(seen.signaling + seen.media).toBe(351 + 1549);
    expect(seen.media).toBe(1549);
    expect(seen.avctp).toBe(215);
    expect(seen.avc).toBeGreaterThan(0);
    expect(seen.at).toBe(117);
  });
});
