import { describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError, Uuid, hex } from '../../src/core/index.js';
import {
  ATTRIBUTE_ID,
  type DataElement,
  SdpDatabase,
  de,
  encodeDataElement,
  l2capServiceRecord,
  parseService,
  serialPortRecord,
  serviceRecord,
} from '../../src/sdp/index.js';

const CUSTOM = Uuid.parse('94f39d29-7d6d-437d-973b-fba39e49d4ee');

function attrs(r: ReadonlyMap<number, DataElement>): Record<string, string> {
  return Object.fromEntries([...r].map(([id, v]) => [id.toString(16).padStart(4, '0'), hex(encodeDataElement(v), ' ')]));
}

describe('serialPortRecord (the PyBluez advertise_service record)', () => {
  it('channel 3, name "COM": the attributes byte for byte', () => {
    expect(attrs(serialPortRecord({ channel: 3, name: 'COM' }))).toEqual({
      '0001': '35 03 19 11 01',
      '0004': '35 0c 35 03 19 01 00 35 05 19 00 03 08 03',
      '0005': '35 03 19 10 02',
      '0006': '35 09 09 65 6e 09 00 6a 09 01 00',
      '0009': '35 08 35 06 19 11 01 09 01 02',
      '0100': '25 03 43 4f 4d',
    });
  });

  it('with a custom UUID, description and provider', () => {
    const a = attrs(serialPortRecord({ channel: 30, name: 'N', uuid: CUSTOM, description: 'D', provider: 'P' }));
    const u = '94 f3 9d 29 7d 6d 43 7d 97 3b fb a3 9e 49 d4 ee';
    expect(a['0001']).toBe(`35 14 1c ${u} 19 11 01`);
    expect(a['0003']).toBe(`1c ${u}`);
    expect(a['0004']).toBe('35 0c 35 03 19 01 00 35 05 19 00 03 08 1e');
    expect([a['0101'], a['0102']]).toEqual(['25 01 44', '25 01 50']);
  });

  it('refuses channels outside 1..30', () => {
    expect(() => serialPortRecord({ channel: 0, name: 'x' })).toThrow(ArgumentError);
    expect(() => serialPortRecord({ channel: 31, name: 'x' })).toThrow(ArgumentError);
  });
});

describe('serviceRecord and l2capServiceRecord', () => {
  it('an L2CAP service on PSM 0x1001', () => {
    const a = attrs(l2capServiceRecord({ psm: 0x1001, name: 'L', uuid: CUSTOM }));
    expect(a['0004']).toBe('35 08 35 06 19 01 00 09 10 01');
    expect(parseService(l2capServiceRecord({ psm: 0x1001, name: 'L', uuid: CUSTOM }))).toMatchObject({ protocol: 'L2CAP', psm: 0x1001, name: 'L' });
    expect(() => l2capServiceRecord({ psm: 0x1002, name: 'L', uuid: CUSTOM })).toThrow(/PSM/);
    expect(() => l2capServiceRecord({ psm: 0x0101, name: 'L', uuid: CUSTOM })).toThrow(/PSM/);
  });

  it('needs a service class and refuses to overwrite its own attributes', () => {
    expect(() => serviceRecord({ serviceClasses: [], protocols: [] })).toThrow(ArgumentError);
    const extra = new Map([[ATTRIBUTE_ID.ServiceClassIDList as number, de.nil()]]);
    expect(() => serviceRecord({ serviceClasses: [CUSTOM], protocols: [], attributes: extra })).toThrow(/already set/);
    const r = serviceRecord({ serviceClasses: [CUSTOM], protocols: [], browseGroups: [], attributes: new Map([[0x0300, de.uint8(1)]]) });
    expect([...r.keys()]).toEqual([0x0001, 0x0300]);
  });
});

