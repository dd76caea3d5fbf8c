/**
 * What `btc sdp` prints for a service, text and JSON, from FoundService values (no adapter): the
 * attribute and UUID names of src/sdp/names.ts, the protocol stack with its channel or PSM, the
 * profile version as "major.minor". The same output between processes: test/cli/sdp-trace.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { describeService, serviceJson } from '../../src/cli/commands/sdp.js';
import { uuidName } from '../../src/sdp/names.js';
import type { FoundService } from '../../src/socket/index.js';

const HOST = '00:1A:7D:DA:71:13';

describe('btc sdp output', () => {
  it('names an OBEX Object Push record on RFCOMM, its 128-bit service ID and profile version included', () => {
    const s: FoundService = {
      host: HOST,
      name: 'OBEX Object Push',
      provider: 'btc',
      protocol: 'RFCOMM',
      port: 12,
      serviceClasses: ['1105'],
      profiles: [['1105', 0x0102]],
      serviceId: '00001105-0000-1000-8000-00805f9b34fb',
    };
    expect(describeService(s)).toEqual([
      'Service: OBEX Object Push',
      '  ServiceName (0x0100): OBEX Object Push',
      '  ProviderName (0x0102): btc',
      '  ServiceClassIDList (0x0001):',
      '    0x1105 OBEX Object Push',
      '  ServiceID (0x0003): 0x1105 OBEX Object Push',
      '  ProtocolDescriptorList (0x0004):',
      '    0x0100 L2CAP',
      '    0x0003 RFCOMM channel 12',
      '  BluetoothProfileDescriptorList (0x0009):',
      '    0x1105 OBEX Object Push version 1.2',
    ]);
    expect(serviceJson(s)).toEqual({
      host: HOST,
      name: 'OBEX Object Push',
      provider: 'btc',
      protocol: 'RFCOMM',
      port: 12,
      serviceId: { uuid: '00001105-0000-1000-8000-00805f9b34fb', name: 'OBEX Object Push' },
      serviceClasses: [{ uuid: '1105', name: 'OBEX Object Push' }],
      protocols: [
        { uuid: '0100', name: 'L2CAP' },
        { uuid: '0003', name: 'RFCOMM', channel: 12 },
      ],
      profiles: [{ uuid: '1105', name: 'OBEX Object Push', version: '1.2' }],
    });
  });

  it('shows an L2CAP service with its PSM, and an unnamed 128-bit class as it was found', () => {
    const own = '94f39d29-7d6d-437d-973b-fba39e49d4ee';
    const s: FoundService = { host: HOST, protocol: 'L2CAP', port: 0x1001, serviceClasses: [own, '110e'], profiles: [['110e', 0x0106]] };
    expect(describeService(s)).toEqual([
      'Service: (no name)',
      '  ServiceClassIDList (0x0001):',
      `    ${own}`,
      '    0x110e A/V Remote Control',
      '  ProtocolDescriptorList (0x0004):',
      '    0x0100 L2CAP PSM 0x1001 (4097)',
      '  BluetoothProfileDescriptorList (0x0009):',
      '    0x110e A/V Remote Control version 1.6',
    ]);
    expect(serviceJson(s)).toMatchObject({
      serviceClasses: [{ uuid: own }, { uuid: '110e', name: 'A/V Remote Control' }],
      protocols: [{ uuid: '0100', name: 'L2CAP', psm: 0x1001 }],
      profiles: [{ uuid: '110e', name: 'A/V Remote Control', version: '1.6' }],
    });
  });

  it('names protocol UUIDs and profiles in any of their written forms; an unknown UUID has no name', () => {
    expect(uuidName('0008')).toBe('OBEX');
    expect(uuidName('0x000f')).toBe('BNEP');
    expect(uuidName('0000111E-0000-1000-8000-00805F9B34FB')).toBe('Handsfree');
    expect(uuidName('1112')).toBe('Headset Audio Gateway');
    expect(uuidName('beef')).toBeUndefined();
    expect(uuidName('not a uuid')).toBeUndefined();
  });
});
