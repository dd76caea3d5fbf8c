/**
 * Replay of every SDP PDU in ../shared/traces: decode and re-encode byte for byte, the count agrees
 * with Wireshark's (tshark-counts.json), the records the phones read parse, every RFCOMM
 * ProtocolDescriptorList names a channel 1..30, the channels are the ones tshark's SDP dissector
 * shows, every RFCOMM channel the host then opens (SABM) is one those records named, and our
 * server answers every captured request.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concat, hex } from '../../src/core/index.js';
import {
  type ServiceRecord,
  SdpDatabase,
  SdpServer,
  decodeAttributeList,
  decodeAttributeLists,
  decodeSdpPdu,
  encodeSdpPdu,
  parseServices,
  serialPortRecord,
} from '../../src/sdp/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { run, toolMissing } from '../trace/tools.js';
import { type CapturedSdpPdu, scanCapture } from './support/capture-sdp.js';

const skip = tracesMissing();
const noTshark = skip ?? toolMissing('tshark');

/** The RFCOMM channels Wireshark's SDP dissector shows in the capture's ProtocolDescriptorLists. */
function tsharkRfcommChannels(file: string): Set<number> {
  const out = run('tshark', ['-r', tracePath(file), '-Y', 'btsdp', '-T', 'fields', '-e', 'btsdp.protocol.channel']);
  return new Set(out.split(/[\s,]+/).filter((v) => v !== '').map(Number));
}

function tsharkSdpCount(file: string): number | undefined {
  const counts = JSON.parse(readFileSync(tracePath('tshark-counts.json'), 'utf8')) as { files: Record<string, { sdp: number }> };
  return counts.files[file]?.sdp;
}

/** Joins each channel's continued attribute responses and decodes the records they carry. */
function recordsRead(pdus: readonly CapturedSdpPdu[]): ServiceRecord[] {
  const partial = new Map<string, Uint8Array[]>();
  const records: ServiceRecord[] = [];
  for (const p of pdus) {
    if (p.fromClient) continue;
    const rsp = decodeSdpPdu(p.bytes);
    if (rsp.type !== 'service-search-attribute-response' && rsp.type !== 'service-attribute-response') continue;
    const pieces = partial.get(p.channel) ?? [];
    pieces.push(rsp.type === 'service-attribute-response' ? rsp.attributeList : rsp.attributeLists);
    if (rsp.continuation.length > 0) {
      partial.set(p.channel, pieces);
      continue;
    }
    partial.delete(p.channel);
    const joined = concat(...pieces);
    if (rsp.type === 'service-attribute-response') records.push(decodeAttributeList(joined));
    else records.push(...decodeAttributeLists(joined));
  }
  return records;
}

describe.skipIf(skip)('SDP trace replay', () => {
  const files = traceFiles().filter((f) => (tsharkSdpCount(f) ?? 0) > 0);

  it('has captures with SDP', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  describe.each(files)('%s', (file) => {
    const { sdp: pdus, rfcommOpens } = scanCapture(new Uint8Array(readFileSync(tracePath(file))));

    it('finds as many SDP PDUs as Wireshark', () => {
      expect(pdus.length).toBe(tsharkSdpCount(file));
    });

    it('decodes and re-encodes every SDP PDU byte for byte', () => {
      for (const p of pdus) {
        const pdu = decodeSdpPdu(p.bytes);
        expect(pdu.type.endsWith(p.fromClient ? '-request' : 'e')).toBe(true);
        expect(hex(encodeSdpPdu(pdu))).toBe(hex(p.bytes));
      }
    });

    it('the records read parse, and every RFCOMM service names a channel 1..30', () => {
      const services = parseServices(recordsRead(pdus));
      const rfcomm = services.filter((s) => s.protocol === 'RFCOMM');
      expect(services.length).toBeGreaterThan(0);
      for (const s of rfcomm) {
        expect(s.channel).toBeGreaterThanOrEqual(1);
        expect(s.channel).toBeLessThanOrEqual(30);
      }
    });

    it('every RFCOMM channel the host opens is one that SDP told it about', () => {
      const advertised = new Set(parseServices(recordsRead(pdus)).flatMap((s) => (s.protocol === 'RFCOMM' ? [s.channel] : [])));
      const opened = new Set(rfcommOpens.filter((o) => o.direction === 'tx').map((o) => o.serverChannel));
      for (const ch of opened) expect(advertised.has(ch), `channel ${ch}`).toBe(true);
    });

    it.skipIf(noTshark !== undefined)('the records read name the same RFCOMM channels tshark shows', () => {
      const ours = new Set(parseServices(recordsRead(pdus)).flatMap((s) => (s.protocol === 'RFCOMM' && s.channel !== undefined ? [s.channel] : [])));
      expect([...ours].sort((x, y) => x - y)).toEqual([...tsharkRfcommChannels(file)].sort((x, y) => x - y));
    });

    it('our server answers every captured request with a decodable response of the same TransactionID', () => {
      const db = new SdpDatabase();
      db.add(serialPortRecord({ channel: 1, name: 'Replay' }));
      const server = new SdpServer(db);
      for (const p of pdus.filter((q) => q.fromClient)) {
        const req = decodeSdpPdu(p.bytes);
        const rsp = decodeSdpPdu(server.handle(p.channel, p.bytes));
        expect(rsp.transactionId).toBe(req.transactionId);
        expect(rsp.type === 'error-response' ? rsp.errorCode : 0).not.toBe(0x0003);
      }
    });
  });

  it('the phones read at least one RFCOMM service across the captures', () => {
    const channels = files.flatMap((f) =>
      parseServices(recordsRead(scanCapture(new Uint8Array(readFileSync(tracePath(f)))).sdp))
        .filter((s) => s.protocol === 'RFCOMM')
        .map((s) => s.channel),
    );
    expect(channels.length).toBeGreaterThan(0);
  });
});
