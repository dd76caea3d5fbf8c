/** The L2capManager API beyond the scenarios: PSMs, links, local misuse, closing paths, statistics. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError, hex } from '../../src/core/index.js';
import { L2capManager, PSM, isValidPsm } from '../../src/l2cap/index.js';
import { HANDLE, LowerTester } from './support/lower-tester.js';

describe('PSM registry', () => {
  it('validates PSMs with the odd-low, even-high rule', () => {
    expect([0x0001, 0x0003, 0x1001, 0x00ff, 0xfeff].map(isValidPsm)).toEqual([true, true, true, true, true]);
    expect([0x0000, 0x0002, 0x0101, 0x1000, 0x10000, -1, 1.5].map(isValidPsm)).toEqual([false, false, false, false, false, false, false]);
  });

  it('allocates distinct dynamic PSMs from 0x1001 and skips registered ones', () => {
    const l2 = new L2capManager();
    l2.registerPsm(0x1001);
    const a = l2.allocatePsm();
    const b = l2.allocatePsm();
    expect([a, b]).toEqual([0x1003, 0x1005]);
    l2.registerPsm(a);
    l2.unregisterPsm(a);
    expect(l2.allocatePsm()).toBe(0x1003);
  });

  it('refuses bad PSMs, duplicates and MTUs below 48', () => {
    const l2 = new L2capManager();
    expect(() => l2.registerPsm(0x0002)).toThrow(ArgumentError);
    l2.registerPsm(PSM.SDP);
    expect(() => l2.registerPsm(PSM.SDP)).toThrow(InvalidStateError);
    expect(() => l2.registerPsm(PSM.RFCOMM, { mtu: 47 })).toThrow(ArgumentError);
    expect(() => new L2capManager({ defaultMtu: 20 })).toThrow(ArgumentError);
  });

  it('offers the registered MTU in its ConfigReq', () => {
    const lt = new LowerTester();
    lt.l2.registerPsm(PSM.RFCOMM, { mtu: 1013 });
    lt.signal('02 01 04 00 03 00 40 00');
    expect(lt.sent()[1]).toBe('04 01 08 00 40 00 00 00 01 02 f5 03');
  });
});

describe('local misuse', () => {
  it('throws InvalidStateError for unknown links and channels, and on a second linkUp', () => {
    const lt = new LowerTester();
    expect(() => lt.l2.send(0x40, new Uint8Array(1))).toThrow(InvalidStateError);
    expect(() => lt.l2.disconnect(0x40, 0)).toThrow(InvalidStateError);
    expect(() => lt.l2.echo(0x99, new Uint8Array(0), 0)).toThrow(InvalidStateError);
    expect(() => lt.l2.linkUp(HANDLE, '00:00:00:00:00:02', 0)).toThrow(InvalidStateError);
    expect(() => lt.l2.echo(HANDLE, new Uint8Array(669), 0)).toThrow(ArgumentError);
    expect(() => lt.l2.acceptPending(0x40, 0)).toThrow(InvalidStateError);
  });

  it('caps outgoing channels per link and outstanding requests', () => {
    const lt = new LowerTester({ maxChannelsPerLink: 1, maxOutstandingRequests: 2 });
    lt.l2.connect(HANDLE, 0x1001, {}, 0);
    expect(() => lt.l2.connect(HANDLE, 0x1001, {}, 0)).toThrow(InvalidStateError);
    lt.l2.echo(HANDLE, new Uint8Array(0), 0);
    expect(() => lt.l2.echo(HANDLE, new Uint8Array(0), 0)).toThrow(/outstanding/);
  });

  it('never allocates identifier 0 and wraps after 255', () => {
    const lt = new LowerTester();
    const ids: number[] = [];
    for (let i = 0; i < 300; i++) {
      ids.push(lt.l2.echo(HANDLE, new Uint8Array(0), 0));
      lt.signal(`09 ${ids[i].toString(16).padStart(2, '0')} 00 00`);
    }
    expect(ids).not.toContain(0);
    expect(ids[254]).toBe(255);
    expect(ids[255]).toBe(1);
  });
});

describe('closing paths', () => {
  it('closing before the peer answers the ConnReq disconnects once it names its CID', () => {
    const lt = new LowerTester();
    const cid = lt.l2.connect(HANDLE, 0x1001, {}, 0);
    lt.sent();
    lt.l2.disconnect(cid, 0);
    lt.signal('03 01 08 00 41 00 40 00 00 00 00 00');
    expect(lt.sent()).toEqual(['06 02 04 00 41 00 40 00']);
    lt.signal('07 02 04 00 41 00 40 00');
    expect(lt.events()).toMatchObject([{ type: 'connect-failed', cid, reason: 'local' }]);
  });

  it('a Command Reject of our ConnReq fails the connection', () => {
    const lt = new LowerTester();
    const cid = lt.l2.connect(HANDLE, 0x1001, {}, 0);
    lt.sent();
    lt.signal('01 01 02 00 00 00');
    expect(lt.events()).toMatchObject([{ type: 'connect-failed', cid, result: -1, reason: 'connection request rejected' }]);
  });

  it('link down closes every channel and fails pending echo', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM);
    const out = lt.l2.connect(HANDLE, 0x1001, {}, 0);
    lt.l2.echo(HANDLE, new Uint8Array(0), 0);
    lt.l2.linkDown(HANDLE, 0);
    expect(lt.events()).toEqual([
      { type: 'request-failed', handle: HANDLE, identifier: 3, request: 'echo', reason: 'link-down' },
      { type: 'channel-closed', cid, reason: 'link-down' },
      { type: 'connect-failed', cid: out, handle: HANDLE, psm: 0x1001, result: -1, reason: 'link-down' },
    ]);
    expect(lt.l2.pollTimeout()).toBeUndefined();
    expect(lt.l2.stats(HANDLE)).toBeUndefined();
  });

  it('a DisconnReq naming the right DCID but the wrong SCID is rejected 0x0002', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.openIncoming(PSM.RFCOMM);
    lt.signal('06 05 04 00 40 00 99 00');
    expect(lt.sent()).toEqual(['01 05 06 00 02 00 40 00 99 00']);
    expect(lt.l2.channelInfo(0x40)!.state).toBe('OPEN');
  });

  it('the DisconnReq RTX closes the channel when the peer never answers', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM);
    lt.l2.disconnect(cid, lt.now);
    lt.sent();
    lt.advance();
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid, reason: 'local' }]);
  });
});

describe('statistics', () => {
  it('counts frames and bytes both ways per channel, per link and in total', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    const cid = lt.openIncoming(PSM.RFCOMM);
    lt.data(cid, '01 02 03');
    lt.l2.send(cid, Uint8Array.of(9, 9));
    expect(lt.l2.channelInfo(cid)!.stats.framesOut).toBe(0);
    // Counted as it leaves, on its link's turn.
    lt.frames();
    const ch = lt.l2.channelInfo(cid)!.stats;
    expect(ch).toMatchObject({ framesIn: 1, bytesIn: 7, framesOut: 1, bytesOut: 6 });
    const link = lt.l2.stats(HANDLE)!;
    expect(link.framesIn).toBe(4);
    expect(link.channelsOpened).toBe(1);
    expect(link.signaling.commandsIn).toBe(3);
    expect(lt.l2.stats()!.framesOut).toBe(link.framesOut);
    link.framesIn = 999;
    expect(lt.l2.stats(HANDLE)!.framesIn).toBe(4);
  });
});

describe('data path', () => {
  it('delivers every SDU up to the MTU intact and in order, both ways', () => {
    const sdus = fc.array(fc.uint8Array({ maxLength: 672 }), { maxLength: 12 });
    fc.assert(
      fc.property(sdus, (list) => {
        const lt = new LowerTester({}, [PSM.RFCOMM]);
        const cid = lt.openIncoming(PSM.RFCOMM, 0x0040, 'a0 02');
        for (const sdu of list) {
          lt.data(cid, hex(sdu));
          lt.l2.send(cid, sdu);
        }
        expect(lt.events()).toEqual(list.map((sdu) => ({ type: 'channel-data', cid, sdu })));
        expect(lt.frames()).toEqual(list.map((sdu) => ({ handle: HANDLE, cid: 0x40, payload: hex(sdu, ' ') })));
      }),
      { numRuns: 50 },
    );
  });
});
