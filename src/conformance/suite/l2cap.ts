/**
 * Built-in L2CAP signaling scenarios (server role): the catalogue's L-scenarios of
 * docs/conformance.md and a few cases a tester tries next. Bytes are C-frame payloads on CID 0x0001
 * (code, identifier, length, data); `<c0> <c1>` is the implementation's CID captured from its
 * Connection Response. Core v5.4 Vol 3 Part A.
 */
import type { Scenario, Step } from '../scenario.js';

/** A PSM every implementation under test of this suite serves: RFCOMM. */
const PSM = '03 00';

function le(v: number): string {
  return `${(v & 0xff).toString(16).padStart(2, '0')} ${(v >>> 8).toString(16).padStart(2, '0')}`;
}

/** The IUT's own Configuration Request for our channel `scid` may come at any time. */
const theirConfig = (scid: number): string => `04 ?? ?? 00 ${le(scid)} *`;

/** Connection Request (identifier `id`) for PSM 3 with SCID `scid`; captures the IUT's CID. */
function connect(id: string, scid: number): Step[] {
  return [
    { send: 'signaling', hex: `02 ${id} 04 00 ${PSM} ${le(scid)}` },
    { expect: 'signaling', hex: `03 ${id} 08 00 <c0> <c1> ${le(scid)} 00 00 00 00`, ignore: [`03 ${id} 08 00 ?? ?? ${le(scid)} 01 00 ?? ??`] },
  ];
}

/** Disconnection from our side, answered with both CIDs (§4.6, §4.7). */
function disconnect(id: string, scid: number): Step[] {
  return [
    { send: 'signaling', hex: `06 ${id} 04 00 <c0> <c1> ${le(scid)}` },
    { expect: 'signaling', hex: `07 ${id} 04 00 <c0> <c1> ${le(scid)}`, ignore: [theirConfig(scid)] },
  ];
}

/** A Configuration Request with `options` and the exact answer required. */
function configure(id: string, scid: number, flags: string, options: string, answers: string[]): Step[] {
  const len = 4 + options.split(/\s+/).filter(Boolean).length;
  return [
    { send: 'signaling', hex: `04 ${id} ${le(len)} <c0> <c1> ${flags} ${options}` },
    { expect: 'signaling', hex: answers, ignore: [theirConfig(scid)] },
  ];
}

const bytesHex = (n: number, seed: number): string =>
  Array.from({ length: n }, (_, i) => ((i * 7 + seed) & 0xff).toString(16).padStart(2, '0')).join(' ');

