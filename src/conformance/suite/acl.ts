/**
 * Built-in ACL recombination scenarios (H1–H3 of docs/conformance.md): ACL packets with the packet
 * boundary flag and lengths as given (Core v5.4 Vol 4 Part E §5.4.2), judged by what the device's
 * L2CAP does with them (Vol 3 Part A §7.2) and by an Echo afterwards.
 */
import type { Scenario } from '../scenario.js';

const zeros = (n: number): string => Array(n).fill('00').join(' ');

export const ACL_SUITE: Scenario[] = [
  {
    id: 'H1',
    title: 'An ACL continuation with no first fragment before it',
    rule: 'H1, RB-ACL',
    spec: 'Core Vol 4 Part E §5.4.2; Vol 3 Part A §7.2',
    steps: [
      { send: 'acl', pb: 1, hex: '08 60 00 00' },
      { silence: 'signaling', ms: 500 },
    ],
    after: ['echo'],
  },
  {
    id: 'H2',
    title: 'A new first fragment while a PDU is still incomplete',
    rule: 'H2, RB-ACL',
    spec: 'Core Vol 4 Part E §5.4.2; Vol 3 Part A §7.2',
    steps: [
      { send: 'acl', pb: 2, hex: '14 00 01 00 08 61 10 00' },
      { send: 'signaling', hex: '08 62 02 00 aa bb' },
      { expect: 'signaling', hex: '09 62 02 00 aa bb', note: 'the new PDU, not the stale one' },
    ],
    after: ['echo'],
  },
  {
    id: 'H3',
    title: 'Fragments past the announced L2CAP length',
    rule: 'H3, RB-ACL',
    spec: 'Core Vol 3 Part A §7.2',
    steps: [
      { send: 'acl', pb: 2, hex: '0a 00 01 00 08 63 06 00' },
      { send: 'acl', pb: 1, hex: zeros(200) },
      { silence: 'signaling', ms: 500 },
    ],
    after: ['echo'],
  },
];
