/**
 * The L2CAP channel state table (src/l2cap/channel-state.ts, Core v5.4 Vol 3 Part A §6.1):
 * the machine against every cell of its table, then every defined edge driven through the
 * L2capManager by a scripted lower tester, each scenario checked against the history it records.
 */
import { describe, expect, it } from 'vitest';
import { describeTableCells } from '../support/state-table-cells.js';
import { ArgumentError, StateMachine, tableEdges } from '../../src/core/index.js';
import { CHANNEL_EVENT, CHANNEL_STATE, CHANNEL_TRANSITIONS, type ChannelEvent, type ChannelState, PSM, configSubstate } from '../../src/l2cap/index.js';
import { HANDLE, LowerTester } from './support/lower-tester.js';

const STATES = Object.values(CHANNEL_STATE);
const EVENTS = Object.values(CHANNEL_EVENT);

describeTableCells('L2CAP channel table', 'L2CAP channel', CHANNEL_TRANSITIONS, STATES, EVENTS);

describe('L2CAP channel table, its shape', () => {
  it('CLOSED is left only by opening, and every state but CLOSED reaches CLOSED on Link_Down', () => {
    expect(Object.values(CHANNEL_TRANSITIONS[CHANNEL_STATE.CLOSED])).not.toContain(CHANNEL_STATE.CLOSED);
    for (const s of STATES.filter((s) => s !== CHANNEL_STATE.CLOSED)) expect(CHANNEL_TRANSITIONS[s][CHANNEL_EVENT.LINK_DOWN]).toBe(CHANNEL_STATE.CLOSED);
  });

  it('CONFIG sub-states follow the two direction flags (§6.1.3)', () => {
    expect(configSubstate(false, false)).toBe('WAIT_CONFIG_REQ_RSP');
    expect(configSubstate(true, false)).toBe('WAIT_CONFIG_REQ');
    expect(configSubstate(false, true)).toBe('WAIT_CONFIG_RSP');
    expect(configSubstate(true, true)).toBeUndefined();
  });

  it('the history keeps the latest entries within its capacity', () => {
    const m = new StateMachine<ChannelState, ChannelEvent>('L2CAP channel', CHANNEL_TRANSITIONS, 2);
    const ch = { state: CHANNEL_STATE.CLOSED as ChannelState };
    m.transition(ch, 1, CHANNEL_EVENT.CONNECT_REQ, 1);
    m.transition(ch, 1, CHANNEL_EVENT.CONFIG_COMPLETE, 2);
    m.transition(ch, 1, CHANNEL_EVENT.CLOSE_CHANNEL_REQ, 3);
    expect(m.history().map((r) => r.at)).toEqual([2, 3]);
  });
});

/** The recorded path as `FROM -event-> TO` lines; fails on any fault. */
function path(lt: LowerTester): string[] {
  const h = lt.l2.stateHistory();
  expect(h.filter((r) => r.kind === 'fault')).toEqual([]);
  return h.flatMap((r) => (r.kind === 'change' ? [`${r.from} -${r.event}-> ${r.to}`] : []));
}

const covered = new Set<string>();
function record(lines: string[]): void {
  for (const l of lines) covered.add(l);
}

/** The IUT connects on PSM 3 (CID 0x40, ConnReq id 1). */
function connecting(opts = {}): LowerTester {
  const lt = new LowerTester(opts, [PSM.RFCOMM]);
  lt.l2.connect(HANDLE, PSM.RFCOMM, {}, lt.now);
  expect(lt.sent()).toEqual(['02 01 04 00 03 00 40 00']);
  return lt;
}

/** The LT connects on PSM 3 with SCID 0x0050; the IUT is in CONFIG (its ConfigReq id 1). */
function incomingConfig(opts = {}): LowerTester {
  const lt = new LowerTester(opts, [PSM.RFCOMM]);
  lt.signal('02 71 04 00 03 00 50 00');
  lt.sent();
  return lt;
}

