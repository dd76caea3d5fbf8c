/**
 * docs/conformance.md RB-L2CAP and RB-SIG (rules P12–P19), plus a fuzz run: random C-frames and
 * B-frames fed in any channel state never throw out of receivePdu, stay within the queue caps,
 * and a normal Echo still succeeds afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, hex } from '../../src/core/index.js';
import { CID, PSM, encodeSignal } from '../../src/l2cap/index.js';
import { signalArb } from './support/arbitraries.js';
import { HANDLE, LowerTester, frame, stillAlive } from './support/lower-tester.js';

describe('L2CAP robustness (docs/conformance.md RB-L2CAP, RB-SIG)', () => {
  it('frames shorter than the header or with a wrong length are dropped silently', () => {
    const lt = new LowerTester();
    lt.raw('01 00');
    lt.raw('05 00 01 00 08 01');
    lt.raw('');
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.drops['malformed-frame']).toBe(3);
  });

  it('identifier 0 in a request and responses matching no request are ignored', () => {
    const lt = new LowerTester();
    lt.signal('08 00 00 00');
    lt.signal('09 33 00 00');
    lt.signal('03 34 08 00 40 00 40 00 00 00 00 00');
    lt.signal('01 35 02 00 00 00');
    expect(lt.sent()).toEqual([]);
    expect(lt.events()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.signaling.ignoredCommands).toBe(4);
  });

  it('a response to a request of another code does not match it', () => {
    const lt = new LowerTester();
    lt.l2.echo(HANDLE, new Uint8Array(0), 0);
    lt.sent();
    lt.signal('0b 01 04 00 02 00 01 00');
    expect(lt.events()).toEqual([]);
    lt.signal('09 01 00 00');
    expect(lt.events()).toMatchObject([{ type: 'echo-response' }]);
  });

  it('a malformed Command Reject is not answered with a Command Reject', () => {
    const lt = new LowerTester();
    lt.signal('01 05 03 00 00 00 99');
    expect(lt.sent()).toEqual([]);
  });

  it('ConfigReq option overrunning the command or a wrong length for a known type: Command Reject 0x0000', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.signal('02 01 04 00 03 00 40 00');
    lt.sent();
    lt.signal('04 02 08 00 40 00 00 00 01 05 30 00');
    lt.signal('04 03 09 00 40 00 00 00 01 03 30 00 00');
    expect(lt.sent()).toEqual(['01 02 02 00 00 00', '01 03 02 00 00 00']);
  });

  it('ConfigReq on an OPEN channel reconfigures without losing state (CVE-2026-31498 class), answered and never echoed', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM);
    lt.data(cid, '61 62 63');
    lt.events();
    lt.signal('04 09 08 00 40 00 00 00 01 02 64 00');
    // Only the peer's direction changed: the IUT answers and sends no ConfigReq of its own (§7.1).
    expect(lt.sent()).toEqual(['05 09 06 00 40 00 00 00 00 00']);
    expect(lt.events()).toEqual([{ type: 'channel-reconfigured', cid, remoteMtu: 100 }]);
    const info = lt.l2.channelInfo(cid)!;
    expect(info).toMatchObject({ state: 'OPEN', remoteMtu: 100, localMtu: 672 });
    expect(info.stats.framesIn).toBe(1);
    lt.l2.send(cid, new Uint8Array(100));
    expect(() => lt.l2.send(cid, new Uint8Array(101))).toThrow(/MTU 100/);
    lt.signal('04 0a 04 00 40 00 00 00');
    expect(lt.frames()).toEqual([
      { handle: HANDLE, cid: CID.SIGNALING, payload: '05 0a 06 00 40 00 00 00 00 00' },
      { handle: HANDLE, cid, payload: hex(new Uint8Array(100), ' ') },
    ]);
    // No MTU option: the MTU in force stays (Vol 3 Part A §5.1).
    expect(lt.events()).toEqual([{ type: 'channel-reconfigured', cid, remoteMtu: 100 }]);
    expect(lt.l2.pollTimeout()).toBeUndefined();
    lt.signal(`08 00 b8 02 ${hex(new Uint8Array(696), ' ')}`);
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.signaling.oversizedFrames).toBe(1);
    stillAlive(lt);
  });

  it('B-frames for a channel still in CONFIG are dropped and counted', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.signal('02 01 04 00 03 00 40 00');
    lt.data(0x40, '01');
    expect(lt.events()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.drops['not-open']).toBe(1);
  });

  it('PDUs for a handle that is not up are counted, not thrown', () => {
    const lt = new LowerTester();
    lt.l2.receivePdu(0x77, frame(CID.SIGNALING, '08 01 00 00'), 0);
    expect(lt.frames()).toEqual([]);
    expect(lt.l2.stats()!.drops['unknown-handle']).toBe(1);
    expect(lt.l2.stats(0x77)).toBeUndefined();
  });

  it('the transmit queue is bounded: responses beyond it are dropped and counted', () => {
    const lt = new LowerTester({ txQueueCapacity: 2 });
    lt.signal('08 01 00 00 08 02 00 00 08 03 00 00');
    expect(lt.sent()).toEqual(['09 01 00 00', '09 02 00 00']);
    expect(lt.l2.stats(HANDLE)!.drops['queue-full']).toBe(1);
  });

  it('random C-frames and B-frames in any state never throw, stay bounded, and echo still works', () => {
    const input = fc.oneof(
      fc.array(signalArb, { minLength: 1, maxLength: 3 }).map((ss) => ({ cid: CID.SIGNALING, payload: concat(...ss.map(encodeSignal)) })),
      fc.record({ cid: fc.constantFrom(1, 2, 0x40, 0x41, 0x99), payload: fc.uint8Array({ maxLength: 80 }) }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 25 }), fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 25 }), (frames, steps) => {
        const lt = new LowerTester({ maxChannelsPerLink: 4, txQueueCapacity: 64, eventQueueCapacity: 64 }, [PSM.SDP, PSM.RFCOMM]);
        lt.openIncoming(PSM.RFCOMM);
        frames.forEach((f, i) => {
          lt.l2.receivePdu(HANDLE, frame(f.cid, hex(f.payload)), lt.now);
          lt.advance(steps[i] ?? 0);
          lt.frames();
          lt.events();
        });
        lt.signal('08 ee 01 00 5a');
        expect(lt.sent()).toContain('09 ee 01 00 5a');
      }),
      { numRuns: 150 },
    );
  });
});
