/**
 * Golden vectors for the HCI codecs, written from the Core v5.4 Vol 4 Part E byte layouts, plus
 * docs/conformance.md H5 and RB-HCI (truncated / unknown events) and the raw fallbacks that keep re-encoding exact.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, fromHex, hex } from '../../src/core/index.js';
import {
  COMMAND_LIST,
  commandCompleteEvent,
  commandReturns,
  decodeHciPacket,
  defaultEventMask,
  describeHciPacket,
  encodeCommand,
  encodeHciPacket,
  EVENT_CODE,
  EVENT_LIST,
  eirName,
  hciStatusError,
  isCommandSupported,
  OPCODE,
  statusName,
  buildEir,
  EIR_TYPE,
} from '../../src/hci/index.js';
import { utf8 } from '../../src/core/index.js';

function roundTrip(h: string) {
  const b = fromHex(h);
  const p = decodeHciPacket(b);
  expect(hex(encodeHciPacket(p))).toBe(hex(b));
  return p;
}

describe('HCI golden vectors', () => {
  it('Reset is 01 03 0c 00', () => {
    expect(roundTrip('01 03 0c 00')).toEqual({ type: 'command', command: { name: 'Reset' } });
    expect(hex(encodeCommand({ name: 'Reset' }), ' ')).toBe('03 0c 00');
    expect(describeHciPacket(decodeHciPacket(fromHex('01030c00')))).toBe('Reset');
  });

  it('Command Complete for Read BD_ADDR decodes the address LSB first', () => {
    const p = roundTrip('04 0e 0a 01 09 10 00 55 44 33 22 11 00');
    expect(p.type === 'event' && commandReturns(p.event, 'Read BD_ADDR')).toEqual({ status: 0, bdaddr: '00:11:22:33:44:55' });
    expect(describeHciPacket(p)).toBe('Command Complete Read BD_ADDR ncmd=1 status=0x00(Success) bdaddr=00:11:22:33:44:55');
    expect(hex(encodeHciPacket({ type: 'event', event: commandCompleteEvent('Read BD_ADDR', { status: 0, bdaddr: '00:11:22:33:44:55' }) }), ' ')).toBe(
      '04 0e 0a 01 09 10 00 55 44 33 22 11 00',
    );
  });

  it('Read Encryption Key Size (§7.5.7): 01 08 14 02 0b 00; Command Complete Status, Connection_Handle, Key_Size', () => {
    const cmd = roundTrip('01 08 14 02 0b 00');
    expect(cmd).toEqual({ type: 'command', command: { name: 'Read Encryption Key Size', handle: 0x000b } });
    expect(hex(encodeCommand({ name: 'Read Encryption Key Size', handle: 0x000b }), ' ')).toBe('08 14 02 0b 00');
    expect(describeHciPacket(cmd)).toBe('Read Encryption Key Size handle=0x000b');
    const p = roundTrip('04 0e 07 01 08 14 00 0b 00 10');
    expect(p.type === 'event' && commandReturns(p.event, 'Read Encryption Key Size')).toEqual({ status: 0, handle: 0x000b, keySize: 16 });
    expect(describeHciPacket(p)).toBe('Command Complete Read Encryption Key Size ncmd=1 status=0x00(Success) handle=0x000b keySize=16');
    expect(hex(encodeHciPacket({ type: 'event', event: commandCompleteEvent('Read Encryption Key Size', { status: 0, handle: 0x000b, keySize: 7 }) }), ' ')).toBe(
      '04 0e 07 01 08 14 00 0b 00 07',
    );
    // btvirt (BlueZ 5.66) for a handle it does not know: Unknown Connection Identifier, Key_Size 0.
    const unknown = roundTrip('04 0e 07 01 08 14 02 01 00 00');
    expect(unknown.type === 'event' && commandReturns(unknown.event, 'Read Encryption Key Size')).toEqual({ status: 0x02, handle: 0x0001, keySize: 0 });
    // A controller that answers an error with the Status alone: the return parameters stay raw.
    const short = roundTrip('04 0e 04 01 08 14 12');
    expect(short.type === 'event' && short.event.name === 'Command Complete' && short.event.returns).toBeUndefined();
  });

  it('Supported_Commands: Read Encryption Key Size is octet 20 bit 4 (§6.27)', () => {
    const table = new Uint8Array(64);
    expect(isCommandSupported(table, 'Read Encryption Key Size')).toBe(false);
    table[20] = 0x10;
    expect(isCommandSupported(table, 'Read Encryption Key Size')).toBe(true);
    table[20] = 0xef;
    expect(isCommandSupported(table, 'Read Encryption Key Size')).toBe(false);
    // The HappyLeaf capture's controller: octet 20 = 0x1c.
    expect(isCommandSupported(fromHex('ffffff03ccfffffffffffc9ff30fe8ff3ff78fff1c000400'), 'Read Encryption Key Size')).toBe(true);
    expect(isCommandSupported(new Uint8Array(20).fill(0xff), 'Read Encryption Key Size')).toBe(false);
  });

  it('Connection Complete', () => {
    const p = roundTrip('04 03 0b 00 0b 00 55 44 33 22 11 00 01 00');
    expect(p).toEqual({
      type: 'event',
      event: { name: 'Connection Complete', status: 0, handle: 0x000b, bdaddr: '00:11:22:33:44:55', linkType: 1, encryptionEnabled: 0 },
    });
  });

  it('Number Of Completed Packets lays out handle/count pairs record by record', () => {
    expect(roundTrip('04 13 05 01 0b 00 02 00')).toEqual({
      type: 'event',
      event: { name: 'Number Of Completed Packets', handles: [{ handle: 0x0b, numCompletedPackets: 2 }] },
    });
    const two = roundTrip('04 13 09 02 0b 00 02 00 0c 00 01 00');
    expect(two.type === 'event' && two.event).toEqual({
      name: 'Number Of Completed Packets',
      handles: [
        { handle: 0x0b, numCompletedPackets: 2 },
        { handle: 0x0c, numCompletedPackets: 1 },
      ],
    });
  });

  it('Create Connection describes itself on one line', () => {
    const p = roundTrip('01 05 04 0d 55 44 33 22 11 00 18 cc 02 00 00 00 01');
    expect(describeHciPacket(p)).toBe(
      'Create Connection bdaddr=00:11:22:33:44:55 packetType=0xcc18 pageScanRepetitionMode=2 reserved=0x00 clockOffset=0x0000 allowRoleSwitch=1',
    );
  });

  it('Command Status names the command', () => {
    const p = roundTrip('04 0f 04 00 01 05 04');
    expect(describeHciPacket(p)).toBe('Command Status Create Connection status=0x00(Success) numHciCommandPackets=1 opcode=0x0405');
  });

  it('Inquiry Result with RSSI: signed RSSI, 1-octet reserved', () => {
    const p = roundTrip('04 22 0f 01 55 44 33 22 11 00 01 00 0c 02 5a 34 12 c4');
    expect(p.type === 'event' && p.event).toEqual({
      name: 'Inquiry Result with RSSI',
      responses: [{ bdaddr: '00:11:22:33:44:55', pageScanRepetitionMode: 1, reserved: 0, classOfDevice: 0x5a020c, clockOffset: 0x1234, rssi: -60 }],
    });
  });

  it('Inquiry Result: 2-octet reserved per response', () => {
    const p = roundTrip('04 02 0f 01 55 44 33 22 11 00 01 00 00 0c 02 5a 34 12');
    expect(p.type === 'event' && p.event.name).toBe('Inquiry Result');
  });

  it('Extended Inquiry Result carries 240 EIR octets; the name parses from them', () => {
    const eir = buildEir([{ type: EIR_TYPE.COMPLETE_LOCAL_NAME, data: utf8('Dongle') }]);
    const h = '04 2f ff 01 55 44 33 22 11 00 01 00 0c 02 5a 34 12 c4 ' + hex(eir);
    const p = roundTrip(h);
    expect(p.type === 'event' && p.event.name === 'Extended Inquiry Result' && eirName(p.event.extendedInquiryResponse)).toBe('Dongle');
    expect(eirName(buildEir([{ type: EIR_TYPE.SHORTENED_LOCAL_NAME, data: utf8('Do') }]))).toBe('Do');
    expect(eirName(fromHex('05 09 41'))).toBeUndefined();
  });

  it('Remote Name Request Complete decodes the NUL-padded name', () => {
    const name = new Uint8Array(248);
    name.set(utf8('Héllo'));
    const p = roundTrip('04 07 ff 00 55 44 33 22 11 00 ' + hex(name));
    expect(p.type === 'event' && p.event.name === 'Remote Name Request Complete' && p.event.remoteName).toBe('Héllo');
  });

  it('a name with bytes after its NUL stays raw and re-encodes exactly', () => {
    const name = new Uint8Array(248);
    name.set(utf8('ab'));
    name[10] = 0x41;
    const p = roundTrip('04 07 ff 00 55 44 33 22 11 00 ' + hex(name));
    expect(p.type === 'event' && p.event.name).toBe('Unknown Event');
    expect(describeHciPacket(p)).toMatch(/^Remote Name Request Complete \(malformed\) code=0x07/);
  });

  it('Command Complete return parameters shorter or longer than the table stay raw', () => {
    const short = roundTrip('04 0e 05 01 09 10 00 11');
    expect(short.type === 'event' && short.event).toEqual({ name: 'Command Complete', numHciCommandPackets: 1, opcode: 0x1009, returnParams: fromHex('0011') });
    const long = roundTrip('04 0e 05 01 03 0c 00 99');
    expect(long.type === 'event' && long.event.name === 'Command Complete' && long.event.returns).toBeUndefined();
    expect(describeHciPacket(long)).toBe('Command Complete Reset ncmd=1 return=00 99');
  });

  it('H5 truncated HCI event: 04 0e 10 01 throws DecodeError', () => {
    expect(() => decodeHciPacket(fromHex('04 0e 10 01'))).toThrow(DecodeError);
  });

  it('H5 unknown event code decodes raw and describes as hex', () => {
    const p = roundTrip('04 ff 02 aa bb');
    expect(p).toEqual({ type: 'event', event: { name: 'Unknown Event', code: 0xff, params: fromHex('aabb') } });
    expect(describeHciPacket(p)).toBe('Unknown Event code=0xff params=aa bb');
  });

  it('vendor command and vendor H4 packet stay raw', () => {
    expect(describeHciPacket(roundTrip('01 01 fc 02 aa bb'))).toBe('Unknown Command opcode=0xfc01 (OGF 0x3f OCF 0x0001 (vendor)) params=aa bb');
    expect(roundTrip('07 f0 01')).toEqual({ type: 'vendor', indicator: 7, data: fromHex('f001') });
  });

  it('ACL, SCO and ISO headers', () => {
    expect(roundTrip('02 0b 20 04 00 de ad be ef')).toEqual({ type: 'acl', acl: { handle: 0x00b, pb: 2, bc: 0, data: fromHex('deadbeef') } });
    expect(describeHciPacket(roundTrip('02 0b 10 04 00 de ad be ef'))).toBe('ACL handle=0x00b pb=cont bc=0 len=4');
    expect(roundTrip('03 01 30 02 aa bb')).toEqual({ type: 'sco', sco: { handle: 1, flags: 3, data: fromHex('aabb') } });
    expect(roundTrip('05 01 60 02 40 aa bb')).toEqual({ type: 'iso', iso: { handle: 1, flags: 6, lengthRfu: 1, data: fromHex('aabb') } });
    expect(() => decodeHciPacket(fromHex('02 0b 20 05 00 de ad be ef'))).toThrow(DecodeError);
    expect(() => decodeHciPacket(new Uint8Array(0))).toThrow(DecodeError);
  });

  it('opcode and event-code constants match the tables', () => {
    const ops = new Set(COMMAND_LIST.map((s) => s.opcode));
    expect(new Set(Object.values(OPCODE))).toEqual(ops);
    // Command Complete is decoded through the command table; LE Meta and vendor events are named, not decoded.
    const codes = new Set([...EVENT_LIST.map((s) => s.code), 0x0e, 0x3e, 0xff]);
    expect(new Set(Object.values(EVENT_CODE))).toEqual(codes);
  });

  it('status names come from Core Vol 1 Part F', () => {
    expect(statusName(0x05)).toBe('Authentication Failure');
    expect(statusName(0x13)).toBe('Remote User Terminated Connection');
    expect(statusName(0x45)).toBe('Packet Too Long');
    expect(statusName(0xf0)).toBe('Reserved for future use');
    expect(hciStatusError(0x04, 'Create Connection').message).toBe('Create Connection failed: controller status 0x04 (Page Timeout)');
  });

  it('default event mask enables SSP events and leaves unmaskable bits clear', () => {
    const m = defaultEventMask();
    const bit = (code: number) => (m[(code - 1) >> 3] >> ((code - 1) & 7)) & 1;
    expect(bit(EVENT_CODE.IO_CAPABILITY_REQUEST)).toBe(1);
    expect(bit(EVENT_CODE.USER_CONFIRMATION_REQUEST)).toBe(1);
    expect(bit(EVENT_CODE.SIMPLE_PAIRING_COMPLETE)).toBe(1);
    expect(bit(EVENT_CODE.EXTENDED_INQUIRY_RESULT)).toBe(1);
    expect(bit(EVENT_CODE.COMMAND_COMPLETE)).toBe(0);
    expect(bit(EVENT_CODE.NUMBER_OF_COMPLETED_PACKETS)).toBe(0);
  });

  it('encoding rejects out-of-range values with ArgumentError', () => {
    expect(() => encodeCommand({ name: 'Write Scan Enable', scanEnable: 256 })).toThrow(expect.objectContaining({ code: 'BT_ARGUMENT', argument: 'scanEnable' }));
    expect(() => encodeCommand({ name: 'Write Local Name', localName: 'x'.repeat(249) })).toThrow(expect.objectContaining({ code: 'BT_ARGUMENT', argument: 'localName' }));
    expect(() => encodeCommand({ name: 'Link Key Request Reply', bdaddr: '00:11:22:33:44:55', linkKey: new Uint8Array(15) })).toThrow(
      expect.objectContaining({ code: 'BT_ARGUMENT', argument: 'linkKey' }),
    );
  });
});
