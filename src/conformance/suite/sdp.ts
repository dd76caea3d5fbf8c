/**
 * Built-in SDP server scenarios: the catalogue's S-scenarios of docs/conformance.md and cases a
 * tester tries next. PDUs are big-endian (Core v5.4 Vol 3 Part B §4.2): PDU ID, TransactionID,
 * ParameterLength, parameters. The search pattern is the L2CAP UUID 0x0100, which every record
 * reached over L2CAP carries.
 */
import type { Scenario } from '../scenario.js';

/** ServiceSearchAttributeRequest: pattern {L2CAP}, MaximumAttributeByteCount `max`, attributes `range` (all by default). */
const ssa = (tid: string, max: string, cont: string, range = '00 00 ff ff'): string => {
  const params = `35 03 19 01 00 ${max} 35 05 0a ${range} ${cont}`;
  const n = params.split(' ').length;
  return `06 ${tid} 00 ${n.toString(16).padStart(2, '0')} ${params}`;
};

/** The first part of a ServiceSearchAttributeResponse cut at 7 octets; its continuation state captured as <clen> <token*>. */
const firstPart = (tid: string): string => `07 ${tid} ?? ?? 00 07 ?? ?? ?? ?? ?? ?? ?? <clen> <token*>`;

/** ServiceSearchRequest for {L2CAP}, one record at most, and its answer with the handle captured as <h0>..<h3>. */
const searchOne = (tid: string): Scenario['steps'] => [
  { send: 'sdp', hex: `02 ${tid} 00 08 35 03 19 01 00 00 01 00` },
  { expect: 'sdp', hex: `03 ${tid} 00 09 00 01 00 01 <h0> <h1> <h2> <h3> 00`, note: 'one record handle' },
];

