/**
 * Built-in scenarios on a link the tester shares with its own stack (`standAside: 'channels'`):
 * the stack opens an RFCOMM channel of its own to the device's `stackChannel` (an echo service),
 * and the tester takes one DLCI on the stack's session, or one L2CAP channel of its own, where it
 * alone answers. Each checks a rule on the tester's part and, after it, that the stack's channel
 * still carries data: DLCs on one session, and channels on one link, are independent of each
 * other (TS 07.10 §5.2.1, §5.4.1; Core v5.4 Vol 3 Part A §2.1). Run them with
 * `btc conformance ADDR --suite shared --stack-channel N`.
 */
import type { Scenario } from '../scenario.js';
import { pn, sabmDlc } from './rfcomm.js';

export const SHARED_SUITE: Scenario[] = [
  {
    id: 'SA1',
    title: "PN and SABM for a second DLC on the stack's session",
    rule: 'R3, R7',
    spec: 'TS 07.10 §5.4.1, §5.4.6.3.1; RFCOMM 1.2 §5.5.3',
    setup: 'stack-session',
    standAside: 'channels',
    steps: [...pn, ...sabmDlc, { check: 'stack-echo' }],
    after: ['stack-echo'],
  },
  {
    id: 'SA2',
    title: "MSC on the tester's DLC of the stack's session",
    rule: 'R10',
    spec: 'TS 07.10 §5.4.6.3.7',
    setup: 'stack-session-dlc',
    standAside: 'channels',
    steps: [
      { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' } },
      { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' } },
    ],
    after: ['rfcomm-msc', 'stack-echo'],
  },
  {
    id: 'SA3',
    title: "DISC on the tester's DLC, then data on it: the stack's DLC and the session stay",
    rule: 'R22',
    spec: 'TS 07.10 §5.3.3, §5.3.4',
    setup: 'stack-session-dlc',
    standAside: 'channels',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'DISC', pf: 1 } },
      { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', pf: 0, info: '41 42' } },
      { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'DM', pf: 0 } },
      { check: 'stack-echo' },
    ],
  },
  {
    id: 'SA4',
    title: "A malformed SDP request on the tester's own channel beside the stack's RFCOMM channel",
    rule: 'S1, RB-SDP',
    spec: 'Core v5.4 Vol 3 Part A §2.1; Vol 3 Part B §4.4, §4.7.1',
    setup: 'stack-sdp-channel',
    standAside: 'channels',
    steps: [
      { send: 'sdp', hex: '06 00 01 00 05 aa bb cc dd ee' },
      { expect: 'sdp', hex: '01 00 01 00 02 00 03' },
    ],
    after: ['echo', 'sdp', 'stack-echo'],
  },
];
