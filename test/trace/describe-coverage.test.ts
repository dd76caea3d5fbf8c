/**
 * What the packet decoder names beyond the HCI tables, on bytes built here: LE Meta subevents,
 * vendor commands and events, AVDTP signaling and media headers, AVCTP/AVRCP headers, AT command
 * lines on an RFCOMM channel an SDP record names as Hands-Free, the L2CAP payload in JSON, and
 * the channel bookkeeping (first AVDTP channel is signaling, closing it makes the next one so).
 * Every profile decoder is total: any bytes give a value or a DecodeError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DecodeError, fromHex, hex, Uuid } from '../../src/core/index.js';
import { encodeHciPacket } from '../../src/hci/index.js';
import { encodeBasicFrame, encodeSignal, type L2capSignal } from '../../src/l2cap/index.js';
import { encodeRfcommFrame } from '../../src/rfcomm/index.js';
import { attributeListElement, de, encodeDataElement, encodeSdpPdu, serviceRecord, type SdpPdu } from '../../src/sdp/index.js';
import { decodeLeMeta, describeLeMeta } from '../../src/trace/describe-hci.js';
import { BtsnoopWriter, PacketDecoder } from '../../src/trace/index.js';
import { decodeAtLines } from '../../src/trace/profiles/at.js';
import { decodeAvctp, describeAvctp } from '../../src/trace/profiles/avctp.js';
import { decodeAvdtpSignal, decodeRtpHeader, describeAvdtpSignal, describeRtpHeader } from '../../src/trace/profiles/avdtp.js';
import { runCli } from '../support/cli.js';

const HANDLE = 0x000c;

function acl(cid: number, payload: Uint8Array, handle = HANDLE): Uint8Array {
  return encodeHciPacket({ type: 'acl', acl: { handle, pb: 0b10, bc: 0, data: encodeBasicFrame({ cid, payload }) } });
}
const signal = (s: L2capSignal, handle = HANDLE) => acl(1, encodeSignal(s), handle);

/** Opens a channel: ConnReq from us (tx) with our CID, ConnRsp from the peer with its CID. */
function open(psm: number, id: number, ours: number, theirs: number): ['tx' | 'rx', Uint8Array][] {
  return [
    ['tx', signal({ type: 'connection-request', identifier: id, psm, scid: ours })],
    ['rx', signal({ type: 'connection-response', identifier: id, dcid: theirs, scid: ours, result: 0, status: 0 })],
  ];
}

function feed(decoder: PacketDecoder, packets: ['tx' | 'rx', Uint8Array][]): void {
  for (const [d, h4] of packets) decoder.decode(d, h4);
}

describe('LE Meta events', () => {
  it('LE Connection Complete: subevent, handle, role, peer, interval, latency, timeout', () => {
    const params = fromHex('01 00 40 00 01 00 66 55 44 33 22 11 0c 00 00 00 c8 00 00');
    const e = decodeLeMeta(params);
    expect(e).toEqual({
      subevent: 1,
      name: 'LE Connection Complete',
      fields: {
        status: 0,
        handle: 0x0040,
        role: 1,
        peerAddressType: 0,
        peerAddress: '11:22:33:44:55:66',
        connectionInterval: 12,
        peripheralLatency: 0,
        supervisionTimeout: 200,
        centralClockAccuracy: 0,
      },
    });
    expect(describeLeMeta(e)).toBe(
      'LE Connection Complete status=0x00(Success) handle=0x0040 role=1 peerAddressType=0 peerAddress=11:22:33:44:55:66 connectionInterval=12 peripheralLatency=0 supervisionTimeout=200 centralClockAccuracy=0x00',
    );
  });

  it('LE Advertising Report with two reports, each whole, RSSI signed', () => {
    const params = fromHex('02 02' + ' 00 01 66 55 44 33 22 11 03 02 01 06 c6' + ' 04 00 01 00 00 00 00 00 00 7f');
    const e = decodeLeMeta(params);
    expect(e).toEqual({
      subevent: 2,
      name: 'LE Advertising Report',
      reports: [
        { eventType: 0, addressType: 1, address: '11:22:33:44:55:66', data: fromHex('020106'), rssi: -58 },
        { eventType: 4, addressType: 0, address: '00:00:00:00:00:01', data: new Uint8Array(0), rssi: 127 },
      ],
    });
    expect(describeLeMeta(e)).toBe(
      'LE Advertising Report reports=2 [eventType=0 addressType=1 address=11:22:33:44:55:66 rssi=-58 data=02 01 06] [eventType=4 addressType=0 address=00:00:00:00:00:01 rssi=127 data=-]',
    );
  });

  it('keeps an unknown or malformed subevent raw', () => {
    expect(describeLeMeta(decodeLeMeta(fromHex('14 aa bb')))).toBe('LE subevent 0x14 params=aa bb');
    expect(describeLeMeta(decodeLeMeta(fromHex('01 00 40')))).toBe('LE Connection Complete (malformed) params=00 40');
    expect(describeLeMeta(decodeLeMeta(fromHex('02 01 00 00')))).toBe('LE Advertising Report (malformed) params=01 00 00');
  });

  it('the packet decoder names the subevent in text and keeps it under `le` in JSON', () => {
    const d = new PacketDecoder();
    const h4 = fromHex('04 3e 13 01 00 40 00 01 00 66 55 44 33 22 11 0c 00 00 00 c8 00 00');
    expect(d.describe('rx', h4)[0]).toMatch(/^LE Connection Complete status=0x00\(Success\) handle=0x0040 /);
    expect(d.decode('rx', h4).le).toMatchObject({ subevent: 1, fields: { supervisionTimeout: 200 } });
  });
});

