/** Multiplexer and DLC state machines: timers, teardown races, P/F rules, local misuse. */
import { describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError } from '../../src/core/index.js';
import { RfcommManager } from '../../src/rfcomm/index.js';
import { LowerTester, SID, fcs } from './support/lower-tester.js';

function initiator(): LowerTester {
  const lt = new LowerTester();
  lt.rf.sessionUp(SID, { initiator: true, l2capMtu: 133 }, 0);
  lt.tx();
  return lt;
}

describe('timers', () => {
  it('T1 on SABM DLCI 0: waiting DLCs time out and the session closes', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, 0);
    expect(lt.rf.pollTimeout()).toBe(20_000);
    lt.advance(19_999);
    expect(lt.events()).toEqual([]);
    lt.advance(1);
    expect(lt.events()).toEqual([
      { type: 'dlc-closed', dlcId: id, reason: 'timeout', message: expect.any(String), unsent: 0, timer: 'T1' },
      { type: 'session-closed', sessionId: SID },
    ]);
  });

  it('DM on DLCI 0 refuses the session', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, 0);
    lt.send('03 1f 01 36');
    expect(lt.events()).toEqual([
      { type: 'dlc-closed', dlcId: id, reason: 'refused', message: expect.any(String), unsent: 0, frame: 'DM' },
      { type: 'session-closed', sessionId: SID },
    ]);
  });

  it('T2 on PN closes the DLC with timeout; T1 on SABM likewise', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, 0);
    lt.send('03 73 01 d7');
    lt.tx();
    lt.advance(20_000);
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId: id, reason: 'timeout', message: expect.any(String), unsent: 0, timer: 'T2' }]);
    const id2 = lt.rf.connect(SID, 3, lt.now);
    lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa');
    expect(lt.tx()).toEqual(['03 ef 15 83 11 06 f0 00 00 7f 00 00 07 70', '1b 3f 01 d3']);
    lt.advance(60_000);
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId: id2, reason: 'timeout', message: expect.any(String), unsent: 0, timer: 'T1' }]);
  });

  it('a peer that never sends MSC: the DLC opens when T2 passes', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, 0);
    lt.send('03 73 01 d7');
    lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa');
    lt.send('1b 73 01 18');
    lt.tx();
    expect(lt.events()).toEqual([]);
    lt.advance(20_000);
    expect(lt.events()).toMatchObject([{ type: 'dlc-open', dlcId: id }]);
  });

  it('data before any MSC opens the DLC first, then delivers', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70');
    lt.send('0b 3f 01 59');
    lt.send('0b ef 07 61 62 63 9a');
    expect(lt.events().map((e) => e.type)).toEqual(['dlc-open', 'dlc-data']);
  });

  it('the responder closes the idle session too, and T1 ends a silent DISC', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.rf.close(dlcId, lt.now);
    expect(lt.tx()).toEqual(['09 53 01 d9']);
    lt.send('09 73 01 ' + fcs('09 73 01'));
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId, reason: 'disconnected', message: 'closed', unsent: 0 }]);
    lt.advance(1_000);
    expect(lt.tx()).toEqual(['01 53 01 9c']);
    lt.advance(20_000);
    expect(lt.events()).toEqual([{ type: 'session-closed', sessionId: SID }]);
  });
});

describe('more timers', () => {
  it('close with data that cannot leave within closeLingerMs (no credits): DISC, and the close says how many bytes were never sent', () => {
    const { lt, dlcId } = LowerTester.withDlc({ closeLingerMs: 5_000 }, '03 ef 15 83 11 02 f0 00 00 7f 00 00 00 70');
    expect(lt.rf.write(dlcId, new Uint8Array(1000))).toBe(1000);
    lt.rf.close(dlcId, lt.now);
    expect(lt.tx()).toEqual([]);
    lt.advance(5_000);
    expect(lt.tx()).toEqual(['09 53 01 d9']);
    lt.send('09 73 01 ' + fcs('09 73 01'));
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId, reason: 'disconnected', message: 'closed; 1000 byte(s) written were never sent', unsent: 1000 }]);
  });

  it('T1 on a DLC DISC: no answer in 60 s closes the DLC with timeout', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.rf.close(dlcId, lt.now);
    expect(lt.tx()).toEqual(['09 53 01 d9']);
    expect(lt.rf.pollTimeout()).toBe(lt.now + 60_000);
    lt.advance(59_999);
    expect(lt.events()).toEqual([]);
    lt.advance(1);
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId, reason: 'timeout', message: expect.any(String), unsent: 0, timer: 'T1' }]);
  });

  it.each([
    ['RPN', (lt: LowerTester) => lt.rf.sendRpn(SID, 2, undefined, lt.now), '03 ef 15 91 11 0b 03 03 00 11 13 7f 3f 70'],
    ['RLS', (lt: LowerTester) => lt.rf.sendRls(SID, 2, 0x03, lt.now), '03 ef 09 51 05 0b 03 70'],
    ['FCon', (lt: LowerTester) => lt.rf.sendFlowControl(SID, true, lt.now), '03 ef 05 a1 01 70'],
    ['FCoff', (lt: LowerTester) => lt.rf.sendFlowControl(SID, false, lt.now), '03 ef 05 61 01 70'],
  ])('T2 of our %s command is cleared by its response', (_name, send, response) => {
    const { lt } = LowerTester.withDlc();
    expect(lt.rf.pollTimeout()).toBeUndefined();
    send(lt);
    lt.tx();
    expect(lt.rf.pollTimeout()).toBe(lt.now + 20_000);
    lt.send(response);
    expect(lt.tx()).toEqual([]);
    expect(lt.rf.pollTimeout()).toBeUndefined();
  });
});