describe('SdpDatabase', () => {
  it('hands out handles from 0x00010000 and sets ServiceRecordHandle', () => {
    const db = new SdpDatabase();
    const h1 = db.add(serialPortRecord({ channel: 1, name: 'a' }));
    const h2 = db.add(serialPortRecord({ channel: 2, name: 'b' }));
    expect([h1, h2]).toEqual([0x00010000, 0x00010001]);
    expect(hex(encodeDataElement(db.get(h2)!.get(0)!))).toBe('0a00010001');
    expect(db.remove(h1)).toBe(true);
    expect(db.remove(h1)).toBe(false);
    expect(db.add(serialPortRecord({ channel: 1, name: 'c' }))).toBe(0x00010002);
    expect([...db.records()].map(([h]) => h)).toEqual([0, 0x00010001, 0x00010002]);
  });

  it('keeps its own record at handle 0 with a changing ServiceDatabaseState', () => {
    const db = new SdpDatabase();
    const s0 = hex(encodeDataElement(db.get(0)!.get(ATTRIBUTE_ID.ServiceDatabaseState)!));
    db.add(serialPortRecord({ channel: 1, name: 'a' }));
    expect(hex(encodeDataElement(db.get(0)!.get(ATTRIBUTE_ID.ServiceDatabaseState)!))).not.toBe(s0);
    expect(new SdpDatabase({ serverRecord: false }).get(0)).toBeUndefined();
  });

  it('is bounded', () => {
    const db = new SdpDatabase({ maxRecords: 2 });
    db.add(serialPortRecord({ channel: 1, name: 'a' }));
    db.add(serialPortRecord({ channel: 2, name: 'b' }));
    expect(() => db.add(serialPortRecord({ channel: 3, name: 'c' }))).toThrow(InvalidStateError);
    expect(db.size).toBe(2);
  });
});

describe('parseService', () => {
  it('reads the SPP record like PyBluez find_service', () => {
    const db = new SdpDatabase();
    const h = db.add(serialPortRecord({ channel: 7, name: 'GPS', uuid: CUSTOM, description: 'NMEA', provider: 'Acme' }));
    const s = parseService(db.get(h)!);
    expect(s).toMatchObject({ handle: h, name: 'GPS', description: 'NMEA', provider: 'Acme', protocol: 'RFCOMM', channel: 7 });
    expect(s.psm).toBeUndefined();
    expect(s.serviceClasses.map(String)).toEqual([CUSTOM.toString(), '0x1101']);
    expect(s.profiles.map((p) => [String(p.uuid), p.version])).toEqual([['0x1101', 0x0102]]);
    expect(s.serviceId?.equals(CUSTOM)).toBe(true);
  });

  it('follows a non-default language base, drops trailing NULs and takes the first alternative', () => {
    const r = new Map<number, DataElement>([
      [ATTRIBUTE_ID.LanguageBaseAttributeIDList, de.sequence(de.uint16(0x656e), de.uint16(106), de.uint16(0x0200))],
      [0x0200, de.text('Named\0')],
      [0x0100, de.text('wrong')],
      [
        ATTRIBUTE_ID.ProtocolDescriptorList,
        de.alternative(
          de.sequence(de.sequence(de.uuid16(0x0100)), de.sequence(de.uuid16(0x0003), de.uint8(4))),
          de.sequence(de.sequence(de.uuid16(0x0100), de.uint16(0x1001))),
        ),
      ],
    ]);
    expect(parseService(r)).toMatchObject({ name: 'Named', protocol: 'RFCOMM', channel: 4 });
  });

  it('skips values of an unexpected shape', () => {
    const r = new Map<number, DataElement>([
      [ATTRIBUTE_ID.ServiceClassIDList, de.sequence(de.uint8(1), de.uuid16(0x1101))],
      [ATTRIBUTE_ID.ProtocolDescriptorList, de.uint8(3)],
      [ATTRIBUTE_ID.BluetoothProfileDescriptorList, de.sequence(de.sequence(de.uuid16(0x1101)))],
      [0x0100, de.uint8(1)],
    ]);
    const s = parseService(r);
    expect(s.serviceClasses.map(String)).toEqual(['0x1101']);
    expect(s.protocol).toBeUndefined();
    expect(s.profiles).toEqual([]);
    expect(s.name).toBeUndefined();
  });
});