describe('vendor commands and events', () => {
  it('are named as vendor with their parameters raw', () => {
    const d = new PacketDecoder();
    expect(d.describe('tx', fromHex('01 4d fc 02 01 02'))).toEqual(['Vendor Command ocf=0x004d params=01 02']);
    expect(d.describe('rx', fromHex('04 0e 05 01 4d fc 00 07'))).toEqual(['Command Complete Vendor Command ocf=0x004d ncmd=1 return=00 07']);
    expect(d.describe('rx', fromHex('04 0f 04 0c 01 57 fd'))).toEqual(['Command Status Vendor Command ocf=0x0157 status=0x0c(Command Disallowed) ncmd=1']);
    expect(d.describe('rx', fromHex('04 ff 02 aa bb'))).toEqual(['Vendor Event params=aa bb']);
  });

  it('BR/EDR commands of the captures decode by name with their parameters and returns', () => {
    const d = new PacketDecoder();
    expect(d.describe('tx', fromHex('01 03 08 0a 02 00 20 03 20 03 04 00 01 00'))).toEqual([
      'Sniff Mode handle=0x0002 sniffMaxInterval=800 sniffMinInterval=800 sniffAttempt=4 sniffTimeout=1',
    ]);
    expect(d.describe('rx', fromHex('04 0e 07 01 05 14 00 02 00 fb'))).toEqual(['Command Complete Read RSSI ncmd=1 status=0x00(Success) handle=0x0002 rssi=-5']);
    expect(d.describe('rx', fromHex('04 14 06 00 02 00 02 1e 03'))).toEqual(['Mode Change status=0x00(Success) handle=0x0002 currentMode=2 interval=0x031e']);
    expect(d.describe('rx', fromHex('04 23 0d 00 02 00 01 02 0f 00 00 00 00 00 00 00'))).toEqual([
      'Read Remote Extended Features Complete status=0x00(Success) handle=0x0002 pageNumber=1 maxPageNumber=2 extendedLmpFeatures=0f00000000000000',
    ]);
    expect(d.describe('rx', fromHex('04 1d 05 00 02 00 1c ee'))).toEqual(['Connection Packet Type Changed status=0x00(Success) handle=0x0002 packetType=0xee1c']);
  });
});

