/**
 * Built-in SDP server scenarios: the catalogue's S-scenarios of docs/conformance.md and cases a
 * tester tries next. PDUs are big-endian (Core v5.4 Vol 3 Part B §4.2): PDU ID, TransactionID,
 * ParameterLength, parameters. The search pattern is the L2CAP UUID 0x0100, which every record
 * reached over L2CAP carries.
 */
import type { Scenario } from '../scenario.js';

/** ServiceSearchAttributeRequest: pattern {L2CAP}, MaximumAttributeByteCount `max`, all attributes. */
const ssa = (tid: string, max: string, cont: string): string => {
  const params = `35 03 19 01 00 ${max} 35 05 0a 00 00 ff ff ${cont}`;
  const n = params.split(' ').length;
  return `06 ${tid} 00 ${n.toString(16).padStart(2, '0')} ${params}`;
};

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
];
