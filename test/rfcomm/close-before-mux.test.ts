/**
 * A DLC the application closes while the multiplexer is still coming up (state 'waiting-mux'):
 * once the peer answers SABM on DLCI 0, no PN or SABM may go out for it, the session must not count
 * it, and a session left without DLCs closes after the idle grace period like any other.
 */
import { describe, expect, it } from 'vitest';
import { decodeMcc, decodeRfcommFrame } from '../../src/rfcomm/index.js';
import { LowerTester, SID } from './support/lower-tester.js';

const UA_0 = '03 73 01 d7';

function frames(lt: LowerTester): string[] {
  const out: string[] = [];
  for (let t = lt.rf.pollTransmit(); t; t = lt.rf.pollTransmit()) {
    const f = decodeRfcommFrame(t.sdu);
    if (f.type === 'UIH' && f.dlci === 0) {
      const m = decodeMcc(f.info);
      out.push(`${m.type}${'dlci' in m ? ` dlci=${m.dlci}` : ''}`);
    } else out.push(`${f.type} dlci=${f.dlci}`);
  }
  return out;
}

function initiator(): LowerTester {
  const lt = new LowerTester({ sessionIdleMs: 1_000 });
  lt.rf.sessionUp(SID, { initiator: true, l2capMtu: 672 }, 0);
  expect(frames(lt)).toEqual(['SABM dlci=0']);
  return lt;
}

describe('close() before the multiplexer is open', () => {
  it('sends nothing for the closed DLC and lets the unused session close', () => {
    const lt = initiator();
    const id = lt.rf.connect(SID, 3, lt.now);
    lt.rf.close(id, lt.now);
    expect(lt.events()).toEqual([{ type: 'dlc-closed', dlcId: id, reason: 'disconnected', message: 'closed locally before the DLC was established', unsent: 0 }]);
    lt.now = 10;
    lt.send(UA_0);
    expect(frames(lt)).toEqual([]);
    expect(lt.rf.sessionInfo(SID)).toMatchObject({ state: 'open', dlcs: 0 });
    lt.advance(999);
    expect(frames(lt)).toEqual([]);
    lt.advance(1);
    expect(frames(lt)).toEqual(['DISC dlci=0']);
    lt.send(UA_0);
    expect(lt.events()).toEqual([{ type: 'session-closed', sessionId: SID }]);
  });

  it('the other DLCs waiting for the multiplexer still open', () => {
    const lt = initiator();
    const a = lt.rf.connect(SID, 3, lt.now);
    const b = lt.rf.connect(SID, 5, lt.now);
    lt.rf.close(a, lt.now);
    lt.events();
    lt.send(UA_0);
    expect(frames(lt)).toEqual(['PN dlci=10']);
    expect(lt.rf.sessionInfo(SID)).toMatchObject({ dlcs: 1 });
    expect(lt.rf.dlcInfo(b)).toMatchObject({ state: 'pn-sent', dlci: 10 });
    expect(lt.rf.pollTimeout()).toBe(20_000);
  });
});