describe('AVDTP', () => {
  it('signaling headers: single, start, continue (AVDTP 1.3 §8.4)', () => {
    expect(decodeAvdtpSignal(fromHex('30 02 04'))).toEqual({ transaction: 3, packetType: 'single', messageType: 'command', signalId: 2, params: fromHex('04') });
    expect(describeAvdtpSignal(decodeAvdtpSignal(fromHex('30 02 04')))).toBe('Get Capabilities command label=3 params=04');
    expect(decodeAvdtpSignal(fromHex('26 03 0c 01 02'))).toEqual({
      transaction: 2,
      packetType: 'start',
      messageType: 'accept',
      signalPackets: 3,
      signalId: 0x0c,
      params: fromHex('0102'),
    });
    expect(describeAvdtpSignal(decodeAvdtpSignal(fromHex('26 03 0c 01 02')))).toBe('Get All Capabilities start of 3 accept label=2 params=01 02');
    expect(decodeAvdtpSignal(fromHex('2b ff'))).toEqual({ transaction: 2, packetType: 'continue', messageType: 'reject', params: fromHex('ff') });
    expect(describeAvdtpSignal(decodeAvdtpSignal(fromHex('51 3f')))).toBe('signal 0x3f general-reject label=5');
    expect(() => decodeAvdtpSignal(fromHex('30'))).toThrow(DecodeError);
  });

  it('media packets: the RTP header (RFC 3550 §5.1)', () => {
    const h = decodeRtpHeader(fromHex('80 60 00 0c 00 00 1e 00 00 00 00 01 9c 77'));
    expect(h).toEqual({
      version: 2,
      padding: false,
      extension: false,
      marker: false,
      payloadType: 96,
      sequence: 12,
      timestamp: 7680,
      ssrc: 1,
      csrcs: [],
      payload: fromHex('9c77'),
    });
    expect(describeRtpHeader(h, h.payload.length)).toBe('media seq=12 ts=7680 pt=96 ssrc=0x00000001 len=2');
    expect(decodeRtpHeader(fromHex('81 e0 00 01 00 00 00 02 00 00 00 03 00 00 00 09')).csrcs).toEqual([9]);
    expect(() => decodeRtpHeader(fromHex('81 e0 00 01 00 00 00 02 00 00 00 03'))).toThrow(DecodeError);
  });

  it('the first AVDTP channel of a link is signaling, the next media; closing signaling makes the next one signaling again', () => {
    const d = new PacketDecoder();
    feed(d, [...open(0x19, 1, 0x0041, 0x0051), ...open(0x19, 2, 0x0042, 0x0052)]);
    expect(d.describe('rx', acl(0x0041, fromHex('02 01')))).toEqual(['ACL handle=0x00c pb=first bc=0 len=6', '  L2CAP cid=0x0041 psm=AVDTP len=2', '    AVDTP Discover accept label=0']);
    const media = d.decode('rx', acl(0x0042, fromHex('80 60 00 05 00 00 00 80 00 00 00 01 aa')));
    expect(media.avdtp).toEqual({ channel: 'media', version: 2, padding: false, extension: false, marker: false, payloadType: 96, sequence: 5, timestamp: 128, ssrc: 1, csrcs: [], length: 1 });
    expect(d.describe('tx', acl(0x0052, fromHex('80 60 00 06 00 00 00 80 00 00 00 01 aa')))[2]).toBe('    AVDTP media seq=6 ts=128 pt=96 ssrc=0x00000001 len=1');
    // Our Disconnection Request closes the signaling channel (Vol 3 Part A §4.6): what follows on it is not AVDTP.
    d.decode('tx', signal({ type: 'disconnection-request', identifier: 3, dcid: 0x0051, scid: 0x0041 }));
    expect(d.decode('rx', acl(0x0041, fromHex('02 08'))).avdtp).toBeUndefined();
    feed(d, open(0x19, 4, 0x0043, 0x0053));
    expect(d.decode('rx', acl(0x0043, fromHex('12 01'))).avdtp).toEqual({ channel: 'signaling', transaction: 1, packetType: 'single', messageType: 'accept', signalId: 1, params: new Uint8Array(0) });
  });

  it('a Disconnection Complete forgets the link: a new link with the same handle starts with signaling', () => {
    const d = new PacketDecoder();
    feed(d, open(0x19, 1, 0x0041, 0x0051));
    d.decode('rx', fromHex('04 05 04 00 0c 00 13'));
    feed(d, open(0x19, 1, 0x0041, 0x0051));
    expect(d.decode('rx', acl(0x0041, fromHex('02 01'))).avdtp).toMatchObject({ channel: 'signaling', signalId: 1 });
  });
});