describe('session leaks', () => {
  it('a PN with no SABM after it is forgotten after dlcAckTimeoutMs; then the idle session closes', () => {
    const lt = LowerTester.responder({ maxDlcsPerSession: 1, reportDiagnostics: true });
    lt.rf.registerServerChannel(2);
    lt.send('03 ef 15 83 11 02 f0 07 00 40 00 00 07 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 40 00 00 07 aa']);
    // The pending PN holds the only DLC slot of the session.
    lt.send('13 3f 01 96');
    expect(lt.tx()).toEqual(['13 1f 01 bc']);
    lt.events();
    lt.advance(59_999);
    expect(lt.tx()).toEqual([]);
    lt.advance(1);
    expect(lt.events()).toEqual([{ type: 'diagnostic', sessionId: SID, message: 'PN for DLCI 2 forgotten: no SABM followed within dlcAckTimeoutMs' }]);
    // The slot is free again, and the forgotten PN (N1 64, CBFC) no longer applies.
    lt.send('0b 3f 01 59');
    expect(lt.tx()[0]).toBe('0b 73 01 92');
    lt.send('03 ef 09 e3 05 0b 8d 70');
    expect(lt.events().find((e) => e.type === 'dlc-open')).toMatchObject({ dlci: 2, n1: 127 });
  });

  it('a forgotten PN lets the session idle out', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70');
    lt.tx();
    lt.advance(60_000);
    expect(lt.tx()).toEqual([]);
    lt.advance(1_000);
    expect(lt.tx()).toEqual(['01 53 01 9c']);
  });

  it('RPN settings of a DLCI never opened are forgotten with the same timer', () => {
    const { lt } = LowerTester.withDlc();
    lt.rf.registerServerChannel(2);
    lt.send('03 ef 15 93 11 13 05 03 00 11 13 01 00 70');
    lt.tx();
    lt.advance(59_999);
    lt.send('03 ef 07 93 03 13 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 13 05 03 00 11 13 7f 3f aa']);
    lt.advance(1);
    lt.send('03 ef 07 93 03 13 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 13 03 03 00 11 13 7f 3f aa']);
  });

  it('a session the peer opens and never uses is closed after dlcAckTimeoutMs', () => {
    const lt = LowerTester.responder();
    expect(lt.rf.pollTimeout()).toBe(60_000);
    lt.advance(59_999);
    expect(lt.tx()).toEqual([]);
    lt.advance(1);
    expect(lt.tx()).toEqual(['01 53 01 9c']);
    lt.send('03 73 01 d7');
    expect(lt.events()).toEqual([{ type: 'session-closed', sessionId: SID }]);
  });

  it('a PN or a SABM from the peer, or our own connect, keeps that session open', () => {
    const pn = LowerTester.responder();
    pn.advance(30_000);
    pn.send('03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70');
    pn.advance(30_000);
    expect(pn.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 07 aa']);
    const { lt } = LowerTester.withDlc();
    lt.advance(120_000);
    expect(lt.tx()).toEqual([]);
    const own = LowerTester.responder();
    const id = own.rf.connect(SID, 3, own.now);
    expect(own.tx()).toEqual(['01 ef 15 83 11 07 f0 00 00 9a 02 00 07 aa']);
    own.send('03 ef 15 81 11 07 e0 00 00 9a 02 00 07 70');
    own.send('1d 73 01 ' + fcs('1d 73 01'));
    own.advance(60_000);
    own.advance(60_000);
    expect(own.tx()).not.toContain('01 53 01 9c');
    expect(own.rf.dlcInfo(id)).toMatchObject({ state: 'connected', open: true });
    expect(own.rf.sessionInfo(SID)!.state).toBe('open');
  });
});

