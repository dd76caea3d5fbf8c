/**
 * The RFCOMM session state table (src/rfcomm/session-state.ts; TS 07.10 §5.4.1–5.4.2 on DLCI 0,
 * RFCOMM 1.2 §5.2): the machine against every cell of its table, then every edge driven through an
 * RfcommManager by the scripted lower tester, checked against the recorded history.
 */
import { describe, expect, it } from 'vitest';
import { describeTableCells } from '../support/state-table-cells.js';
import { tableEdges } from '../../src/core/index.js';
import { SESSION_EVENT, SESSION_STATE, SESSION_TRANSITIONS, type RfcommOptions, type SessionEvent, type SessionState } from '../../src/rfcomm/index.js';
import { LowerTester, SID, fcs } from './support/lower-tester.js';

describeTableCells('RFCOMM session table', 'RFCOMM session', SESSION_TRANSITIONS, Object.values(SESSION_STATE), Object.values(SESSION_EVENT));

/** A session brought to one state, and the address octet of the peer's commands and responses on DLCI 0. */
interface Setup {
  lt: LowerTester;
  cmd: string;
  rsp: string;
}

function setup(state: SessionState, options: RfcommOptions = {}): Setup {
  const lt = new LowerTester(options);
  const initiator = state === SESSION_STATE.WAIT_UA;
  lt.rf.sessionUp(SID, { initiator, l2capMtu: 672 }, 0);
  // C/R (TS 07.10 Table 1): the initiator's commands carry 1, the responder's 0; responses the opposite.
  const peer = initiator ? { cmd: '01', rsp: '03' } : { cmd: '03', rsp: '01' };
  if (state === SESSION_STATE.OPEN || state === SESSION_STATE.DISCONNECTING || state === SESSION_STATE.CLOSED) lt.send('03 3f 01 1c');
  if (state === SESSION_STATE.DISCONNECTING) lt.advance(60_000);
  if (state === SESSION_STATE.CLOSED) lt.send(`03 53 01 ${fcs('03 53 01')}`);
  lt.tx();
  return { lt, ...peer };
}

function path(s: Setup): string[] {
  const h = s.lt.rf.sessionStateHistory();
  expect(h.filter((r) => r.kind === 'fault')).toEqual([]);
  return h.flatMap((r) => (r.kind === 'change' && r.subject === SID ? [`${r.from} -${r.event}-> ${r.to}`] : []));
}

const DRIVERS: Record<SessionEvent, { options?: RfcommOptions; run: (s: Setup) => void }> = {
  Open_Req: { run: (s) => s.lt.rf.connect(SID, 3, s.lt.now) },
  SABM: { run: (s) => s.lt.send('03 3f 01 1c') },
  SABM_Refused: { options: { acceptSessions: false }, run: (s) => s.lt.send('03 3f 01 1c') },
  UA: { run: (s) => s.lt.send(`${s.rsp} 73 01 ${fcs(`${s.rsp} 73 01`)}`) },
  DM: { run: (s) => s.lt.send(`${s.rsp} 1f 01 ${fcs(`${s.rsp} 1f 01`)}`) },
  DISC: { run: (s) => s.lt.send(`${s.cmd} 53 01 ${fcs(`${s.cmd} 53 01`)}`) },
  T1: { run: (s) => s.lt.advance(20_000) },
  Idle_Timeout: { run: (s) => s.lt.advance(60_000) },
  L2CAP_Down: { run: (s) => s.lt.rf.sessionDown(SID, s.lt.now) },
};

describe('RFCOMM session edges, driven through the manager', () => {
  const covered = new Set<string>();

  it.each(tableEdges(SESSION_TRANSITIONS))('$from × $event → $to', ({ from, event, to }) => {
    const driver = DRIVERS[event];
    const s = setup(from, driver.options);
    expect(s.lt.rf.sessionInfo(SID)?.state).toBe(from);
    const before = path(s).length;
    driver.run(s);
    const p = path(s);
    expect(p.slice(before)).toEqual([`${from} -${event}-> ${to}`]);
    for (const line of p) covered.add(line);
    if (event !== SESSION_EVENT.L2CAP_DOWN) expect(s.lt.rf.sessionInfo(SID)?.state).toBe(to);
  });

  it('the scenarios above drove every edge of the table', () => {
    const all = tableEdges(SESSION_TRANSITIONS).map(({ from, event, to }) => `${from} -${event}-> ${to}`);
    expect(all.filter((e) => !covered.has(e))).toEqual([]);
  });
});
