/**
 * The SDP layer of the packet decoder: attribute lists decoded into named attributes once their
 * byte stream is complete, fragments of continued responses joined, in text and in
 * `btc decode --json` (where every byte, Buffers included, is hex).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeHciPacket } from '../../src/hci/index.js';
import { encodeBasicFrame, encodeSignal } from '../../src/l2cap/index.js';
import { attributeListElement, encodeDataElement, encodeSdpPdu, de, serialPortRecord, type SdpPdu } from '../../src/sdp/index.js';
import { BtsnoopWriter, PacketDecoder } from '../../src/trace/index.js';
import { Uuid } from '../../src/core/index.js';
import { runCli } from '../support/cli.js';

const HANDLE = 0x000b;
/** Our (tx) side's CID and the peer's for the SDP channel. */
const LOCAL_CID = 0x0040;
const REMOTE_CID = 0x0041;

function acl(l2cap: Uint8Array): Uint8Array {
  return encodeHciPacket({ type: 'acl', acl: { handle: HANDLE, pb: 0b10, bc: 0, data: l2cap } });
}

/** The packets that open an SDP channel: ConnReq out, ConnRsp in. */
function sdpChannel(): ['tx' | 'rx', Uint8Array][] {
  return [
    ['tx', acl(encodeBasicFrame({ cid: 1, payload: encodeSignal({ type: 'connection-request', identifier: 1, psm: 1, scid: LOCAL_CID }) }))],
    ['rx', acl(encodeBasicFrame({ cid: 1, payload: encodeSignal({ type: 'connection-response', identifier: 1, dcid: REMOTE_CID, scid: LOCAL_CID, result: 0, status: 0 }) }))],
  ];
}

const request = (transactionId: number, continuation: Uint8Array): ['tx', Uint8Array] => [
  'tx',
  acl(
    encodeBasicFrame({
      cid: REMOTE_CID,
      payload: encodeSdpPdu({
        type: 'service-search-attribute-request',
        transactionId,
        pattern: [Uuid.from16(0x1101)],
        maximumAttributeByteCount: 0xffff,
        attributeIds: [{ first: 0, last: 0xffff }],
        continuation,
      }),
    }),
  ),
];

const response = (transactionId: number, attributeLists: Uint8Array, continuation: Uint8Array): ['rx', Uint8Array] => [
  'rx',
  acl(encodeBasicFrame({ cid: LOCAL_CID, payload: encodeSdpPdu({ type: 'service-search-attribute-response', transactionId, attributeLists, continuation } as SdpPdu) })),
];

/** AttributeLists for one Serial Port record named "COM7" on channel 7. */
function sppLists(): Uint8Array {
  const record = serialPortRecord({ channel: 7, name: 'COM7' });
  record.set(0x0000, de.uint32(0x10001));
  return encodeDataElement(de.sequence(attributeListElement(record, [{ first: 0, last: 0xffff }])));
}

function run(packets: ['tx' | 'rx', Uint8Array][]): { text: string[][]; decoder: PacketDecoder } {
  const decoder = new PacketDecoder();
  return { text: packets.map(([d, h4]) => decoder.describe(d, h4)), decoder };
}

describe('SDP attribute lists in the packet decoder', () => {
  it('decodes a complete ServiceSearchAttributeResponse into named attributes', () => {
    const { text } = run([...sdpChannel(), request(1, new Uint8Array()), response(1, sppLists(), new Uint8Array())]);
    const lines = text.at(-1)!.join('\n');
    expect(lines).toMatch(/SDP SSA-Rsp tid=1 bytes=\d+/);
    expect(lines).toContain('record 1 of 1');
    expect(lines).toContain('0x0000 ServiceRecordHandle: uint32 0x10001');
    expect(lines).toContain('0x0001 ServiceClassIDList: seq[uuid 0x1101]');
    expect(lines).toContain('0x0004 ProtocolDescriptorList: seq[seq[uuid 0x0100], seq[uuid 0x0003, uint8 0x7]]');
    expect(lines).toContain('0x0100 ServiceName: text "COM7"');
  });

  it('shows the fragment length of a continued response and decodes the list when the last part arrives', () => {
    const lists = sppLists();
    const cut = 20;
    const state = Uint8Array.of(0x01, 0x02);
    const { text } = run([
      ...sdpChannel(),
      request(1, new Uint8Array()),
      response(1, lists.subarray(0, cut), state),
      request(2, state),
      response(2, lists.subarray(cut), new Uint8Array()),
    ]);
    expect(text[3].join('\n')).toContain(`attribute lists continue in the next response (${cut} byte(s) so far)`);
    expect(text[3].join('\n')).not.toContain('record 1');
    const last = text[5].join('\n');
    expect(last).toContain('record 1 of 1 (joined from 2 responses)');
    expect(last).toContain('0x0100 ServiceName: text "COM7"');
  });

  it('a new request drops the fragments of an abandoned continuation', () => {
    const lists = sppLists();
    const { text } = run([
      ...sdpChannel(),
      request(1, new Uint8Array()),
      response(1, lists.subarray(0, 20), Uint8Array.of(9)),
      request(2, new Uint8Array()),
      response(2, lists, new Uint8Array()),
    ]);
    const last = text[5].join('\n');
    expect(last).toContain('record 1 of 1');
    expect(last).not.toContain('joined');
  });

  it('reports a complete list that does not decode, and the packets after it still decode', () => {
    const { text } = run([...sdpChannel(), request(1, new Uint8Array()), response(1, Uint8Array.of(0x35, 0x05, 0x09), new Uint8Array()), request(2, new Uint8Array())]);
    expect(text[3].join('\n')).toContain('attribute lists malformed');
    expect(text[4].join('\n')).toContain('SSA-Req tid=2');
  });
});

describe('btc decode --json', () => {
  it('writes every byte as hex (Buffers too) and the decoded SDP attributes', async () => {
    const packets = [...sdpChannel(), request(1, new Uint8Array()), response(1, sppLists(), new Uint8Array())];
    const file = join(mkdtempSync(join(tmpdir(), 'btc-decode-')), 'sdp.btsnoop');
    writeFileSync(file, BtsnoopWriter.encodeFile(packets.map(([direction, h4]) => ({ direction, h4 }))));
    const r = await runCli(['decode', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('"Buffer"');
    const objects = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rsp = objects.at(-1);
    expect(rsp.hci.acl.data).toMatch(/^[0-9a-f]+$/);
    expect(rsp.sdp.attributeLists).toBe(Buffer.from(sppLists()).toString('hex'));
    const [record] = rsp.sdp.attributes.records;
    expect(record.find((a: { id: number }) => a.id === 0x0100)).toMatchObject({ name: 'ServiceName', text: 'text "COM7"', value: { type: 'text', bytes: Buffer.from('COM7').toString('hex') } });
    expect(record.find((a: { id: number }) => a.id === 0x0001)).toMatchObject({ value: { type: 'sequence', items: [{ type: 'uuid', value: '0x1101' }] } });
  });
});