describe('teardown races and P/F rules', () => {
  it('UIH after our DISC gets DM F=0, then the UA closes the DLC (capture behaviour)', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.rf.close(dlcId, lt.now);
    expect(lt.tx()).toEqual(['09 53 01 d9']);
    lt.send('0b ef 07 61 62 63 9a');
    expect(lt.tx()).toEqual(['0b 0f 01 66']);
    expect(lt.events()).toEqual([]);
    lt.send('09 73 01 ' + fcs('09 73 01'));
    expect(lt.events()).toMatchObject([{ type: 'dlc-closed', dlcId, reason: 'disconnected' }]);
  });

  it('a UI frame: its FCS covers the information field too (TS 07.10 §5.3.6); RFCOMM does not use UI, so it is discarded and counted', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('0b 03 07 61 62 63 ' + fcs('0b 03 07 61 62 63'));
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.stats(SID)!.drops).toMatchObject({ unexpected: 1, badFcs: 0 });
    lt.send('0b 03 07 61 62 63 ' + fcs('0b 03'));
    expect(lt.rf.stats(SID)!.drops).toMatchObject({ unexpected: 1, badFcs: 1 });
  });

  it('SABM and DISC with P=0 are discarded', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('0b 2f 01 ' + fcs('0b 2f 01'));
    lt.send('0b 43 01 ' + fcs('0b 43 01'));
    expect(lt.tx()).toEqual([]);
    expect(lt.rf.stats(SID)!.drops.pfZero).toBe(2);
  });

  it('frames on a DLC before the session is open get DM', () => {
    const lt = new LowerTester();
    lt.rf.registerServerChannel(1);
    lt.rf.sessionUp(SID, { initiator: false, l2capMtu: 672 }, 0);
    lt.send('0b 3f 01 59');
    expect(lt.tx()).toEqual(['0b 1f 01 ' + fcs('0b 1f 01')]);
  });

  it('PN to an unregistered channel gets DM; PN on an open DLC echoes the current parameters', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('03 ef 15 83 11 04 f0 07 00 7f 00 00 07 70');
    expect(lt.tx()).toEqual(['13 0f 01 ' + fcs('13 0f 01')]);
    lt.send('03 ef 15 83 11 02 f0 07 00 10 00 00 07 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 00 aa']);
  });

  it('maxDlcsPerSession refuses the next SABM', () => {
    const lt = LowerTester.responder({ maxDlcsPerSession: 1 });
    lt.rf.registerServerChannel(2);
    lt.send('0b 3f 01 59');
    expect(lt.tx()[0]).toBe('0b 73 01 92');
    lt.send('13 3f 01 96');
    expect(lt.tx()).toEqual(['13 1f 01 bc']);
  });

  it('sessionDown closes every DLC with session-closed and sends nothing', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.rf.write(dlcId, new Uint8Array(10));
    lt.rf.sessionDown(SID, lt.now);
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toMatchObject([{ type: 'dlc-closed', dlcId, reason: 'session-closed' }]);
    expect(lt.rf.pollTimeout()).toBeUndefined();
  });
});

describe('local misuse', () => {
  it('throws ArgumentError / InvalidStateError', () => {
    const rf = new RfcommManager();
    expect(() => rf.registerServerChannel(0)).toThrow(ArgumentError);
    expect(() => rf.registerServerChannel(31)).toThrow(ArgumentError);
    rf.registerServerChannel(1);
    expect(() => rf.registerServerChannel(1)).toThrow(InvalidStateError);
    expect(rf.allocateServerChannel()).toBe(2);
    expect(() => rf.connect(9, 1, 0)).toThrow(InvalidStateError);
    expect(() => rf.write(99, new Uint8Array(1))).toThrow(InvalidStateError);
    expect(() => new RfcommManager({ rxCredits: 8 })).toThrow(ArgumentError);
    rf.sessionUp(5, { initiator: true, l2capMtu: 672 }, 0);
    rf.connect(5, 3, 0);
    expect(() => rf.connect(5, 3, 0)).toThrow(InvalidStateError);
    expect(() => rf.sendTest(5, new Uint8Array(1), 0)).toThrow(InvalidStateError);
  });
});

