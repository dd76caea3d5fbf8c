/**
 * Built-in client-role scenarios: the device connects to the tester's RFCOMM server channel and
 * starts the session (it is the initiator, DLCI = the tester's channel << 1); the tester answers as
 * the responder, with the values a test wants (reduced N1, DM). TS 07.10 and RFCOMM 1.2.
 */
import type { Scenario, Step } from '../scenario.js';

/** The device's PN offering credits; captures its priority and N1. */
const theirPn: Step = { expect: 'mcc', mcc: { type: 'PN', value: '<dlci> f0 <prio> 00 <n0> <n1> 00 [00-07]' }, note: 'PN offering credits for the DLC' };
const theirSabm: Step = { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'SABM', pf: 1 } };

/** Our MSC and the device's answer; its own MSC command may come first; then we answer it. */
const mscExchange: Step[] = [
  { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' } },
  { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' }, ignore: ['03 ef 09 e3 05 <dlci_msc> ?? 70'] },
  { expect: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> <v24>' } },
  { send: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> <v24>' } },
];

export const CLIENT_SUITE: Scenario[] = [
  {
    id: 'C1',
    title: 'The device opens the session and a DLC: SABM on DLCI 0, PN, SABM, MSC',
    rule: 'R28, P7, P9',
    spec: 'TS 07.10 §5.4.1, §5.4.6.3.7; RFCOMM 1.2 §5.4, §5.5.3',
    role: 'client',
    setup: 'accept-rfcomm-session',
    steps: [
      theirPn,
      { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 <prio> 00 <n0> <n1> 00 07' } },
      theirSabm,
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      ...mscExchange,
    ],
  },
  {
    id: 'C2',
    title: 'The tester lowers N1 to 23 in its PN response: the device goes on with it',
    rule: 'P7, R5',
    spec: 'RFCOMM 1.2 §5.5.3 (the responder may lower N1)',
    role: 'client',
    setup: 'accept-rfcomm-session',
    steps: [
      theirPn,
      { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 <prio> 00 17 00 00 07' } },
      theirSabm,
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      ...mscExchange,
    ],
  },
  {
    id: 'C3',
    title: 'DM to the SABM on the DLC: the device sends nothing more on that DLC',
    rule: 'P10, R8',
    spec: 'TS 07.10 §5.3.3, §5.4.1',
    role: 'client',
    setup: 'accept-rfcomm-session',
    steps: [
      theirPn,
      { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 <prio> 00 <n0> <n1> 00 07' } },
      theirSabm,
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'DM', pf: 1 } },
      { silence: 'rfcomm', ms: 1000, ignore: ['03 53 01 fd'] },
    ],
  },
  {
    id: 'C4',
    title: 'DM to the SABM on DLCI 0: the device opens nothing on the refused session',
    rule: 'P10, R2',
    spec: 'TS 07.10 §5.3.3; RFCOMM 1.2 §5.2',
    role: 'client',
    setup: 'accept-rfcomm-channel',
    steps: [
      { expect: 'rfcomm', hex: '03 3f 01 1c' },
      { send: 'rfcomm', hex: '03 1f 01 36' },
      { silence: 'rfcomm', ms: 1000 },
    ],
  },
];
