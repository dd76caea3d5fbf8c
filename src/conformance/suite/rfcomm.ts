/**
 * Built-in RFCOMM scenarios (server role: the tester starts the session, the implementation's
 * server channel is the DLC under test, DLCI = channel << 1): the catalogue's R-scenarios of
 * docs/conformance.md and cases a tester tries next. Frames given by fields get their length and
 * FCS computed (TS 07.10 §5.2); `<dlci>` and `<dlci_msc>` are the DLC's DLCI and its address octet
 * in MCC values. TS 07.10 and RFCOMM 1.2.
 */
import type { Scenario, Step } from '../scenario.js';

const PN_CBFC = '<dlci> f0 07 00 7f 00 00 07';

/** PN offering credits and its accepting answer (N1 1..127 here, K 0..7). */
export const pn: Step[] = [
  { send: 'mcc', mcc: { type: 'PN', value: PN_CBFC } },
  { expect: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 07 00 [01-7f] 00 00 [00-07]' } },
];

export const sabmDlc: Step[] = [
  { send: 'rfcomm', frame: { dlci: 'dlc', control: 'SABM', pf: 1 } },
  { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
];

export const RFCOMM_SUITE: Scenario[] = [
  {
    id: 'R1',
    title: 'SABM on DLCI 0',
    rule: 'R1, P10',
    spec: 'TS 07.10 §5.3.1, §5.4.1',
    setup: 'rfcomm-channel',
    steps: [
      { send: 'rfcomm', hex: '03 3f 01 1c' },
      { expect: 'rfcomm', hex: '03 73 01 d7' },
    ],
  },
  {
    id: 'R3',
    title: 'PN offering credit-based flow control',
    rule: 'R3, P7',
    spec: 'TS 07.10 §5.4.6.3.1; RFCOMM 1.2 §5.5.3, §6.5',
    setup: 'rfcomm-session',
    steps: pn,
  },
  {
    id: 'R4',
    title: 'PN without credit-based flow control',
    rule: 'R4, P7',
    spec: 'RFCOMM 1.2 §5.5.3, §6.5',
    setup: 'rfcomm-session',
    steps: [
      { send: 'mcc', mcc: { type: 'PN', value: '<dlci> 00 07 00 7f 00 00 00' } },
      { expect: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> 00 07 00 [01-7f] 00 00 ??' } },
    ],
  },
  {
    id: 'R5',
    title: 'PN with N1 = 32767 (the largest)',
    rule: 'R5, P7, P8',
    spec: 'RFCOMM 1.2 §5.5.3',
    setup: 'rfcomm-session',
    steps: [
      { send: 'mcc', mcc: { type: 'PN', value: '<dlci> f0 07 00 ff 7f 00 07' } },
      { expect: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 07 00 ?? [00-02] 00 [00-07]' }, note: 'N1 within the L2CAP MTU less 5' },
    ],
  },
  {
    id: 'R6',
    title: 'PN with N1 = 0',
    rule: 'R6, P7',
    spec: 'TS 07.10 §5.4.6.3.1',
    setup: 'rfcomm-session',
    steps: [
      { send: 'mcc', mcc: { type: 'PN', value: '<dlci> f0 07 00 00 00 00 07' } },
      {
        expect: 'rfcomm',
        hex: [
          '01 ef 15 81 11 <dlci> e0 07 00 [01-ff] [00-7f] 00 [00-07] aa',
          '01 ef 15 81 11 <dlci> e0 07 00 00 [01-7f] 00 [00-07] aa',
        ],
        note: 'a PN response with a usable N1',
      },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R6b',
    title: 'PN with K = 7 and priority 63 (edge values)',
    rule: 'P7, P6',
    spec: 'TS 07.10 §5.4.6.3.1; RFCOMM 1.2 §6.5',
    setup: 'rfcomm-session',
    steps: [
      { send: 'mcc', mcc: { type: 'PN', value: '<dlci> f0 3f 00 01 00 00 07' } },
      { expect: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 3f 00 01 00 00 [00-07]' }, note: 'priority kept, N1 = 1 not raised' },
    ],
  },
  {
    id: 'R7',
    title: "SABM on a registered channel's DLCI",
    rule: 'R7',
    spec: 'TS 07.10 §5.4.1',
    setup: 'rfcomm-session',
    steps: [...pn, ...sabmDlc],
  },
  {
    id: 'R8',
    title: 'SABM on an unregistered channel (30)',
    rule: 'R8, P10',
    spec: 'TS 07.10 §5.3.3',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', frame: { dlci: 60, control: 'SABM', pf: 1 } },
      { expect: 'rfcomm', frame: { dlci: 60, control: 'DM', pf: 1 } },
    ],
  },
  {
    id: 'R9',
    title: 'SABM without a PN before it',
    rule: 'R9, P7',
    spec: 'RFCOMM 1.2 §5.5.3',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'SABM', pf: 1 } },
      { expect: 'rfcomm', hex: ['<dlci_msc> 73 01 ??', '<dlci_msc> 1f 01 ??'], note: 'UA or DM, never silence' },
    ],
  },
  {
    id: 'R10',
    title: 'MSC before data',
    rule: 'R10, P9',
    spec: 'TS 07.10 §5.4.6.3.7',
    setup: 'rfcomm-session',
    steps: [
      ...pn,
      ...sabmDlc,
      { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' } },
      { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' }, ignore: ['01 ef 09 e3 05 <dlci_msc> ?? aa'] },
    ],
  },
  {
    id: 'R14',
    title: 'UIH with P/F = 1 and no credit octet',
    rule: 'R14, P4',
    spec: 'RFCOMM 1.2 §6.5.2',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', pf: 1 } },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-msc'],
  },
  {
    id: 'R15',
    title: 'Credits granted past 255',
    rule: 'R15, P6',
    spec: 'RFCOMM 1.2 §6.5',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', pf: 1, credit: 255 } },
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', pf: 1, credit: 255 } },
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', pf: 1, credit: 255 } },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-msc'],
  },
  {
    id: 'R16',
    title: 'A bad FCS',
    rule: 'R16, P1',
    spec: 'TS 07.10 §5.2.1.6',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', hex: '03 ef 0d 23 09 50 54 53 21 71' },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R16b',
    title: 'A UIH whose FCS covers the length octet too (the wrong span)',
    rule: 'R16, P1',
    spec: 'TS 07.10 §5.2.1.6',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', frame: { dlci: 0, control: 'UIH', info: '23 09 50 54 53 21', fcsSpan: 'with-length' } },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R17',
    title: 'An unsupported MCC',
    rule: 'R17, P11',
    spec: 'TS 07.10 §5.4.6.3.8',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', hex: '03 ef 05 c3 01 70' },
      { expect: 'rfcomm', hex: '01 ef 07 11 03 c3 aa' },
    ],
  },
  {
    id: 'R18',
    title: 'Test command',
    rule: 'R18',
    spec: 'TS 07.10 §5.4.6.3.4',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', hex: '03 ef 0d 23 09 50 54 53 21 70' },
      { expect: 'rfcomm', hex: '01 ef 0d 21 09 50 54 53 21 aa' },
    ],
  },
  {
    id: 'R18b',
    title: 'Test command as long as the default N1 allows (127-octet frame)',
    rule: 'R18, P5',
    spec: 'TS 07.10 §5.4.6.3.4, §5.2.1.5; RFCOMM 1.2 §5.5.3 (N1 127 without PN)',
    setup: 'rfcomm-session',
    steps: [
      { send: 'mcc', mcc: { type: 'TEST', value: Array.from({ length: 125 }, (_, i) => (i & 0xff).toString(16).padStart(2, '0')).join(' ') } },
      { expect: 'mcc', mcc: { type: 'TEST', cr: 0, value: Array.from({ length: 125 }, (_, i) => (i & 0xff).toString(16).padStart(2, '0')).join(' ') } },
    ],
  },
  {
    id: 'R19',
    title: 'RPN query',
    rule: 'R19',
    spec: 'TS 07.10 §5.4.6.3.9',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'mcc', mcc: { type: 'RPN', value: '<dlci_msc>' } },
      { expect: 'mcc', mcc: { type: 'RPN', cr: 0, value: '<dlci_msc> ?? ?? ?? ?? ?? ?? ??' } },
    ],
  },
  {
    id: 'R20',
    title: 'RLS',
    rule: 'R20',
    spec: 'TS 07.10 §5.4.6.3.10',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'mcc', mcc: { type: 'RLS', value: '<dlci_msc> 03' } },
      { expect: 'mcc', mcc: { type: 'RLS', cr: 0, value: '<dlci_msc> 03' } },
    ],
  },
  {
    id: 'R21',
    title: 'FCoff and FCon',
    rule: 'R21',
    spec: 'TS 07.10 §5.4.6.3.5, §5.4.6.3.6',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', hex: '03 ef 05 63 01 70' },
      { expect: 'rfcomm', hex: '01 ef 05 61 01 aa' },
      { send: 'rfcomm', hex: '03 ef 05 a3 01 70' },
      { expect: 'rfcomm', hex: '01 ef 05 a1 01 aa' },
    ],
  },
  {
    id: 'R22',
    title: 'DISC on an open DLC, then data on it',
    rule: 'R22, P10',
    spec: 'TS 07.10 §5.3.4, §5.3.3',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'DISC', pf: 1 } },
      { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', info: '61 62 63' } },
      { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'DM', pf: 0 } },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R23',
    title: 'DISC on a DLCI never opened',
    rule: 'R23, P10',
    spec: 'TS 07.10 §5.3.4',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', frame: { dlci: 58, control: 'DISC', pf: 1 } },
      { expect: 'rfcomm', frame: { dlci: 58, control: 'DM', pf: 1 } },
    ],
  },
  {
    id: 'R23b',
    title: 'A second SABM on an open DLC',
    rule: 'R7, P10',
    spec: 'TS 07.10 §5.4.1',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'SABM', pf: 1 } },
      { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 }, note: 'the DLC stays established' },
    ],
    after: ['rfcomm-msc'],
  },
  {
    id: 'R24',
    title: 'DISC on DLCI 0',
    rule: 'R24, P10',
    spec: 'TS 07.10 §5.3.4; RFCOMM 1.2 §5.2',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', hex: '03 53 01 fd' },
      { expect: 'rfcomm', hex: '03 73 01 d7' },
    ],
    after: ['echo'],
  },
  {
    id: 'R25',
    title: 'A length field larger than the frame',
    rule: 'R25, P5',
    spec: 'TS 07.10 §5.2.1.5',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UIH', info: '61 62 63', length: 10 } },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-msc'],
  },
  {
    id: 'R26',
    title: 'An MCC length larger than the frame',
    rule: 'R26',
    spec: 'TS 07.10 §5.4.6.1',
    setup: 'rfcomm-dlc',
    steps: [
      { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d', length: 20 } },
      { silence: 'rfcomm', ms: 500 },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R27',
    title: 'SABM on the reserved DLCI 62',
    rule: 'R27',
    spec: 'RFCOMM 1.2 §5.4',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', hex: 'fb 3f 01 bb' },
      { expect: 'rfcomm', hex: 'fb 1f 01 ??', optional: true, timeoutMs: 1000, note: 'DM or nothing' },
    ],
    after: ['rfcomm-test'],
  },
  {
    id: 'R27b',
    title: 'Data on DLCI 0 that is no MCC (a UIH whose type octet has EA = 0)',
    rule: 'P10, RB-RFCOMM',
    spec: 'TS 07.10 §5.4.6.1',
    setup: 'rfcomm-session',
    steps: [
      { send: 'rfcomm', frame: { dlci: 0, control: 'UIH', info: '60 61 62' } },
      { expect: 'rfcomm', hex: '01 ef ?? 11 ?? *', optional: true, timeoutMs: 1000, note: 'NSC or nothing' },
    ],
    after: ['rfcomm-test'],
  },
];