describe('research helpers', () => {
  it('sendTest / sendRpn / sendRls / sendMsc / sendFlowControl and the mcc event', () => {
    const { lt } = LowerTester.withDlc({ reportMcc: true });
    lt.rf.sendTest(SID, Uint8Array.of(1, 2, 3), lt.now);
    lt.rf.sendRpn(SID, 2, undefined, lt.now);
    lt.rf.sendRls(SID, 2, 0x03, lt.now);
    lt.rf.sendMsc(SID, 2, 0x8d, 0x31, lt.now);
    lt.rf.sendFlowControl(SID, false, lt.now);
    expect(lt.tx()).toEqual([
      '01 ef 0b 23 07 01 02 03 aa',
      '01 ef 07 93 03 0b aa',
      '01 ef 09 53 05 0b 03 aa',
      '01 ef 0b e3 07 0b 8d 31 aa',
      '01 ef 05 63 01 aa',
    ]);
    expect(lt.rf.pollTimeout()).toBe(lt.now + 20_000);
    lt.send('03 ef 0b 21 07 01 02 03 70');
    expect(lt.events()).toEqual([{ type: 'mcc', sessionId: SID, mcc: { type: 'Test', cr: false, pattern: Uint8Array.of(1, 2, 3) } }]);
    lt.rf.inject(SID, Uint8Array.of(0xde, 0xad));
    expect(lt.tx()).toEqual(['de ad']);
  });
});

describe('NSC from the peer', () => {
  it('an NSC for our MSC opens the DLC and clears T2', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, 0);
    lt.send('03 73 01 d7');
    lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa');
    lt.send('1b 73 01 18');
    lt.tx();
    lt.send('01 ef 07 11 03 e3 aa');
    expect(lt.events()).toMatchObject([{ type: 'dlc-open', dlcId: id }]);
    expect(lt.rf.pollTimeout()).toBeUndefined();
  });
});

describe('multiplexer roles', () => {
  it('connect on a session the peer has not started makes this side the initiator; a crossing SABM 0 gets DM', () => {
    const lt = new LowerTester();
    lt.rf.sessionUp(SID, { initiator: false, l2capMtu: 672 }, 0);
    const id = lt.rf.connect(SID, 3, 0);
    expect(lt.tx()).toEqual(['03 3f 01 1c']);
    lt.send('03 3f 01 1c');
    expect(lt.tx()).toEqual(['01 1f 01 57']); // DM is a response: C/R = 0 from the initiator
    lt.send('03 73 01 d7');
    expect(lt.tx()[0]).toMatch(/^03 ef 15 83 11 06 f0/);
    expect(lt.rf.sessionInfo(SID)).toMatchObject({ state: 'open', initiator: true });
    expect(lt.rf.dlcInfo(id)).toMatchObject({ dlci: 6, state: 'pn-sent' });
  });
});

describe('MSC flow control bit', () => {
  it('without CBFC the peer MSC FC=1 pauses our data and FC=0 resumes it', () => {
    const { lt, dlcId } = LowerTester.withDlc({}, '03 ef 15 83 11 02 00 07 00 7f 00 00 00 70');
    lt.send('03 ef 09 e3 05 0b 8f 70');
    expect(lt.tx()).toEqual(['01 ef 09 e1 05 0b 8f aa']);
    lt.rf.write(dlcId, Uint8Array.of(0x78, 0x79, 0x7a));
    expect(lt.tx()).toEqual([]);
    lt.send('03 ef 09 e3 05 0b 8d 70');
    expect(lt.tx()).toEqual(['01 ef 09 e1 05 0b 8d aa', '09 ef 07 78 79 7a 40']);
  });

  it('under CBFC the MSC FC bit and FCoff do not stop data (RFCOMM 1.2 §6.5)', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.send('03 ef 09 e3 05 0b 8f 70');
    lt.send('03 ef 05 63 01 70');
    lt.tx();
    lt.rf.write(dlcId, Uint8Array.of(0x78, 0x79, 0x7a));
    expect(lt.tx()).toEqual(['09 ef 07 78 79 7a 40']);
  });
});

describe('close with data the peer will not take', () => {
  it('waits closeLingerMs for credits, then drops the queue and sends DISC', () => {
    const { lt, dlcId } = LowerTester.withDlc({ closeLingerMs: 5_000 }, '03 ef 15 83 11 02 f0 07 00 7f 00 00 00 70');
    expect(lt.rf.write(dlcId, Uint8Array.of(1, 2, 3))).toBe(3);
    lt.rf.close(dlcId, lt.now);
    expect(lt.tx()).toEqual([]);
    expect(() => lt.rf.write(dlcId, Uint8Array.of(4))).toThrow(InvalidStateError);
    lt.advance(4_999);
    expect(lt.tx()).toEqual([]);
    lt.advance(1);
    expect(lt.tx()).toEqual(['09 53 01 d9']);
    expect(lt.rf.dlcInfo(dlcId)).toMatchObject({ state: 'disc-sent', txQueued: 0 });
  });
});
