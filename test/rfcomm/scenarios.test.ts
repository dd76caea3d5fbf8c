/** Conformance scenarios R1–R29 (docs/conformance.md, rules P1–P11) with exact bytes, LT = scripted lower tester. */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { V24 } from '../../src/rfcomm/wire/index.js';
import { LowerTester, SID, dataOf, fcs } from './support/lower-tester.js';

const PN_CBFC = '03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70';

describe('RFCOMM scenarios, IUT as responder (LT initiator, server channel 1 = DLCI 2)', () => {
  it('R1 start session', () => {
    const lt = new LowerTester();
    lt.rf.registerServerChannel(1);
    lt.rf.sessionUp(SID, { initiator: false, l2capMtu: 672 }, 0);
    expect(lt.tx()).toEqual([]);
    lt.send('03 3f 01 1c');
    expect(lt.tx()).toEqual(['03 73 01 d7']);
    expect(lt.rf.sessionInfo(SID)?.state).toBe('open');
  });

  it('R2 session refused by policy', () => {
    const lt = new LowerTester({ acceptSessions: false });
    lt.rf.sessionUp(SID, { initiator: false, l2capMtu: 672 }, 0);
    lt.send('03 3f 01 1c');
    expect(lt.tx()).toEqual(['03 1f 01 36']);
    expect(lt.events()).toEqual([{ type: 'session-closed', sessionId: SID }]);
  });

  it('R3 PN with CBFC: CL 0xE, N1 kept, K = initial credits', () => {
    const lt = LowerTester.responder();
    lt.send(PN_CBFC);
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 07 aa']);
    const big = LowerTester.responder({}, 1021);
    big.send('03 ef 15 83 11 02 f0 00 00 de 03 00 07 70'); // the real capture: N1 990
    expect(big.tx()).toEqual(['01 ef 15 81 11 02 e0 00 00 de 03 00 07 aa']);
  });

  it('R4 PN without CBFC: CL 0, a UIH with P/F=1 then carries no credit octet', () => {
    const lt = LowerTester.responder({ rxCredits: 3 });
    lt.send('03 ef 15 83 11 02 00 07 00 7f 00 00 07 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 00 07 00 7f 00 00 00 aa']);
    lt.send('0b 3f 01 59');
    lt.send('03 ef 09 e3 05 0b 8d 70');
    lt.tx();
    const open = lt.events().find((e) => e.type === 'dlc-open');
    expect(open).toBeDefined();
    lt.send('0b ff 07 61 62 63 86');
    expect(dataOf(lt.events())).toBe('abc');
    expect(lt.rf.dlcInfo(open?.type === 'dlc-open' ? open.dlcId : 0)?.creditBasedFlowControl).toBe(false);
  });

  it('R5 PN N1 above the IUT maximum is lowered to the L2CAP MTU − 6', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 02 f0 07 00 ff 7f 00 07 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 9a 02 00 07 aa']); // 666 = 672 − 6
  });

  it('R3 PN with K above 7 (octet 0xff): K is masked to 3 bits, 7 initial credits', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 02 f0 07 00 7f 00 00 ff 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 07 aa']);
    lt.send('0b 3f 01 59');
    lt.send('03 ef 09 e3 05 0b 8d 70');
    const open = lt.events().find((e) => e.type === 'dlc-open');
    expect(lt.rf.dlcInfo(open?.type === 'dlc-open' ? open.dlcId : 0)).toMatchObject({ creditBasedFlowControl: true, txCredits: 7 });
  });

  it('R6 PN N1 = 0 is answered with a usable N1 (127)', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 02 f0 07 00 00 00 00 07 70');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 07 aa']);
  });

  it('R7 open DLC: UA, then the IUT MSC', () => {
    const lt = LowerTester.responder();
    lt.send(PN_CBFC);
    lt.tx();
    lt.send('0b 3f 01 59');
    const out = lt.tx();
    expect(out[0]).toBe('0b 73 01 92');
    expect(out[1]).toBe('01 ef 09 e3 05 0b 8d aa');
  });

  it('R8 SABM to an unregistered channel gets DM F=1', () => {
    const lt = LowerTester.responder();
    lt.send('13 3f 01 96');
    expect(lt.tx()).toEqual(['13 1f 01 bc']);
    expect(lt.events()).toEqual([]);
  });

  it('R9 SABM with no PN first: UA with defaults (N1 127, no CBFC)', () => {
    const lt = LowerTester.responder();
    lt.send('0b 3f 01 59');
    expect(lt.tx()[0]).toBe('0b 73 01 92');
    lt.send('03 ef 09 e1 05 0b 8d 70');
    const open = lt.events().find((e) => e.type === 'dlc-open');
    expect(open).toMatchObject({ type: 'dlc-open', dlci: 2, n1: 127, serverChannel: 1, incoming: true });
  });

  it('R10 MSC exchange before data', () => {
    const lt = LowerTester.responder();
    lt.send(PN_CBFC);
    lt.send('0b 3f 01 59');
    expect(lt.tx()).toContain('01 ef 09 e3 05 0b 8d aa');
    expect(lt.events()).toEqual([]);
    lt.send('03 ef 09 e3 05 0b 8d 70');
    expect(lt.tx()).toEqual(['01 ef 09 e1 05 0b 8d aa']);
    lt.send('03 ef 09 e1 05 0b 8d 70');
    expect(lt.tx()).toEqual([]);
    const ev = lt.events();
    expect(ev).toHaveLength(2);
    expect(ev[0]).toMatchObject({ type: 'dlc-open', dlci: 2, n1: 127 });
    expect(ev[1]).toEqual({ type: 'dlc-signals', dlcId: ev[0].type === 'dlc-open' ? ev[0].dlcId : -1, signals: 0x8d });
  });

  it('R10 the peer MSC with a break octet is answered byte for byte and reported with its break', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    // Break octet 0x31: B1 (bit 1) = 0, so per TS 07.10 §5.4.6.3.7 it encodes no break.
    lt.send('03 ef 0b e3 07 0b 8d 31 70');
    expect(lt.tx()).toEqual(['01 ef 0b e1 07 0b 8d 31 aa']);
    expect(lt.events()).toEqual([{ type: 'dlc-signals', dlcId, signals: 0x8d }]);
    // Break octet 0x33: B1 = 1, length 3 × 200 ms; signals FC off, RTC, RTR, IC, DV.
    lt.send('03 ef 0b e3 07 0b cd 33 70');
    expect(lt.tx()).toEqual(['01 ef 0b e1 07 0b cd 33 aa']);
    expect(lt.events()).toEqual([{ type: 'dlc-signals', dlcId, signals: 0xcd, breakMs: 600 }]);
  });

  it('R10 our own signals and a break go out in MSC commands: DTR dropped, then a 600 ms break that keeps it dropped', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.rf.setSignals(dlcId, V24.RTR | V24.DV, lt.now);
    expect(lt.tx()).toEqual(['01 ef 09 e3 05 0b 89 aa']);
    lt.send('03 ef 09 e1 05 0b 89 70');
    lt.rf.setSignals(dlcId, V24.RTR | V24.DV, lt.now, 600);
    expect(lt.tx()).toEqual(['01 ef 0b e3 07 0b 89 33 aa']);
    lt.send('03 ef 0b e1 07 0b 89 33 70');
    expect(lt.events()).toEqual([]);
    expect(() => lt.rf.setSignals(dlcId, 0x100, lt.now)).toThrow(/V.24 signals are one octet/);
    expect(() => lt.rf.setSignals(dlcId, V24.DV, lt.now, 3200)).toThrow(/a break lasts 0 to 3000 ms/);
    expect(() => lt.rf.setSignals(dlcId + 100, V24.DV, lt.now)).toThrow(/is not open/);
  });

  it('R11 credit grant only: no data, tx credits += 5', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    const before = lt.rf.dlcInfo(dlcId)!.txCredits;
    lt.send('0b ff 01 05 86');
    expect(lt.events()).toEqual([]);
    expect(lt.rf.dlcInfo(dlcId)!.txCredits).toBe(before + 5);
    expect(lt.rf.dlcInfo(dlcId)!.rxCredits).toBe(255);
  });

  it('R12 data under credits, credit top-up and IUT data', () => {
    const { lt, dlcId } = LowerTester.withDlc({ maxRxBytes: 14 * 127 });
    lt.send('0b ef 07 61 62 63 9a');
    lt.send('0b ff 07 03 61 62 63 86');
    expect(dataOf(lt.events())).toBe('abcabc');
    expect(lt.rf.dlcInfo(dlcId)!.txCredits).toBe(10);
    lt.rf.consume(dlcId, 6, lt.now);
    expect(lt.rf.write(dlcId, fromHex('78797a'))).toBe(3);
    expect(lt.tx()).toEqual(['09 ef 07 78 79 7a 40']);
    expect(lt.rf.dlcInfo(dlcId)!.rxCredits).toBe(12);
  });

  it('R12 credit top-up alone after open', () => {
    const lt = LowerTester.responder({ maxRxBytes: 14 * 127 });
    lt.send(PN_CBFC);
    lt.send('0b 3f 01 59');
    expect(lt.tx()).toEqual(['01 ef 15 81 11 02 e0 07 00 7f 00 00 07 aa', '0b 73 01 92', '01 ef 09 e3 05 0b 8d aa', '09 ff 01 07 5c']);
  });

  it('R13 IUT out of credits stops and resumes after a grant', () => {
    const { lt, dlcId } = LowerTester.withDlc({}, '03 ef 15 83 11 02 f0 07 00 7f 00 00 02 70');
    lt.rf.write(dlcId, new Uint8Array(127 * 5).fill(0x41));
    const first = lt.tx().filter((f) => f.startsWith('09 ef') || f.startsWith('09 ff'));
    expect(first.filter((f) => f.length > 20)).toHaveLength(2);
    expect(lt.rf.dlcInfo(dlcId)!.txCredits).toBe(0);
    lt.send('0b ff 01 03 86');
    const second = lt.tx();
    expect(second).toHaveLength(3);
    expect(lt.rf.dlcInfo(dlcId)!.txQueued).toBe(0);
  });

  it('R14 UIH P/F=1 with no credit octet is discarded', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    const before = lt.rf.dlcInfo(dlcId)!.txCredits;
    lt.send('0b ff 01 86');
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.dlcInfo(dlcId)!.txCredits).toBe(before);
    expect(lt.rf.stats(SID)!.drops.malformed).toBe(1);
  });

  it('R15 credit overflow saturates at 0xFFFF', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    for (let i = 0; i < 600; i++) lt.send('0b ff 01 ff 86');
    expect(lt.rf.dlcInfo(dlcId)!.txCredits).toBe(0xffff);
    lt.send('03 ef 0d 23 09 50 54 53 21 70');
    expect(lt.tx()).toEqual(['01 ef 0d 21 09 50 54 53 21 aa']);
  });

  it('R16 bad FCS: silent discard', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('0b ef 07 61 62 63 65');
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.stats(SID)!.drops.badFcs).toBe(1);
  });

  it('R17 unsupported MCC (CLD) gets NSC echoing the type octet', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 05 c3 01 70');
    expect(lt.tx()).toEqual(['01 ef 07 11 03 c3 aa']);
    expect(lt.rf.stats(SID)!.nscSent).toBe(1);
  });

  it('R17 unsupported MCC PSC, SNC and an unassigned type get NSC echoing the type octet', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 05 43 01 70'); // PSC, type code 0x10 (TS 07.10 §5.4.6.3.3)
    lt.send('03 ef 07 d3 03 0b 70'); // SNC, type code 0x34 (§5.4.6.3.11), DLCI 2
    lt.send('03 ef 05 ff 01 70'); // type code 0x3f: unassigned
    expect(lt.tx()).toEqual(['01 ef 07 11 03 43 aa', '01 ef 07 11 03 d3 aa', '01 ef 07 11 03 ff aa']);
    expect(lt.rf.stats(SID)!.nscSent).toBe(3);
  });

  it('R18 Test command is echoed', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 0d 23 09 50 54 53 21 70');
    expect(lt.tx()).toEqual(['01 ef 0d 21 09 50 54 53 21 aa']);
  });

  it('R19 RPN query and set', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 07 93 03 0b 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 03 03 00 11 13 7f 3f aa']);
    lt.send('03 ef 15 93 11 0b 07 03 00 11 13 01 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 07 03 00 11 13 01 00 aa']);
  });

  it('R19 RPN set applies only the masked parameters; a query then returns the others untouched', () => {
    const { lt } = LowerTester.withDlc();
    // Mask 0x0001 (bit rate 115200); the other fields differ from the current 8N1, no flow control, XON 11, XOFF 13.
    lt.send('03 ef 15 93 11 0b 07 0e 0c 01 02 01 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 07 03 00 11 13 01 00 aa']);
    lt.send('03 ef 07 93 03 0b 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 07 03 00 11 13 7f 3f aa']);
    // Stop bits, XON and XOFF (mask 0x0064): data bits, parity, flow control and bit rate stay.
    lt.send('03 ef 15 93 11 0b ff 3c 3f 21 23 64 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 07 07 00 21 23 64 00 aa']);
    // A bit rate code above 8 (230400) and a reserved mask bit (0x0080) are not accepted.
    lt.send('03 ef 15 93 11 0b 09 03 00 11 13 81 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 07 07 00 21 23 00 00 aa']);
  });

  it('R19 RPN set before the SABM is kept for the DLCI and applied when the DLC opens', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 93 11 0b 05 03 00 11 13 01 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 05 03 00 11 13 01 00 aa']);
    // DLCI 4 (server channel 2) is not registered: acknowledged, not kept.
    lt.send('03 ef 15 93 11 13 05 03 00 11 13 01 00 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 13 05 03 00 11 13 01 00 aa']);
    lt.send('03 ef 07 93 03 13 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 13 03 03 00 11 13 7f 3f aa']);
    lt.send('0b 3f 01 59');
    expect(lt.tx()[0]).toBe('0b 73 01 92');
    lt.send('03 ef 07 93 03 0b 70');
    expect(lt.tx()).toEqual(['01 ef 15 91 11 0b 05 03 00 11 13 7f 3f aa']);
  });

  it('R20 RLS is echoed', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 09 53 05 0b 03 70');
    expect(lt.tx()).toEqual(['01 ef 09 51 05 0b 03 aa']);
  });

  it('R21 aggregate flow control pauses and resumes a DLC without CBFC', () => {
    const { lt, dlcId } = LowerTester.withDlc({}, '03 ef 15 83 11 02 00 07 00 7f 00 00 00 70');
    lt.send('03 ef 05 63 01 70');
    expect(lt.tx()).toEqual(['01 ef 05 61 01 aa']);
    lt.rf.write(dlcId, fromHex('78797a'));
    expect(lt.tx()).toEqual([]);
    lt.send('03 ef 05 a3 01 70');
    expect(lt.tx()).toEqual(['01 ef 05 a1 01 aa', '09 ef 07 78 79 7a 40']);
  });

  it('R22 DLC disconnect, then late data gets DM F=0', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.send('0b 53 01 b8');
    expect(lt.tx()).toEqual(['0b 73 01 92']);
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId, reason: 'disconnected', message: expect.any(String), unsent: 0, frame: 'DISC' }]);
    lt.send('0b ef 07 61 62 63 9a');
    expect(lt.tx()).toEqual(['0b 0f 01 66']);
  });

  it('R23 DISC on a DLCI never opened gets DM F=1', () => {
    const lt = LowerTester.responder();
    lt.send('1b 53 01 32');
    expect(lt.tx()).toEqual(['1b 1f 01 f9']);
  });

  it('R24 multiplexer shutdown closes every DLC', () => {
    const { lt, dlcId } = LowerTester.withDlc();
    lt.send('03 53 01 fd');
    expect(lt.tx()).toEqual(['03 73 01 d7']);
    expect(lt.events()).toEqual([
      { type: 'dlc-closed', dlcId, reason: 'session-closed', message: expect.any(String), unsent: 0, frame: 'DISC' },
      { type: 'session-closed', sessionId: SID },
    ]);
    expect(lt.rf.dlcInfo(dlcId)).toBeUndefined();
  });

  it('R25 length field beyond the frame: discard', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('0b ef 15 61 62 63 9a');
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.stats(SID)!.drops.malformed).toBe(1);
  });

  it('R25 frame longer than N1: discard, count and report the gap', () => {
    const { lt, dlcId } = LowerTester.withDlc({}, '03 ef 15 83 11 02 f0 07 00 02 00 00 07 70');
    lt.send('0b ef 07 61 62 63 9a');
    expect(lt.events()).toEqual([{ type: 'dlc-dropped', dlcId, bytes: 3, message: 'the peer sent 3 byte(s) in a frame longer than the negotiated N1: they were dropped' }]);
    expect(lt.tx()).toEqual([]);
    expect(lt.rf.dlcStats(dlcId)!.drops.oversize).toBe(1);
  });

  it('R26 MCC length beyond the frame: discard', () => {
    const { lt } = LowerTester.withDlc();
    lt.send('03 ef 09 e3 29 0b 8d 70');
    expect(lt.tx()).toEqual([]);
    expect(lt.rf.stats(SID)!.drops.badMcc).toBe(1);
  });

  it('R27 PN naming DLCI 0 is ignored; SABM on DLCI 62 gets DM and creates no state', () => {
    const lt = LowerTester.responder();
    lt.send('03 ef 15 83 11 00 f0 07 00 7f 00 00 07 70');
    expect(lt.tx()).toEqual([]);
    lt.send('fb 3f 01 bb');
    expect(lt.tx()).toEqual(['fb 1f 01 91']);
    lt.send('07 3f 01 ' + fcs('07 3f 01'));
    expect(lt.tx()).toEqual(['07 1f 01 ' + fcs('07 1f 01')]);
    expect(lt.events()).toEqual([]);
    expect(lt.rf.sessionInfo(SID)!.dlcs).toBe(0);
  });
});

