/**
 * The RFCOMM DLC state table (src/rfcomm/dlc-state.ts; TS 07.10 §5.4.1–5.4.2, RFCOMM 1.2 §5.2,
 * §5.5.3): the machine against every cell of its table, then every edge the multiplexer can take
 * driven through an RfcommManager by the scripted lower tester, checked against the recorded history.
 */
import { describe, expect, it } from 'vitest';
import { describeTableCells } from '../support/state-table-cells.js';
import { tableEdges } from '../../src/core/index.js';
import { DLC_EVENT, DLC_STATE, DLC_TRANSITIONS, type DlcEvent, type DlcState } from '../../src/rfcomm/index.js';
import { LowerTester, SID, fcs } from './support/lower-tester.js';

const STATES = Object.values(DLC_STATE);
const EVENTS = Object.values(DLC_EVENT);

describeTableCells('RFCOMM DLC table', 'RFCOMM DLC', DLC_TRANSITIONS, STATES, EVENTS);

/** A DLC brought to one state, and the frames the peer would end it with. */
interface Setup {
  lt: LowerTester;
  id: number;
  dm: string;
  disc: string;
}

/** Server channel 3 on the peer, this side the initiator: DLCI 6; the peer is the responder. */
function outgoing(upTo: 'waiting-mux' | 'pn-sent' | 'sabm-sent'): Setup {
  const lt = new LowerTester();
  lt.rf.sessionUp(SID, { initiator: true, l2capMtu: 133 }, 0);
  lt.tx();
  const id = lt.rf.connect(SID, 3, 0);
  if (upTo !== 'waiting-mux') lt.send('03 73 01 d7');
  if (upTo === 'sabm-sent') lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa');
  lt.tx();
  return { lt, id, dm: `1b 1f 01 ${fcs('1b 1f 01')}`, disc: `19 53 01 ${fcs('19 53 01')}` };
}

/** Server channel 1 here, opened by the peer (the initiator): DLCI 2. */
function incoming(upTo: 'connected' | 'closing' | 'disc-sent'): Setup {
  const noCredits = '03 ef 15 83 11 02 f0 00 00 7f 00 00 00 70';
  const { lt, dlcId } = LowerTester.withDlc({}, upTo === 'closing' ? noCredits : undefined);
  if (upTo === 'closing') lt.rf.write(dlcId, Uint8Array.of(1, 2, 3));
  if (upTo !== 'connected') lt.rf.close(dlcId, lt.now);
  lt.tx();
  return { lt, id: dlcId, dm: `09 1f 01 ${fcs('09 1f 01')}`, disc: `0b 53 01 ${fcs('0b 53 01')}` };
}

function setup(state: DlcState): Setup {
  if (state === 'waiting-mux' || state === 'pn-sent' || state === 'sabm-sent') return outgoing(state);
  if (state === 'connected' || state === 'closing' || state === 'disc-sent') return incoming(state);
  throw new Error(`no setup for ${state}`);
}

/** The DLC's recorded path as `from -event-> to` lines; fails on any fault. */
function path(s: Setup): string[] {
  const h = s.lt.rf.dlcStateHistory();
  expect(h.filter((r) => r.kind === 'fault')).toEqual([]);
  return h.flatMap((r) => (r.kind === 'change' && r.subject === s.id ? [`${r.from} -${r.event}-> ${r.to}`] : []));
}

const covered = new Set<string>();

const DRIVERS: Record<DlcEvent, ((s: Setup) => void) | undefined> = {
  Open_Req: undefined,
  Mux_Open: (s) => s.lt.send('03 73 01 d7'),
  DLCI_In_Use: undefined,
  PN_Rsp: (s) => s.lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa'),
  SABM: undefined,
  UA: (s) => s.lt.send(s.lt.rf.dlcInfo(s.id)!.dlci === 6 ? '1b 73 01 18' : `09 73 01 ${fcs('09 73 01')}`),
  DM: (s) => s.lt.send(s.dm),
  DISC: (s) => s.lt.send(s.disc),
  Close_Req: (s) => s.lt.rf.close(s.id, s.lt.now),
  Queue_Empty: undefined,
  Linger_Timeout: (s) => s.lt.advance(s.lt.rf.pollTimeout()! - s.lt.now),
  T1: (s) => s.lt.advance(60_000),
  T2: (s) => s.lt.advance(20_000),
  Session_Down: (s) => s.lt.rf.sessionDown(SID, s.lt.now),
};

describe('RFCOMM DLC edges, driven through the manager', () => {
  const cases = tableEdges(DLC_TRANSITIONS).filter(({ from, event }) => from !== DLC_STATE.CLOSED && DRIVERS[event] !== undefined);
  it.each(cases)('$from × $event → $to', ({ from, event, to }) => {
    const s = setup(from);
    expect(s.lt.rf.dlcInfo(s.id)?.state).toBe(from);
    const before = path(s).length;
    DRIVERS[event]!(s);
    const p = path(s);
    // The edge comes first; a DLC closed with nothing queued goes on from closing at once.
    expect(p[before]).toBe(`${from} -${event}-> ${to}`);
    for (const line of p) covered.add(line);
    const last = p.at(-1)!.split('-> ')[1];
    if (last === DLC_STATE.CLOSED) expect(s.lt.rf.dlcInfo(s.id)).toBeUndefined();
    else expect(s.lt.rf.dlcInfo(s.id)?.state).toBe(last);
  });

  it('the way in: opened here, step by step; opened by the peer with its SABM', () => {
    const out = setup('sabm-sent');
    DRIVERS.UA!(out);
    expect(path(out)).toEqual(['closed -Open_Req-> waiting-mux', 'waiting-mux -Mux_Open-> pn-sent', 'pn-sent -PN_Rsp-> sabm-sent', 'sabm-sent -UA-> connected']);
    const inc = setup('disc-sent');
    expect(path(inc)).toEqual(['closed -SABM-> connected', 'connected -Close_Req-> closing', 'closing -Queue_Empty-> disc-sent']);
    for (const line of [...path(out), ...path(inc)]) covered.add(line);
  });

  it('the scenarios above drove every edge but DLCI_In_Use, which the manager prevents (one DLC per server channel and direction)', () => {
    const all = tableEdges(DLC_TRANSITIONS).map(({ from, event, to }) => `${from} -${event}-> ${to}`);
    expect(all.filter((e) => !covered.has(e))).toEqual(['waiting-mux -DLCI_In_Use-> closed']);
  });
});
