/**
 * RFCOMM authorisation (src/rfcomm/multiplexer.ts, RFCOMM 1.2 §6.5): the peer's SABM for a server
 * channel set by `requireAuthorization` is held and reported as 'dlc-authorize'; `authorize`
 * answers it with UA (and the DLC) or DM F = 1. IUT = responder, server channel 1 (DLCI 2).
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import { LowerTester, SID, fcs } from './support/lower-tester.js';

const SABM_2 = '0b 3f 01 59';
const UA_2 = '0b 73 01 92';
const DM_2 = `0b 1f 01 ${fcs('0b 1f 01')}`;
const DISC_2 = `0b 53 01 ${fcs('0b 53 01')}`;

function held(): { lt: LowerTester; request: number } {
  const lt = LowerTester.responder();
  lt.rf.requireAuthorization(1, true);
  lt.send(SABM_2);
  expect(lt.tx()).toEqual([]);
  const events = lt.events();
  expect(events).toEqual([{ type: 'dlc-authorize', sessionId: SID, request: expect.any(Number), dlci: 2, serverChannel: 1 }]);
  const e = events[0];
  if (e.type !== 'dlc-authorize') throw new Error('no dlc-authorize');
  return { lt, request: e.request };
}

describe('RFCOMM authorisation', () => {
  it('granted: UA, our MSC, and the DLC exists', () => {
    const { lt, request } = held();
    expect(lt.rf.authorize(SID, request, true, lt.now)).toBe(true);
    const out = lt.tx();
    expect(out[0]).toBe(UA_2);
    expect(out).toHaveLength(2);
    expect(lt.rf.dlcStateHistory().at(-1)).toMatchObject({ kind: 'change', from: 'closed', event: 'SABM', to: 'connected' });
  });

  it('refused: DM with F = 1 and no DLC; a second answer finds nothing held', () => {
    const { lt, request } = held();
    expect(lt.rf.authorize(SID, request, false, lt.now)).toBe(true);
    expect(lt.tx()).toEqual([DM_2]);
    expect(lt.rf.dlcStateHistory()).toEqual([]);
    expect(lt.rf.authorize(SID, request, true, lt.now)).toBe(false);
    expect(lt.tx()).toEqual([]);
  });

  it('a repeated SABM while held is dropped; a DISC cancels the hold and gets DM', () => {
    const { lt, request } = held();
    lt.send(SABM_2);
    expect(lt.tx()).toEqual([]);
    expect(lt.events()).toEqual([]);
    lt.send(DISC_2);
    expect(lt.tx()).toEqual([DM_2]);
    expect(lt.rf.authorize(SID, request, true, lt.now)).toBe(false);
    expect(lt.tx()).toEqual([]);
  });

  it('the session going down drops the hold; a channel no longer requiring it opens at once', () => {
    const { lt, request } = held();
    lt.rf.sessionDown(SID, lt.now);
    expect(lt.rf.authorize(SID, request, true, lt.now)).toBe(false);
    const again = LowerTester.responder();
    again.rf.requireAuthorization(1, true);
    again.rf.requireAuthorization(1, false);
    again.send(SABM_2);
    expect(again.tx()[0]).toBe(UA_2);
  });

  it('a SABM the session would refuse anyway (channel 2 is not registered) gets DM at once, without asking', () => {
    const lt = LowerTester.responder();
    lt.rf.requireAuthorization(2, true);
    lt.send('13 3f 01 96');
    expect(lt.tx()).toEqual(['13 1f 01 bc']);
    expect(lt.events()).toEqual([]);
  });

  it('requireAuthorization checks the channel it is asked to require', () => {
    const lt = new LowerTester();
    expect(() => lt.rf.requireAuthorization(31, true)).toThrow(ArgumentError);
  });
});