describe('RFCOMM scenarios, IUT as initiator', () => {
  it('R28 IUT as initiator: SABM 0, PN, SABM, MSC', () => {
    const lt = new LowerTester();
    lt.rf.sessionUp(SID, { initiator: true, l2capMtu: 133 }, 0);
    expect(lt.tx()).toEqual(['03 3f 01 1c']);
    const dlcId = lt.rf.connect(SID, 3, 0);
    expect(lt.tx()).toEqual([]);
    lt.send('03 73 01 d7');
    expect(lt.tx()).toEqual(['03 ef 15 83 11 06 f0 00 00 7f 00 00 07 70']);
    lt.send('01 ef 15 81 11 06 e0 00 00 7f 00 00 07 aa');
    expect(lt.tx()).toEqual(['1b 3f 01 d3']);
    lt.send('1b 73 01 18');
    expect(lt.tx()[0]).toBe('03 ef 09 e3 05 1b 8d 70');
    lt.send('01 ef 09 e1 05 1b 8d aa');
    expect(lt.events()).toEqual([{ type: 'dlc-open', dlcId, sessionId: SID, serverChannel: 3, dlci: 6, n1: 127, incoming: false }]);
  });

  it('R29 responder opens toward the initiator with an odd DLCI', () => {
    const lt = new LowerTester();
    lt.rf.registerServerChannel(2);
    lt.rf.sessionUp(SID, { initiator: true, l2capMtu: 672 }, 0);
    lt.rf.connect(SID, 3, 0);
    lt.tx();
    lt.send('03 73 01 d7');
    lt.tx();
    lt.send('15 3f 01 35');
    expect(lt.tx()[0]).toBe('15 73 01 fe');
    lt.send('01 ef 09 e3 05 17 8d aa');
    expect(lt.tx()).toEqual(['03 ef 09 e1 05 17 8d 70']);
    expect(lt.events()).toMatchObject([{ type: 'dlc-open', dlci: 5, serverChannel: 2, incoming: true }, { type: 'dlc-signals', signals: 0x8d }]);
    lt.send('11 3f 01 ' + fcs('11 3f 01')); // even DLCI 4 names a channel on the responder: wrong direction
    expect(lt.tx()).toEqual(['11 1f 01 ' + fcs('11 1f 01')]);
    expect(lt.events()).toEqual([]);
  });
});
