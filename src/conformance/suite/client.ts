/**
 * Built-in client-role scenarios: the device connects to the tester's RFCOMM server channel and
 * starts the session (it is the initiator, DLCI = the tester's channel << 1); the tester answers as
 * the responder, with the values a test wants (reduced N1, DM). TS 07.10 and RFCOMM 1.2.
 */
import type { Scenario, Step } from '../scenario.js';

/** The device's PN offering credits; captures its priority and N1. */
const theirPn: Step = { expect: 'mcc', mcc: { type: 'PN', value: '<dlci> f0 <prio> 00 <n0> <n1> 00 [00-07]' }, note: 'PN offering credits for the DLC' };
const theirSabm: Step = { expect: 'rfcomm', frame: { dlci: 'dlc', control: 'SABM', pf: 1 } };

/** The device's MSC command on DLCI 0 (the initiator's address and type octets). */
const THEIR_MSC = '03 ef 09 e3 05 <dlci_msc> ?? 70';

/**
 * Our MSC and the device's answer; its own MSC command may come first; then we answer it.
 * `data`: patterns of the device's data frames that may come meanwhile (kept for the steps after).
 */
const mscExchange = (data: string[] = []): Step[] => [
  { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' } },
  { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' }, ignore: [THEIR_MSC, ...data] },
  { expect: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> <v24>' }, ...(data.length ? { ignore: data } : {}) },
  { send: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> <v24>' } },
];

const octet = (v: number): string => v.toString(16).padStart(2, '0');

/** A UIH of the device on the DLC with at least one data octet (P/F 0; or P/F 1 with a credit octet first). */
const DATA = ['<dlci_msc> ef ?? ?? ?? *', '<dlci_msc> ff ?? ?? ?? ?? *'];
/** The same without credit-based flow control: P/F 0 only (RFCOMM 1.2 §6.5.2). */
const DATA_NO_CREDITS = ['<dlci_msc> ef ?? ?? ?? *'];

/** Every UIH of the device on the DLC with 1..n data octets, exactly (the length octet and the frame's size agree). */
function dataUpTo(n: number): string[] {
  const out: string[] = [];
  for (let l = 1; l <= n; l++) {
    const body = `${'?? '.repeat(l)}??`;
    out.push(`<dlci_msc> ef ${octet((l << 1) | 1)} ${body}`, `<dlci_msc> ff ${octet((l << 1) | 1)} ?? ${body}`);
  }
  return out;
}

/** What the device must do in the scenarios that watch its data. */
/** The device's PN answered with CL 0 (no credit-based flow control), its SABM with UA. */
const OPEN_WITHOUT_CREDITS: Step[] = [
  theirPn,
  { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> 00 <prio> 00 <n0> <n1> 00 00' }, note: 'CL 0: no credit-based flow control' },
  theirSabm,
  { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
];

const SENDS_DATA = 'send at least 3 × N1 + 1 octets (more than three full frames) as soon as the channel is open';

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
      ...mscExchange(),
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
      ...mscExchange(),
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
  {
    id: 'C5',
    title: 'The tester lowers N1 to 23: no UIH of the device carries more than 23 octets',
    rule: 'P7',
    spec: 'TS 07.10 §5.4.6.3.1 (N1 is the most a frame carries); RFCOMM 1.2 §5.5.3',
    role: 'client',
    setup: 'accept-rfcomm-session',
    deviceAction: SENDS_DATA,
    steps: [
      theirPn,
      { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 <prio> 00 17 00 00 07' } },
      theirSabm,
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      ...mscExchange(DATA),
      { expect: 'rfcomm', hex: dataUpTo(23), note: 'data in frames of at most 23 octets' },
      { silence: 'rfcomm', ms: 1000, ignore: dataUpTo(23) },
    ],
  },
  {
    id: 'C6',
    title: 'Credit starvation: no data without credits, then no more frames than the 2 credits given',
    rule: 'R13, P6',
    spec: 'RFCOMM 1.2 §6.5 (each UIH with data takes one credit; none left, the sender waits)',
    role: 'client',
    setup: 'accept-rfcomm-session',
    deviceAction: SENDS_DATA,
    steps: [
      theirPn,
      { send: 'mcc', mcc: { type: 'PN', cr: 0, value: '<dlci> e0 <prio> 00 <n0> <n1> 00 00' }, note: 'initial credits 0' },
      theirSabm,
      { send: 'rfcomm', frame: { dlci: 'dlc', control: 'UA', pf: 1 } },
      ...mscExchange(),
      { silence: 'rfcomm', ms: 1000, note: 'no credits: no data' },
      { send: 'rfcomm', frame: { dlci: 'dlc', cr: 0, control: 'UIH', pf: 1, credit: 2 } },
      { expect: 'rfcomm', hex: DATA, note: 'the first frame on the first credit' },
      { expect: 'rfcomm', hex: DATA, note: 'the second frame on the second credit' },
      { silence: 'rfcomm', ms: 1000, note: 'credits spent: no third frame' },
    ],
  },
  {
    id: 'C7',
    title: 'No credit-based flow control, MSC with FC set: the device stops sending until FC is clear',
    rule: 'R4, P7',
    spec: 'TS 07.10 §5.4.6.3.7 (FC bit); RFCOMM 1.2 §5.5.3 (CL 0 in the PN response: no credits), §6.5',
    role: 'client',
    setup: 'accept-rfcomm-session',
    deviceAction: SENDS_DATA,
    steps: [
      ...OPEN_WITHOUT_CREDITS,
      { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8f' }, note: 'FC = 1' },
      { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8f' }, ignore: [THEIR_MSC], drop: DATA_NO_CREDITS },
      { expect: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> <v24>' } },
      { send: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> <v24>' } },
      { silence: 'rfcomm', ms: 1000, note: 'FC set: no data' },
      { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' }, note: 'FC = 0' },
      { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' }, ignore: DATA_NO_CREDITS },
      { expect: 'rfcomm', hex: DATA_NO_CREDITS, note: 'data again' },
    ],
  },
  {
    id: 'C8',
    title: 'No credit-based flow control, FCoff: the device stops sending on every DLC until FCon',
    rule: 'R21, R4',
    spec: 'TS 07.10 §5.4.6.3.5, §5.4.6.3.6; RFCOMM 1.2 §5.5.3, §6.5',
    role: 'client',
    setup: 'accept-rfcomm-session',
    deviceAction: SENDS_DATA,
    steps: [
      ...OPEN_WITHOUT_CREDITS,
      { send: 'mcc', mcc: { type: 'FCOFF' } },
      { expect: 'mcc', mcc: { type: 'FCOFF', cr: 0 }, ignore: [THEIR_MSC], drop: DATA_NO_CREDITS },
      ...mscExchange(),
      { silence: 'rfcomm', ms: 1000, note: 'FCoff: no data' },
      { send: 'mcc', mcc: { type: 'FCON' } },
      { expect: 'mcc', mcc: { type: 'FCON', cr: 0 }, ignore: DATA_NO_CREDITS },
      { expect: 'rfcomm', hex: DATA_NO_CREDITS, note: 'data again' },
    ],
  },
];