export const SDP_SUITE: Scenario[] = [
  {
    id: 'S1',
    title: 'A request whose syntax is wrong',
    rule: 'S1, RB-SDP',
    spec: 'Core Vol 3 Part B §4.4, §4.7.1',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: '06 00 01 00 05 aa bb cc dd ee' },
      { expect: 'sdp', hex: '01 00 01 00 02 00 03' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S2',
    title: 'ParameterLength larger than the parameters present',
    rule: 'S2, RB-SDP',
    spec: 'Core Vol 3 Part B §4.2, §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: '02 00 02 00 10 35 03 19 01 00 00 0a 00' },
      { expect: 'sdp', hex: '01 00 02 00 02 00 04' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S3',
    title: 'ServiceAttributeRequest for an unknown record handle',
    rule: 'S3',
    spec: 'Core Vol 3 Part B §4.4, §4.6.1',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: '04 00 03 00 0e 7f ff 12 34 00 40 35 05 0a 00 00 ff ff 00' },
      { expect: 'sdp', hex: '01 00 03 00 02 00 02' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S4',
    title: 'A continuation state the server never issued',
    rule: 'S4, P20',
    spec: 'Core Vol 3 Part B §4.3, §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: ssa('00 04', '00 07', '04 de ad be ef') },
      { expect: 'sdp', hex: '01 00 04 00 02 00 05' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S5',
    title: 'MaximumAttributeByteCount = 7: the answer in parts',
    rule: 'S5, P20',
    spec: 'Core Vol 3 Part B §4.3, §4.7',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: ssa('00 05', '00 07', '00') },
      { expect: 'sdp', hex: '07 00 05 ?? ?? 00 07 ?? ?? ?? ?? ?? ?? ?? [01-10] *', note: '7 octets and a continuation state' },
    ],
  },
  {
    id: 'S5b',
    title: 'MaximumAttributeByteCount = 6 (below the minimum)',
    rule: 'S1, RB-SDP',
    spec: 'Core Vol 3 Part B §4.7.1 (MaximumAttributeByteCount at least 0x0007)',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: ssa('00 06', '00 06', '00') },
      { expect: 'sdp', hex: '01 00 06 00 02 00 03' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S6',
    title: 'Data elements nested past any sense',
    rule: 'S6, P20',
    spec: 'Core Vol 3 Part B §3, §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: `02 00 07 00 ${(2 * 60 + 3 + 3).toString(16).padStart(2, '0')} ${'35 '.repeat(0)}${Array.from({ length: 60 }, (_, i) => `35 ${(2 * (59 - i) + 3).toString(16).padStart(2, '0')}`).join(' ')} 19 01 00 00 0a 00` },
      { expect: 'sdp', hex: '01 00 07 00 02 00 03' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S7',
    title: 'ErrorCode is big-endian (an empty search pattern)',
    rule: 'P20, S1',
    spec: 'Core Vol 3 Part B §4.1, §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: '02 00 08 00 05 35 00 00 0a 00' },
      { expect: 'sdp', hex: '01 00 08 00 02 00 03', note: '02 00 would be little-endian' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S8',
    title: 'A continuation state issued for another request (another attribute range)',
    rule: 'S4, P20',
    spec: 'Core Vol 3 Part B §4.3, §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: ssa('00 0a', '00 07', '00') },
      { expect: 'sdp', hex: firstPart('00 0a'), note: '7 octets and a continuation state' },
      { send: 'sdp', hex: ssa('00 0b', '00 07', '<clen> <token*>', '00 00 00 ff'), computeLength: true },
      { expect: 'sdp', hex: '01 00 0b 00 02 00 05' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S9',
    title: 'A continuation state replayed after it was used (out of order)',
    rule: 'S4, P20',
    spec: 'Core Vol 3 Part B §4.3 (the state of the previous response), §4.4',
    setup: 'sdp-channel',
    steps: [
      { send: 'sdp', hex: ssa('00 0c', '00 07', '00') },
      { expect: 'sdp', hex: firstPart('00 0c') },
      { send: 'sdp', hex: ssa('00 0d', '00 07', '<clen> <token*>'), computeLength: true },
      { expect: 'sdp', hex: '07 00 0d ?? ?? 00 07 ?? ?? ?? ?? ?? ?? ?? [01-10] *', note: 'the second part, with a new continuation state' },
      { send: 'sdp', hex: ssa('00 0e', '00 07', '<clen> <token*>'), computeLength: true, note: 'the first state again' },
      { expect: 'sdp', hex: '01 00 0e 00 02 00 05' },
    ],
    after: ['sdp'],
  },
  {
    id: 'S10',
    title: 'ServiceAttributeRequest with its attribute IDs out of order (0x0004, then 0x0000)',
    rule: 'S1, P20',
    spec: 'Core Vol 3 Part B §4.6.1 (IDs in ascending order), §4.6.2, §4.4',
    setup: 'sdp-channel',
    steps: [
      ...searchOne('00 0f'),
      { send: 'sdp', hex: '04 00 10 00 0f <h0> <h1> <h2> <h3> 01 00 35 06 09 00 04 09 00 00 00' },
      {
        expect: 'sdp',
        hex: ['01 00 10 00 02 00 03', '05 00 10 ?? ?? ?? ?? 35 ?? 09 00 00 0a <h0> <h1> <h2> <h3> 09 00 04 *', '05 00 10 ?? ?? ?? ?? 36 ?? ?? 09 00 00 0a <h0> <h1> <h2> <h3> 09 00 04 *'],
        note: 'refused as bad syntax, or answered in ascending order',
      },
    ],
    after: ['sdp'],
  },
  {
    id: 'S11',
    title: 'ServiceAttributeRequest with MaximumAttributeByteCount = 6 (below the minimum)',
    rule: 'S1, RB-SDP',
    spec: 'Core Vol 3 Part B §4.6.1 (MaximumAttributeByteCount at least 0x0007), §4.4',
    setup: 'sdp-channel',
    steps: [...searchOne('00 11'), { send: 'sdp', hex: '04 00 12 00 0e <h0> <h1> <h2> <h3> 00 06 35 05 0a 00 00 ff ff 00' }, { expect: 'sdp', hex: '01 00 12 00 02 00 03' }],
    after: ['sdp'],
  },
];