describe('AVCTP and AVRCP', () => {
  it('a vendor-dependent AVRCP command: AVCTP header, AV/C frame, AVRCP PDU header', () => {
    const p = decodeAvctp(fromHex('10 11 0e 01 48 00 00 19 58 10 00 00 01 03'), 'control');
    expect(p).toEqual({
      transaction: 1,
      packetType: 'single',
      cr: 'command',
      ipid: false,
      pid: 0x110e,
      payload: fromHex('01 48 00 00 19 58 10 00 00 01 03'),
      avc: { ctype: 1, subunitType: 9, subunitId: 0, opcode: 0, companyId: 0x001958, pduId: 0x10, avrcpPacketType: 0, parameterLength: 1, operands: fromHex('03') },
    });
    expect(describeAvctp(p)).toBe('command label=1 pid=0x110e STATUS PANEL/0 VENDOR DEPENDENT GetCapabilities len=1');
  });

  it('pass through, browsing, start and continue packets, invalid PID', () => {
    const pass = decodeAvctp(fromHex('22 11 0e 09 48 7c c4 00'), 'control');
    expect(pass.avc).toMatchObject({ ctype: 9, opcode: 0x7c, operationId: 0x44, released: true });
    expect(describeAvctp(pass)).toBe('response label=2 pid=0x110e ACCEPTED PANEL/0 PASS THROUGH op=0x44 released');
    expect(decodeAvctp(fromHex('32 11 0e 71 00 0a'), 'browsing').browsing).toEqual({ pduId: 0x71, parameterLength: 10 });
    expect(describeAvctp(decodeAvctp(fromHex('32 11 0e 71 00 0a'), 'browsing'))).toBe('response label=3 pid=0x110e browsing GetFolderItems len=10');
    expect(decodeAvctp(fromHex('44 02 11 0e 01 48 00 00 19 58 20 00 00 05'), 'control')).toMatchObject({ packetType: 'start', packets: 2, pid: 0x110e, avc: { ctype: 1, pduId: 0x20 } });
    expect(describeAvctp(decodeAvctp(fromHex('48 aa bb'), 'control'))).toBe('continue command label=4');
    expect(describeAvctp(decodeAvctp(fromHex('53 11 0e'), 'control'))).toBe('response label=5 pid=0x110e (invalid)');
    expect(() => decodeAvctp(fromHex('10 11'), 'control')).toThrow(DecodeError);
    expect(() => decodeAvctp(fromHex('10 11 0e 01 48'), 'control')).toThrow(DecodeError);
  });

  it('on PSM 0x0017 in the packet decoder', () => {
    const d = new PacketDecoder();
    feed(d, open(0x17, 1, 0x0044, 0x0054));
    expect(d.describe('tx', acl(0x0054, fromHex('10 11 0e 01 48 00 00 19 58 10 00 00 01 03'))).slice(1)).toEqual([
      '  L2CAP cid=0x0054 psm=AVCTP len=14',
      '    AVCTP command label=1 pid=0x110e STATUS PANEL/0 VENDOR DEPENDENT GetCapabilities len=1',
    ]);
  });
});

describe('AT command lines', () => {
  it('commands, results, basic commands, several lines, a cut line', () => {
    const lines = (s: string) => decodeAtLines(new TextEncoder().encode(s));
    expect(lines('AT+BRSF=767\r')).toEqual([{ kind: 'command', name: '+BRSF', type: '=', params: '767', text: 'AT+BRSF=767' }]);
    expect(lines('AT+CIND=?\r')).toEqual([{ kind: 'command', name: '+CIND', type: '=?', text: 'AT+CIND=?' }]);
    expect(lines('AT+CIND?\r')).toEqual([{ kind: 'command', name: '+CIND', type: '?', text: 'AT+CIND?' }]);
    expect(lines('ATD1234;\r')).toEqual([{ kind: 'command', name: 'D', params: '1234;', text: 'ATD1234;' }]);
    expect(lines('ATA\r')).toEqual([{ kind: 'command', name: 'A', text: 'ATA' }]);
    expect(lines('\r\n+CIEV: 3,1\r\n\r\nOK\r\n')).toEqual([
      { kind: 'result', name: '+CIEV', type: ':', params: '3,1', text: '+CIEV: 3,1' },
      { kind: 'result', name: 'OK', text: 'OK' },
    ]);
    expect(lines('\r\n+CME ERROR: 0\r\n')).toEqual([{ kind: 'result', name: '+CME ERROR', type: ':', params: '0', text: '+CME ERROR: 0' }]);
    expect(lines('\r\n+XAPL=iPhone,2')).toEqual([{ kind: 'result', name: '+XAPL', type: '=', params: 'iPhone,2', text: '+XAPL=iPhone,2' }]);
    expect(() => decodeAtLines(fromHex('41 54 00 0d'))).toThrow(DecodeError);
  });

  it('shown on the RFCOMM channel an SDP record names as Hands-Free, data elsewhere', () => {
    const d = new PacketDecoder();
    feed(d, open(0x0001, 1, 0x0040, 0x0050));
    const record = serviceRecord({
      serviceClasses: [Uuid.from16(0x111e), Uuid.from16(0x1203)],
      protocols: [{ uuid: Uuid.from16(0x0100) }, { uuid: Uuid.from16(0x0003), parameters: [de.uint8(3)] }],
    });
    const lists = encodeDataElement(de.sequence(attributeListElement(record, [{ first: 0, last: 0xffff }])));
    d.decode('rx', acl(0x0040, encodeSdpPdu({ type: 'service-search-attribute-response', transactionId: 1, attributeLists: lists, continuation: new Uint8Array() } as SdpPdu)));
    feed(d, open(0x0003, 2, 0x0041, 0x0051));
    const uih = (dlci: number, text: string) => acl(0x0051, encodeRfcommFrame({ type: 'UIH', dlci, cr: true, pf: false, info: new TextEncoder().encode(text) }));
    expect(d.describe('tx', uih(6, 'AT+BRSF=767\r')).slice(2)).toEqual(['    RFCOMM UIH dlci=6 cr=1 pf=0 len=12', '      AT AT+BRSF=767']);
    expect(d.decode('tx', uih(7, '\r\nOK\r\n')).rfcomm).toMatchObject({ at: [{ kind: 'result', name: 'OK' }] });
    expect(d.describe('tx', uih(8, 'AT+BRSF=767\r')).at(-1)).toBe('      data "AT+BRSF=767\\r"');
    expect(d.describe('tx', uih(8, '\x01\x02')).at(-1)).toBe('      data 01 02');
  });
});