export const L2CAP_SUITE: Scenario[] = [
  {
    id: 'L1',
    title: 'Connection Request for a PSM with a server',
    rule: 'L1, P17',
    spec: 'Core Vol 3 Part A §4.2, §4.3',
    steps: [...connect('21', 0x0081), ...disconnect('22', 0x0081)],
  },
  {
    id: 'L2',
    title: 'Configuration with MTU 48',
    rule: 'L2, P12',
    spec: 'Core Vol 3 Part A §4.4, §4.5, §5.1',
    steps: [
      ...connect('23', 0x0082),
      ...configure('24', 0x0082, '00 00', '01 02 30 00', ['05 24 06 00 82 00 00 00 00 00', '05 24 0a 00 82 00 00 00 00 00 01 02 30 00']),
      { expect: 'signaling', hex: theirConfig(0x0082) },
      ...disconnect('25', 0x0082),
    ],
  },
  {
    id: 'L4',
    title: 'Connection Request for an unknown PSM',
    rule: 'L4, P17',
    spec: 'Core Vol 3 Part A §4.3',
    steps: [
      { send: 'signaling', hex: '02 03 04 00 01 10 83 00' },
      { expect: 'signaling', hex: '03 03 08 00 00 00 83 00 02 00 00 00' },
    ],
    after: ['echo'],
  },
  {
    id: 'L5',
    title: 'Connection Request with SCID 0x0000',
    rule: 'L5, P17',
    spec: 'Core Vol 3 Part A §4.3, §2.1',
    steps: [
      { send: 'signaling', hex: `02 04 04 00 ${PSM} 00 00` },
      { expect: 'signaling', hex: '03 04 08 00 00 00 00 00 06 00 00 00' },
    ],
    after: ['echo'],
  },
  {
    id: 'L5b',
    title: 'Connection Request with an SCID already in use',
    rule: 'L5, P17',
    spec: 'Core Vol 3 Part A §4.3',
    steps: [
      ...connect('26', 0x0084),
      { send: 'signaling', hex: `02 27 04 00 ${PSM} 84 00` },
      { expect: 'signaling', hex: '03 27 08 00 00 00 84 00 07 00 00 00', ignore: [theirConfig(0x0084)] },
      ...disconnect('28', 0x0084),
    ],
  },
  {
    id: 'L6',
    title: 'Unknown command code',
    rule: 'L6, P15',
    spec: 'Core Vol 3 Part A §4.1',
    steps: [
      { send: 'signaling', hex: 'ff 01 00 00' },
      { expect: 'signaling', hex: '01 01 02 00 00 00' },
    ],
    after: ['echo'],
  },
  {
    id: 'L7',
    title: 'Command shorter than its code needs',
    rule: 'L7, P15',
    spec: 'Core Vol 3 Part A §4.1',
    steps: [
      { send: 'signaling', hex: '02 05 01 00 00' },
      { expect: 'signaling', hex: '01 05 02 00 00 00' },
    ],
    after: ['echo'],
  },
  {
    id: 'L8',
    title: 'Disconnection Request for an unknown DCID',
    rule: 'L8, P16',
    spec: 'Core Vol 3 Part A §4.1, §4.6',
    steps: [
      { send: 'signaling', hex: '06 06 04 00 12 34 56 78' },
      { expect: 'signaling', hex: '01 06 06 00 02 00 12 34 56 78' },
    ],
    after: ['echo'],
  },
  {
    id: 'L9',
    title: 'Configuration Request for an unknown DCID',
    rule: 'L9, P15',
    spec: 'Core Vol 3 Part A §4.1, §4.4',
    steps: [
      { send: 'signaling', hex: '04 07 04 00 12 34 00 00' },
      { expect: 'signaling', hex: '01 07 06 00 02 00 12 34 00 00' },
    ],
    after: ['echo'],
  },
  {
    id: 'L10',
    title: 'Several commands in one C-frame',
    rule: 'L10, P14',
    spec: 'Core Vol 3 Part A §4',
    steps: [
      { send: 'signaling', hex: '08 08 00 00 08 09 02 00 ab cd' },
      { expect: 'signaling', hex: '09 08 00 00' },
      { expect: 'signaling', hex: '09 09 02 00 ab cd' },
    ],
  },
  {
    id: 'L11',
    title: 'A C-frame whose second command is cut short',
    rule: 'L11, P14',
    spec: 'Core Vol 3 Part A §4',
    steps: [
      { send: 'signaling', hex: '08 31 00 00 08 32 01 00' },
      { expect: 'signaling', hex: '09 31 00 00' },
      { expect: 'signaling', hex: '01 32 02 00 00 00', optional: true, timeoutMs: 1000, note: 'a reject or a silent drop of the cut command' },
    ],
    after: ['echo'],
  },
  {
    id: 'L13',
    title: 'A signaling C-frame in two ACL fragments',
    rule: 'L13',
    spec: 'Core Vol 3 Part A §7.2',
    steps: [
      { send: 'signaling', hex: '08 34 04 00 01 02 03 04', fragments: [3, 20] },
      { expect: 'signaling', hex: '09 34 04 00 01 02 03 04' },
    ],
  },
  {
    id: 'L15',
    title: 'Echo Request',
    rule: 'L15',
    spec: 'Core Vol 3 Part A §4.8, §4.9',
    steps: [
      { send: 'signaling', hex: '08 0a 04 00 de ad be ef' },
      { expect: 'signaling', hex: ['09 0a 04 00 de ad be ef', '09 0a 00 00'] },
    ],
  },
  {
    id: 'L15b',
    title: 'Echo Request of the largest size the signaling MTU allows (48)',
    rule: 'L15, P15',
    spec: 'Core Vol 3 Part A §4, §4.8 (MTUsig at least 48)',
    steps: [
      { send: 'signaling', hex: `08 35 2c 00 ${bytesHex(44, 3)}` },
      { expect: 'signaling', hex: [`09 35 2c 00 ${bytesHex(44, 3)}`, '09 35 00 00'] },
    ],
  },
  {
    id: 'L16',
    title: 'Information Request, extended features',
    rule: 'L16, P18',
    spec: 'Core Vol 3 Part A §4.10, §4.11',
    steps: [
      { send: 'signaling', hex: '0a 0b 02 00 02 00' },
      { expect: 'signaling', hex: '0b 0b 08 00 02 00 00 00 ?? ?? ?? ??' },
    ],
  },
  {
    id: 'L17',
    title: 'Information Request, fixed channels',
    rule: 'L17, P18',
    spec: 'Core Vol 3 Part A §4.10, §4.11',
    steps: [
      { send: 'signaling', hex: '0a 0c 02 00 03 00' },
      { expect: 'signaling', hex: '0b 0c 0c 00 03 00 00 00 ?? ?? ?? ?? ?? ?? ?? ??' },
    ],
  },
  {
    id: 'L17b',
    title: 'Information Request of an unknown type',
    rule: 'L17, P18',
    spec: 'Core Vol 3 Part A §4.11',
    steps: [
      { send: 'signaling', hex: '0a 0d 02 00 34 12' },
      { expect: 'signaling', hex: '0b 0d 04 00 34 12 01 00' },
    ],
  },
  {
    id: 'L18',
    title: 'Configuration Request in two parts (continuation flag)',
    rule: 'L18',
    spec: 'Core Vol 3 Part A §4.4, §4.5',
    steps: [
      ...connect('36', 0x0085),
      ...configure('37', 0x0085, '01 00', '01 02 30 00', ['05 37 06 00 85 00 01 00 00 00']),
      ...configure('38', 0x0085, '00 00', '', ['05 38 06 00 85 00 00 00 00 00', '05 38 0a 00 85 00 00 00 00 00 01 02 30 00']),
      ...disconnect('39', 0x0085),
    ],
  },
  {
    id: 'L18b',
    title: 'Information Request while a channel is being configured',
    rule: 'L16, P18',
    spec: 'Core Vol 3 Part A §4.10, §7.1',
    steps: [
      ...connect('3a', 0x0086),
      { send: 'signaling', hex: '0a 3b 02 00 02 00' },
      { expect: 'signaling', hex: '0b 3b 08 00 02 00 00 00 ?? ?? ?? ??', ignore: [theirConfig(0x0086)] },
      ...configure('3c', 0x0086, '00 00', '01 02 30 00', ['05 3c 06 00 86 00 00 00 00 00', '05 3c 0a 00 86 00 00 00 00 00 01 02 30 00']),
      ...disconnect('3d', 0x0086),
    ],
  },
  {
    id: 'L19',
    title: 'Unknown hinted option',
    rule: 'L19, P13',
    spec: 'Core Vol 3 Part A §5',
    steps: [...connect('0d', 0x0087), ...configure('0e', 0x0087, '00 00', 'ff 02 aa bb', ['05 0e 06 00 87 00 00 00 00 00']), ...disconnect('3e', 0x0087)],
  },
  {
    id: 'L20',
    title: 'Unknown option without the hint bit',
    rule: 'L20, P13',
    spec: 'Core Vol 3 Part A §4.5, §5',
    steps: [...connect('0c', 0x0088), ...configure('0f', 0x0088, '00 00', '7f 02 aa bb', ['05 0f 0a 00 88 00 00 00 03 00 7f 02 aa bb']), ...disconnect('3f', 0x0088)],
  },
  {
    id: 'L21',
    title: 'MTU below 48',
    rule: 'L21, P12',
    spec: 'Core Vol 3 Part A §5.1',
    steps: [...connect('40', 0x0089), ...configure('10', 0x0089, '00 00', '01 02 17 00', ['05 10 0a 00 89 00 00 00 01 00 01 02 30 00']), ...disconnect('41', 0x0089)],
  },
  {
    id: 'L24',
    title: 'Disconnection from the tester',
    rule: 'L24',
    spec: 'Core Vol 3 Part A §4.6, §4.7',
    steps: [...connect('42', 0x008a), ...disconnect('11', 0x008a)],
    after: ['echo'],
  },
  {
    id: 'L26',
    title: 'A C-frame larger than the signaling MTU',
    rule: 'L26, P15',
    spec: 'Core Vol 3 Part A §4.1, §4',
    steps: [
      { send: 'signaling', hex: `08 3a bc 02 ${bytesHex(700, 1)}` },
      { expect: 'signaling', hex: ['01 3a 04 00 01 00 ?? ??', `09 3a bc 02 ${bytesHex(700, 1)}`] },
    ],
    after: ['echo'],
  },
  {
    id: 'L27',
    title: 'A B-frame for a CID that is not open',
    rule: 'L27, RB-L2CAP',
    spec: 'Core Vol 3 Part A §3.1',
    steps: [
      { send: 'l2cap', cid: 0x0999, hex: '01 02 03 04' },
      { silence: 'signaling', ms: 500 },
    ],
    after: ['echo'],
  },
];