describe('L2CAP channel edges, driven through the manager', () => {
  it('incoming, opened, reconfigured by the IUT, closed by the peer', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM, 0x0050);
    lt.l2.reconfigure(cid, { mtu: 500 }, lt.now);
    const req = lt.sent()[0].split(' ')[1];
    lt.signal(`05 ${req} 06 00 40 00 00 00 00 00`);
    lt.signal('04 73 08 00 40 00 00 00 01 02 30 00');
    lt.signal('06 74 04 00 40 00 50 00');
    const p = path(lt);
    expect(p).toEqual([
      'CLOSED -L2CAP_ConnectReq-> CONFIG',
      'CONFIG -Config_Complete-> OPEN',
      'OPEN -ConfigureChannel_Req-> CONFIG',
      'CONFIG -Config_Complete-> OPEN',
      'OPEN -L2CAP_DisconnectReq-> CLOSED',
    ]);
    record(p);
  });

  it('held pending, accepted, closed by the peer in CONFIG', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.l2.holdIncoming(PSM.RFCOMM, 1);
    lt.signal('02 71 04 00 03 00 50 00');
    lt.l2.acceptPending(0x40, lt.now);
    lt.signal('06 74 04 00 40 00 50 00');
    const p = path(lt);
    expect(p).toEqual(['CLOSED -L2CAP_ConnectReq_Pending-> WAIT_CONNECT', 'WAIT_CONNECT -OpenChannel_Rsp-> CONFIG', 'CONFIG -L2CAP_DisconnectReq-> CLOSED']);
    record(p);
  });

  it('held pending and refused; held pending and closed by the peer; held pending and the link lost', () => {
    for (const [end, line] of [
      [(lt: LowerTester) => lt.l2.refusePending(0x40, 3, lt.now), 'WAIT_CONNECT -OpenChannel_RspNeg-> CLOSED'],
      [(lt: LowerTester) => lt.signal('06 74 04 00 40 00 50 00'), 'WAIT_CONNECT -L2CAP_DisconnectReq-> CLOSED'],
      [(lt: LowerTester) => lt.l2.linkDown(HANDLE, lt.now), 'WAIT_CONNECT -Link_Down-> CLOSED'],
    ] as const) {
      const lt = new LowerTester({}, [PSM.RFCOMM]);
      lt.l2.holdIncoming(PSM.RFCOMM, 1);
      lt.signal('02 71 04 00 03 00 50 00');
      end(lt);
      const p = path(lt);
      expect(p).toEqual(['CLOSED -L2CAP_ConnectReq_Pending-> WAIT_CONNECT', line]);
      record(p);
    }
  });

  it('outgoing: accepted, then CONFIG timed out (ConfigReq unanswered), then the DisconnReq timed out', () => {
    const lt = connecting({ configRetransmissions: 0 });
    lt.signal('03 01 08 00 41 00 40 00 00 00 00 00');
    lt.advance();
    lt.advance();
    const p = path(lt);
    expect(p).toEqual(['CLOSED -OpenChannel_Req-> WAIT_CONNECT_RSP', 'WAIT_CONNECT_RSP -L2CAP_ConnectRsp-> CONFIG', 'CONFIG -Timeout-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -Timeout-> CLOSED']);
    record(p);
  });

  it('outgoing: refused, rejected, unanswered, link lost', () => {
    for (const [end, line] of [
      [(lt: LowerTester) => lt.signal('03 01 08 00 00 00 40 00 02 00 00 00'), 'WAIT_CONNECT_RSP -L2CAP_ConnectRspNeg-> CLOSED'],
      [(lt: LowerTester) => lt.signal('01 01 02 00 00 00'), 'WAIT_CONNECT_RSP -L2CAP_CommandReject-> CLOSED'],
      [(lt: LowerTester) => lt.advance(), 'WAIT_CONNECT_RSP -Timeout-> CLOSED'],
      [(lt: LowerTester) => lt.l2.linkDown(HANDLE, lt.now), 'WAIT_CONNECT_RSP -Link_Down-> CLOSED'],
    ] as const) {
      const lt = connecting();
      end(lt);
      const p = path(lt);
      expect(p).toEqual(['CLOSED -OpenChannel_Req-> WAIT_CONNECT_RSP', line]);
      record(p);
      expect(lt.events()).toMatchObject([{ type: 'connect-failed', cid: 0x40 }]);
    }
  });

  it('outgoing, closed before the peer answered: DisconnReq as the ConnRsp arrives, then the DisconnRsp', () => {
    const lt = connecting();
    lt.l2.disconnect(0x40, lt.now);
    lt.signal('03 01 08 00 41 00 40 00 00 00 00 00');
    expect(lt.sent()).toEqual(['06 02 04 00 41 00 40 00']);
    lt.signal('07 02 04 00 41 00 40 00');
    const p = path(lt);
    expect(p).toEqual(['CLOSED -OpenChannel_Req-> WAIT_CONNECT_RSP', 'WAIT_CONNECT_RSP -L2CAP_ConnectRsp_Closing-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -L2CAP_DisconnectRsp-> CLOSED']);
    record(p);
  });

  it('CONFIG: our ConfigReq refused, then our DisconnReq rejected', () => {
    const lt = incomingConfig();
    lt.signal('05 01 06 00 40 00 00 00 02 00');
    expect(lt.sent()).toEqual(['06 02 04 00 50 00 40 00']);
    lt.signal('01 02 02 00 00 00');
    const p = path(lt);
    expect(p).toEqual(['CLOSED -L2CAP_ConnectReq-> CONFIG', 'CONFIG -L2CAP_ConfigRspNeg-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -L2CAP_CommandReject-> CLOSED']);
    record(p);
  });

  it('CONFIG: closed here, then the peer disconnects too', () => {
    const lt = incomingConfig();
    lt.l2.disconnect(0x40, lt.now);
    lt.signal('06 74 04 00 40 00 50 00');
    const p = path(lt);
    expect(p).toEqual(['CLOSED -L2CAP_ConnectReq-> CONFIG', 'CONFIG -CloseChannel_Req-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -L2CAP_DisconnectReq-> CLOSED']);
    record(p);
  });

  it('CONFIG and OPEN: the link lost', () => {
    const lt = incomingConfig();
    lt.l2.linkDown(HANDLE, lt.now);
    const open = new LowerTester({}, [PSM.RFCOMM]);
    open.openIncoming(PSM.RFCOMM, 0x0050);
    open.l2.linkDown(HANDLE, open.now);
    record(path(lt));
    record(path(open));
    expect(path(lt)).toEqual(['CLOSED -L2CAP_ConnectReq-> CONFIG', 'CONFIG -Link_Down-> CLOSED']);
    expect(path(open).at(-1)).toBe('OPEN -Link_Down-> CLOSED');
  });

  it('OPEN: closed here, then the link lost in WAIT_DISCONNECT', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM, 0x0050);
    lt.l2.disconnect(cid, lt.now);
    lt.l2.linkDown(HANDLE, lt.now);
    const p = path(lt);
    expect(p.slice(-2)).toEqual(['OPEN -CloseChannel_Req-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -Link_Down-> CLOSED']);
    record(p);
  });

  it('OPEN: closed here with no signaling identifier free: CLOSED at once', () => {
    const lt = new LowerTester({ maxOutstandingRequests: 1 }, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM, 0x0050);
    lt.l2.echo(HANDLE, Uint8Array.of(1), lt.now);
    lt.l2.disconnect(cid, lt.now);
    const p = path(lt);
    expect(p.slice(-2)).toEqual(['OPEN -CloseChannel_Req-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -No_Identifier-> CLOSED']);
    record(p);
  });

  it('reconfiguring with an SDU queued and the close waiting for it: the configuration timer, then the SDU goes and a second DisconnReq follows', () => {
    const lt = new LowerTester({ configTimeoutMs: 1000, closeLingerMs: 60_000 }, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM, 0x0050);
    lt.l2.reconfigure(cid, {}, lt.now);
    lt.l2.send(cid, Uint8Array.of(7));
    lt.l2.disconnect(cid, lt.now);
    lt.advance(1000);
    expect(lt.frames().map((f) => f.payload)).toEqual(['04 02 08 00 50 00 00 00 01 02 a0 02', '06 03 04 00 50 00 40 00', '07', '06 04 04 00 50 00 40 00']);
    const p = path(lt);
    expect(p.slice(-3)).toEqual(['OPEN -ConfigureChannel_Req-> CONFIG', 'CONFIG -Timeout-> WAIT_DISCONNECT', 'WAIT_DISCONNECT -CloseChannel_Req-> WAIT_DISCONNECT']);
    record(p);
  });

  it('the scenarios above drove every edge of the table', () => {
    const all = tableEdges(CHANNEL_TRANSITIONS).map(({ from, event, to }) => `${from} -${event}-> ${to}`);
    expect(all.filter((e) => !covered.has(e))).toEqual([]);
  });
});

describe('holdIncoming: incoming channels answered pending, decided through the API', () => {
  it('a held PSM answers pending with the status and reports incoming-pending; released, it accepts at once again', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.l2.holdIncoming(PSM.RFCOMM, 2);
    lt.signal('02 71 04 00 03 00 50 00');
    expect(lt.sent()).toEqual(['03 71 08 00 40 00 50 00 01 00 02 00']);
    expect(lt.events()).toMatchObject([{ type: 'incoming-pending', cid: 0x40, psm: PSM.RFCOMM }]);
    lt.l2.holdIncoming(PSM.RFCOMM, undefined);
    lt.signal('02 72 04 00 03 00 51 00');
    expect(lt.sent()[0]).toBe('03 72 08 00 41 00 51 00 00 00 00 00');
  });

  it('refuses an invalid PSM or status', () => {
    const lt = new LowerTester();
    expect(() => lt.l2.holdIncoming(0x0002, 1)).toThrow(ArgumentError);
    expect(() => lt.l2.holdIncoming(PSM.RFCOMM, 0x10000)).toThrow(ArgumentError);
  });
});