describe('the L2CAP payload', () => {
  it('is in every decoded L2CAP PDU, and hex in JSON', () => {
    const d = new PacketDecoder();
    const out = d.decode('rx', acl(0x0070, fromHex('de ad be ef')));
    expect(out.l2cap).toEqual({ cid: 0x0070, length: 4, payload: fromHex('deadbeef') });
    const json = JSON.stringify(out, function (this: Record<string, unknown>, key, value) {
      return this[key] instanceof Uint8Array ? hex(this[key]) : value;
    });
    expect(JSON.parse(json).l2cap.payload).toBe('deadbeef');
  });
});

describe('btc decode --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btc-decode-coverage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keys the LE subevent as `le`, AVDTP as `avdtp`, and carries every L2CAP payload as hex', async () => {
    const packets: ['tx' | 'rx', Uint8Array][] = [
      ['rx', fromHex('04 3e 0e 02 01 00 01 66 55 44 33 22 11 02 01 06 c6')],
      ...open(0x19, 1, 0x0041, 0x0051),
      ['rx', acl(0x0041, fromHex('02 01 04 08'))],
    ];
    const file = join(dir, 'coverage.btsnoop');
    writeFileSync(file, BtsnoopWriter.encodeFile(packets.map(([direction, h4]) => ({ direction, h4 }))));
    const r = await runCli(['decode', file, '--json']);
    expect(r.code).toBe(0);
    const objects = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects[0].le).toEqual({ subevent: 2, name: 'LE Advertising Report', reports: [{ eventType: 0, addressType: 1, address: '11:22:33:44:55:66', data: '0106', rssi: -58 }] });
    expect(objects[1].l2cap.payload).toBe(hex(encodeSignal({ type: 'connection-request', identifier: 1, psm: 0x19, scid: 0x0041 })));
    expect(objects[3].l2cap).toMatchObject({ cid: 0x0041, psm: 0x19, length: 4, payload: '02010408' });
    expect(objects[3].avdtp).toEqual({ channel: 'signaling', transaction: 0, packetType: 'single', messageType: 'accept', signalId: 1, params: '0408' });
  });
});

describe('profile decoders are total', () => {
  const total = (f: (b: Uint8Array) => unknown) =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          f(b);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
    );
  it('AVDTP, RTP, AVCTP (both channels), AT lines, LE Meta', () => {
    total(decodeAvdtpSignal);
    total(decodeRtpHeader);
    total((b) => decodeAvctp(b, 'control'));
    total((b) => decodeAvctp(b, 'browsing'));
    total(decodeAtLines);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (b) => {
        expect(decodeLeMeta(b).name).toMatch(/^LE /);
      }),
    );
  });
});
