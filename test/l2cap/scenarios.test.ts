/**
 * The L2CAP scenarios L1–L27 of docs/conformance.md (rules P12–P19), byte for byte, with a scripted lower tester
 * (LT) feeding the IUT (our L2capManager) through receivePdu and reading pollTransmit.
 * The IUT's first dynamic CID is 0x0040 and its first request identifier is 1.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError, fromHex, hex } from '../../src/core/index.js';
import { ACL_PB, AclReassembler } from '../../src/hci/index.js';
import { CONNECT_RESULT_TIMEOUT, PSM } from '../../src/l2cap/index.js';
import { HANDLE, LowerTester, frame, stillAlive } from './support/lower-tester.js';

const ACCEPT_L1 = '03 01 08 00 40 00 40 00 00 00 00 00';
const IUT_CONFIG_REQ_1 = '04 01 08 00 40 00 00 00 01 02 a0 02';

/** LT opens PSM 3 with SCID 0x0040 (L1); the IUT answers and sends its ConfigReq (id 1). */
function afterL1(opts = {}): LowerTester {
  const lt = new LowerTester(opts, [PSM.RFCOMM]);
  lt.signal('02 01 04 00 03 00 40 00');
  expect(lt.sent()).toEqual([ACCEPT_L1, IUT_CONFIG_REQ_1]);
  return lt;
}

/** L1 + both configurations done: the channel 0x0040 ↔ 0x0040 is OPEN with remote MTU 48. */
function openChannel(opts = {}): LowerTester {
  const lt = afterL1(opts);
  lt.signal('04 02 08 00 40 00 00 00 01 02 30 00');
  lt.signal('05 01 06 00 40 00 00 00 00 00');
  lt.sent();
  expect(lt.events()).toEqual([{ type: 'channel-open', cid: 0x40, handle: HANDLE, psm: 3, localMtu: 672, remoteMtu: 48, initiator: false }]);
  return lt;
}

describe('L2CAP scenarios (docs/conformance.md L1–L27)', () => {
  it('L1 accept connection', () => {
    const lt = afterL1();
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'CONFIG', remoteCid: 0x40, psm: 3, initiator: false });
  });

  it('L1 pending then success, the PSM held by holdIncoming', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.l2.holdIncoming(PSM.RFCOMM, 1);
    lt.signal('02 01 04 00 03 00 40 00');
    expect(lt.sent()).toEqual(['03 01 08 00 40 00 40 00 01 00 01 00']);
    expect(lt.events()).toEqual([{ type: 'incoming-pending', cid: 0x40, handle: HANDLE, psm: 3, address: '00:00:00:00:00:01' }]);
    lt.l2.acceptPending(0x40, lt.now);
    expect(lt.sent()).toEqual([ACCEPT_L1, IUT_CONFIG_REQ_1]);
  });

  it('L1 pending then refused', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.l2.holdIncoming(PSM.RFCOMM, 2);
    lt.signal('02 01 04 00 03 00 40 00');
    expect(lt.sent()).toEqual(['03 01 08 00 40 00 40 00 01 00 02 00']);
    lt.events();
    lt.l2.refusePending(0x40, 0x0003, lt.now);
    expect(lt.sent()).toEqual(['03 01 08 00 00 00 40 00 03 00 00 00']);
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid: 0x40, reason: 'refused here with result 0x0003 security block' }]);
    expect(lt.l2.channelInfo(0x40)).toBeUndefined();
  });

  it('L2 configuration with MTU 48', () => {
    const lt = afterL1();
    lt.signal('04 02 08 00 40 00 00 00 01 02 30 00');
    expect(lt.sent()).toEqual(['05 02 06 00 40 00 00 00 00 00']);
    expect(lt.events()).toEqual([]);
    lt.signal('05 01 0a 00 40 00 00 00 00 00 01 02 30 00');
    expect(lt.events()).toEqual([{ type: 'channel-open', cid: 0x40, handle: HANDLE, psm: 3, localMtu: 672, remoteMtu: 48, initiator: false }]);
    lt.l2.send(0x40, new Uint8Array(48));
    expect(lt.frames()).toEqual([{ handle: HANDLE, cid: 0x40, payload: hex(new Uint8Array(48), ' ') }]);
    expect(() => lt.l2.send(0x40, new Uint8Array(49))).toThrow(ArgumentError);
  });

  it('L2 default remote MTU is 672 when the ConfigReq has no MTU option', () => {
    const lt = afterL1();
    lt.signal('04 02 04 00 40 00 00 00');
    lt.signal('05 01 06 00 40 00 00 00 00 00');
    expect(lt.events()).toMatchObject([{ type: 'channel-open', remoteMtu: 672 }]);
  });

  it('L3 request connection, with a pending answer under ERTX', () => {
    const lt = new LowerTester();
    const cid = lt.l2.connect(HANDLE, 0x1001, {}, lt.now);
    expect(cid).toBe(0x40);
    expect(lt.sent()).toEqual(['02 01 04 00 01 10 40 00']);
    lt.signal('03 01 08 00 41 00 40 00 01 00 00 00');
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.pollTimeout()).toBe(60_000);
    lt.signal('03 01 08 00 41 00 40 00 00 00 00 00');
    expect(lt.sent()).toEqual(['04 02 08 00 41 00 00 00 01 02 a0 02']);
    lt.signal('04 05 04 00 40 00 00 00');
    expect(lt.sent()).toEqual(['05 05 06 00 41 00 00 00 00 00']);
    lt.signal('05 02 06 00 40 00 00 00 00 00');
    expect(lt.events()).toEqual([{ type: 'channel-open', cid: 0x40, handle: HANDLE, psm: 0x1001, localMtu: 672, remoteMtu: 672, initiator: true }]);
    lt.l2.send(cid, fromHex('61 62 63'));
    expect(lt.frames()).toEqual([{ handle: HANDLE, cid: 0x41, payload: '61 62 63' }]);
  });

  it('L3 refused and unanswered connection requests', () => {
    const lt = new LowerTester();
    lt.l2.connect(HANDLE, 0x1001, { mtu: 1000 }, lt.now);
    lt.sent();
    lt.signal('03 01 08 00 00 00 40 00 02 00 00 00');
    expect(lt.events()).toEqual([{ type: 'connect-failed', cid: 0x40, handle: HANDLE, psm: 0x1001, result: 2, reason: 'refused with result 0x0002 PSM not supported' }]);
    lt.l2.connect(HANDLE, 0x1001, {}, lt.now);
    lt.sent();
    lt.advance();
    expect(lt.now).toBe(10_000);
    expect(lt.events()).toMatchObject([{ type: 'connect-failed', cid: 0x41, result: CONNECT_RESULT_TIMEOUT, reason: 'no response to the connection request' }]);
    expect(lt.l2.stats(HANDLE)!.signaling.timeouts).toBe(1);
    expect(() => lt.l2.connect(HANDLE, 0x1002, {}, lt.now)).toThrow(ArgumentError);
    expect(() => lt.l2.connect(0x99, 0x1001, {}, lt.now)).toThrow(InvalidStateError);
  });

  it('L4 PSM not supported', () => {
    const lt = new LowerTester();
    lt.signal('02 03 04 00 01 10 41 00');
    expect(lt.sent()).toEqual(['03 03 08 00 00 00 41 00 02 00 00 00']);
    expect(lt.l2.stats(HANDLE)!.connectionsRefused).toBe(1);
  });

  it('L5 bad SCID, SCID reused, and no resources', () => {
    const lt = new LowerTester({ maxChannelsPerLink: 2 }, [PSM.RFCOMM]);
    lt.signal('02 04 04 00 03 00 00 00');
    expect(lt.sent()).toEqual(['03 04 08 00 00 00 00 00 06 00 00 00']);
    lt.signal('02 05 04 00 03 00 3f 00');
    expect(lt.sent()).toEqual(['03 05 08 00 00 00 3f 00 06 00 00 00']);
    lt.signal('02 06 04 00 03 00 40 00');
    expect(lt.sent()[0]).toBe('03 06 08 00 40 00 40 00 00 00 00 00');
    lt.signal('02 07 04 00 03 00 40 00');
    expect(lt.sent()).toEqual(['03 07 08 00 00 00 40 00 07 00 00 00']);
    lt.signal('02 08 04 00 03 00 41 00');
    expect(lt.sent()[0]).toBe('03 08 08 00 41 00 41 00 00 00 00 00');
    lt.signal('02 09 04 00 03 00 42 00');
    expect(lt.sent()).toEqual(['03 09 08 00 00 00 42 00 04 00 00 00']);
  });

  it('L6 unknown command code', () => {
    const lt = new LowerTester();
    lt.signal('ff 01 00 00');
    expect(lt.sent()).toEqual(['01 01 02 00 00 00']);
    expect(lt.l2.stats(HANDLE)!.signaling.rejectsSent.notUnderstood).toBe(1);
  });

  it('L7 truncated command body', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.signal('02 05 01 00 00');
    expect(lt.sent()).toEqual(['01 05 02 00 00 00']);
  });

  it('L8 DisconnReq for an unknown DCID', () => {
    const lt = new LowerTester();
    lt.signal('06 06 04 00 12 34 56 78');
    expect(lt.sent()).toEqual(['01 06 06 00 02 00 12 34 56 78']);
  });

  it('L9 ConfigReq for an unknown DCID', () => {
    const lt = new LowerTester();
    lt.signal('04 07 04 00 12 34 00 00');
    expect(lt.sent()).toEqual(['01 07 06 00 02 00 12 34 00 00']);
  });

  it('L10 several commands in one C-frame', () => {
    const lt = afterL1();
    lt.signal('05 01 06 00 40 00 00 00 00 00' + '04 02 08 00 40 00 00 00 01 02 30 00' + '08 08 00 00');
    expect(lt.sent()).toEqual(['05 02 06 00 40 00 00 00 00 00', '09 08 00 00']);
    expect(lt.events()).toMatchObject([{ type: 'channel-open', cid: 0x40 }]);
  });

  it('L11 second command truncated', () => {
    const lt = new LowerTester();
    lt.raw('08 00 01 00 08 01 00 00 08 02 01 00');
    expect(lt.sent()).toEqual(['09 01 00 00', '01 02 02 00 00 00']);
    lt.signal('08 09 00 00');
    expect(lt.sent()).toEqual(['09 09 00 00']);
    lt.raw('08 00 01 00 08 01 00 00 08 02 01 00 aa');
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.drops['malformed-frame']).toBe(1);
    stillAlive(lt);
  });

  it('L12 PDU of 15: a 12-byte ConnReq and 3 zero bytes', () => {
    const lt = new LowerTester({}, [PSM.RFCOMM]);
    lt.signal('02 0c 08 00 03 00 40 00 00 00 00 00' + '00 00 00');
    expect(lt.sent()).toEqual(['01 0c 02 00 00 00']);
    const s = lt.l2.stats(HANDLE)!.signaling;
    expect([s.malformedCommands, s.truncatedCommands]).toEqual([1, 1]);
    stillAlive(lt);
  });

  it('L13 signaling C-frame in two ACL fragments', () => {
    const lt = new LowerTester();
    const acl = new AclReassembler();
    const pdu = frame(1, '08 0a 04 00 de ad be ef');
    expect(acl.push({ handle: HANDLE, pb: ACL_PB.FIRST_FLUSHABLE, bc: 0, data: pdu.subarray(0, 6) })).toBeUndefined();
    expect(lt.sent()).toEqual([]);
    const whole = acl.push({ handle: HANDLE, pb: ACL_PB.CONTINUING, bc: 0, data: pdu.subarray(6) })!;
    lt.l2.receivePdu(HANDLE, whole, lt.now);
    expect(lt.sent()).toEqual(['09 0a 04 00 de ad be ef']);
  });

  it('L14 10-byte B-frame in two fragments', () => {
    const lt = openChannel();
    const acl = new AclReassembler();
    const pdu = frame(0x40, '00 01 02 03 04 05 06 07 08 09');
    acl.push({ handle: HANDLE, pb: ACL_PB.FIRST_FLUSHABLE, bc: 0, data: pdu.subarray(0, 7) });
    lt.l2.receivePdu(HANDLE, acl.push({ handle: HANDLE, pb: ACL_PB.CONTINUING, bc: 0, data: pdu.subarray(7) })!, lt.now);
    expect(lt.events()).toEqual([{ type: 'channel-data', cid: 0x40, sdu: fromHex('00 01 02 03 04 05 06 07 08 09') }]);
    expect(lt.l2.channelInfo(0x40)!.stats).toMatchObject({ framesIn: 1, bytesIn: 14 });
  });

  it('L15 echo, both ways', () => {
    const lt = new LowerTester();
    lt.signal('08 0a 04 00 de ad be ef');
    expect(lt.sent()).toEqual(['09 0a 04 00 de ad be ef']);
    expect(lt.l2.echo(HANDLE, fromHex('01 02'), lt.now)).toBe(1);
    expect(lt.sent()).toEqual(['08 01 02 00 01 02']);
    lt.signal('09 01 02 00 01 02');
    expect(lt.events()).toEqual([{ type: 'echo-response', handle: HANDLE, data: fromHex('01 02') }]);
    lt.l2.echo(HANDLE, new Uint8Array(0), lt.now);
    lt.advance();
    expect(lt.events()).toEqual([{ type: 'request-failed', handle: HANDLE, identifier: 2, request: 'echo', reason: 'timeout' }]);
    lt.signal('09 02 00 00');
    expect(lt.events()).toEqual([]);
  });

  it('L16 InfoReq extended features', () => {
    const lt = new LowerTester();
    lt.signal('0a 0b 02 00 02 00');
    expect(lt.sent()).toEqual(['0b 0b 08 00 02 00 00 00 80 00 00 00']);
  });

  it('L17 InfoReq fixed channels, unknown type, and connectionless MTU', () => {
    const lt = new LowerTester();
    lt.signal('0a 0c 02 00 03 00');
    expect(lt.sent()).toEqual(['0b 0c 0c 00 03 00 00 00 02 00 00 00 00 00 00 00']);
    lt.signal('0a 0d 02 00 34 12');
    expect(lt.sent()).toEqual(['0b 0d 04 00 34 12 01 00']);
    lt.signal('0a 0e 02 00 01 00');
    expect(lt.sent()).toEqual(['0b 0e 04 00 01 00 01 00']);
    lt.l2.information(HANDLE, 2, lt.now);
    expect(lt.sent()).toEqual(['0a 01 02 00 02 00']);
    lt.signal('0b 01 08 00 02 00 00 00 b8 02 00 00');
    expect(lt.events()).toEqual([{ type: 'info-response', handle: HANDLE, infoType: 2, result: 0, data: fromHex('b8 02 00 00') }]);
  });

  it('L18 ConfigReq continuation', () => {
    const lt = afterL1();
    lt.signal('04 0e 08 00 40 00 01 00 01 02 30 00');
    expect(lt.sent()).toEqual(['05 0e 06 00 40 00 01 00 00 00']);
    lt.signal('04 0f 08 00 40 00 00 00 02 02 ff ff');
    expect(lt.sent()).toEqual(['05 0f 06 00 40 00 00 00 00 00']);
    lt.signal('05 01 06 00 40 00 00 00 00 00');
    expect(lt.events()).toMatchObject([{ type: 'channel-open', remoteMtu: 48 }]);
    expect(lt.l2.channelInfo(0x40)!.flushTimeout).toBe(0xffff);
  });

  it('L18 ConfigRsp with the continuation flag: the IUT asks for the rest with an empty ConfigReq and opens on the last part', () => {
    const lt = afterL1();
    lt.signal('05 01 06 00 40 00 01 00 00 00');
    expect(lt.sent()).toEqual(['04 02 04 00 40 00 00 00']);
    lt.signal('04 03 08 00 40 00 00 00 01 02 30 00');
    expect(lt.sent()).toEqual(['05 03 06 00 40 00 00 00 00 00']);
    expect(lt.events()).toEqual([]);
    expect(lt.l2.channelInfo(0x40)!.state).toBe('CONFIG');
    lt.signal('05 02 06 00 40 00 00 00 00 00');
    expect(lt.events()).toEqual([{ type: 'channel-open', cid: 0x40, handle: HANDLE, psm: 3, localMtu: 672, remoteMtu: 48, initiator: false }]);
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('L18 continuation flood is capped at 1 KiB', () => {
    const lt = afterL1();
    const part = '04 10 0c 00 40 00 01 00 ff 06 00 00 00 00 00 00';
    for (let i = 0; i < 130; i++) lt.signal(part);
    const out = lt.sent();


    expect(out.indexOf('05 10 06 00 40 00 00 00 02 00')).toBe(Math.floor(1024 / 8));
  });

  it('L19 unknown hinted option', () => {
    const lt = afterL1();
    lt.signal('04 0e 08 00 40 00 00 00 ff 02 aa bb');
    expect(lt.sent()).toEqual(['05 0e 06 00 40 00 00 00 00 00']);
  });

  it('L19/L20 with a length field of 0x0a over 8 data bytes is a truncated command (P14)', () => {
    const lt = afterL1();
    lt.signal('04 0e 0a 00 40 00 00 00 ff 02 aa bb');
    expect(lt.sent()).toEqual(['01 0e 02 00 00 00']);
  });

  it('L20 unknown mandatory option', () => {
    const lt = afterL1();
    lt.signal('04 0f 08 00 40 00 00 00 7f 02 aa bb');
    expect(lt.sent()).toEqual(['05 0f 0a 00 40 00 00 00 03 00 7f 02 aa bb']);
    expect(lt.l2.channelInfo(0x40)!.state).toBe('CONFIG');
  });

  it('L21 MTU below 48', () => {
    const lt = afterL1();
    lt.signal('04 10 08 00 40 00 00 00 01 02 17 00');
    expect(lt.sent()).toEqual(['05 10 0a 00 40 00 00 00 01 00 01 02 30 00']);
  });

  it('L21 ERTM offer refused with basic mode as the acceptable value', () => {
    const lt = afterL1();
    lt.signal('04 11 0f 00 40 00 00 00 04 09 03 0a 03 d0 07 e0 2e a0 02');
    expect(lt.sent()).toEqual(['05 11 11 00 40 00 00 00 01 00 04 09 00 00 00 00 00 00 00 00 00']);
    lt.signal('04 12 0f 00 40 00 00 00 04 09 00 00 00 00 00 00 00 00 00');
    expect(lt.sent()).toEqual(['05 12 06 00 40 00 00 00 00 00']);
  });

  it('L22 LT rejects the IUT config with an acceptable MTU: new ConfigReq', () => {
    const lt = afterL1();
    lt.signal('05 01 0a 00 40 00 00 00 01 00 01 02 00 04');
    expect(lt.sent()).toEqual(['04 02 08 00 40 00 00 00 01 02 00 04']);
    lt.signal('05 02 06 00 40 00 00 00 00 00');
    lt.signal('04 03 04 00 40 00 00 00');
    expect(lt.events()).toMatchObject([{ type: 'channel-open', localMtu: 1024, remoteMtu: 672 }]);
  });

  it('L22 LT rejects with values the IUT cannot meet: the IUT closes', () => {
    const lt = afterL1();
    lt.signal('05 01 11 00 40 00 00 00 01 00 04 09 03 0a 03 d0 07 e0 2e a0 02');
    expect(lt.sent()).toEqual(['06 02 04 00 40 00 40 00']);
    lt.signal('07 02 04 00 40 00 40 00');
    expect(lt.l2.channelInfo(0x40)).toBeUndefined();
  });

  it('L23 non-blocking config', () => {
    const lt = afterL1();
    lt.signal('04 02 08 00 40 00 00 00 01 02 30 00');
    expect(lt.sent()).toEqual(['05 02 06 00 40 00 00 00 00 00']);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'CONFIG', remoteMtu: 48 });
  });

  it('L24 disconnect from the peer', () => {
    const lt = openChannel();
    lt.signal('06 11 04 00 40 00 40 00');
    expect(lt.sent()).toEqual(['07 11 04 00 40 00 40 00']);
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid: 0x40, reason: 'remote' }]);
    expect(() => lt.l2.send(0x40, new Uint8Array(1))).toThrow(InvalidStateError);
  });

  it('L24 disconnect from the IUT', () => {
    const lt = openChannel();
    lt.l2.disconnect(0x40, lt.now);
    expect(lt.sent()).toEqual(['06 02 04 00 40 00 40 00']);
    lt.signal('07 02 04 00 40 00 40 00');
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid: 0x40, reason: 'local' }]);
  });

  it('L25 configuration timeout: resends with doubling delay, then DisconnReq', () => {
    const lt = afterL1();
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      lt.advance();
      times.push(lt.now);
      expect(lt.sent()).toEqual([IUT_CONFIG_REQ_1]);
    }
    lt.advance();
    times.push(lt.now);
    expect(lt.sent()).toEqual(['06 02 04 00 40 00 40 00']);
    const delays = times.map((t, i) => t - (i ? times[i - 1] : 0));
    expect(delays).toEqual([10_000, 20_000, 40_000]);
    lt.signal('04 20 08 00 40 00 00 00 01 02 30 00');
    expect(lt.sent()).toEqual(['01 20 06 00 02 00 40 00 40 00']);
    lt.advance();
    expect(lt.l2.channelInfo(0x40)).toBeUndefined();
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('L25 configuration timer bounds CONFIG when the peer never sends its ConfigReq', () => {
    const lt = afterL1();
    lt.signal('05 01 06 00 40 00 00 00 00 00');
    lt.advance();
    expect(lt.now).toBe(120_000);
    expect(lt.sent()).toEqual(['06 02 04 00 40 00 40 00']);
  });

  it('L26 C-frame larger than MTUsig', () => {
    const lt = new LowerTester();
    const data = hex(new Uint8Array(696).fill(0x55), ' ');
    lt.signal(`08 0a b8 02 ${data}`);
    expect(lt.sent()).toEqual(['01 0a 04 00 01 00 a0 02']);
    expect(lt.l2.stats(HANDLE)!.signaling.oversizedFrames).toBe(1);
    stillAlive(lt);
  });

  it('L26 an oversized C-frame holding only responses is discarded silently (§4.1)', () => {
    const lt = new LowerTester();
    lt.signal(`09 55 b8 02 ${hex(new Uint8Array(696).fill(0x55), ' ')}`);
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.signaling.oversizedFrames).toBe(1);
    stillAlive(lt);
  });

  it('L26 an oversized C-frame is rejected with the identifier of its first request, not of a leading response', () => {
    const lt = new LowerTester();
    lt.signal(`09 55 04 00 de ad be ef 08 56 b0 02 ${hex(new Uint8Array(688), ' ')}`);
    expect(lt.sent()).toEqual(['01 56 04 00 01 00 a0 02']);
    lt.signal(`08 00 b8 02 ${hex(new Uint8Array(696), ' ')}`);
    expect(lt.sent()).toEqual([]);
    expect(lt.l2.stats(HANDLE)!.signaling.oversizedFrames).toBe(2);
    stillAlive(lt);
  });

  it('L27 B-frame larger than the local MTU and data for unknown CIDs: dropped and counted', () => {
    const lt = openChannel();
    lt.data(0x40, hex(new Uint8Array(673), ''));
    lt.data(0x0099, '01 02');
    lt.data(0x0002, '01 02');
    expect(lt.events()).toEqual([]);
    lt.data(0x40, hex(new Uint8Array(672), ''));
    expect(lt.events()).toMatchObject([{ type: 'channel-data', cid: 0x40 }]);
    const s = lt.l2.stats(HANDLE)!;
    expect(s.drops).toMatchObject({ 'over-mtu': 1, 'unknown-cid': 1, 'fixed-cid': 1 });
    expect(lt.l2.channelInfo(0x40)!.stats.drops['over-mtu']).toBe(1);
    expect(lt.l2.stats()!.drops['over-mtu']).toBe(1);
    stillAlive(lt);
  });
});

describe('reconfiguration of an OPEN channel (Vol 3 Part A §6.1.5, §7.1; PTS L2CAP/COS/CFD/BV-12-C)', () => {
  it('by the peer: ConfigRsp, no ConfigReq of the IUT (its direction did not change); OPEN throughout, nothing lost', () => {
    const lt = openChannel();
    lt.data(0x40, '11');
    lt.l2.send(0x40, fromHex('01 02 03'));
    lt.signal('04 20 08 00 40 00 00 00 01 02 64 00');
    expect(lt.frames()).toEqual([
      { handle: HANDLE, cid: 0x01, payload: '05 20 06 00 40 00 00 00 00 00' },
      { handle: HANDLE, cid: 0x40, payload: '01 02 03' },
    ]);
    expect(lt.events()).toEqual([
      { type: 'channel-data', cid: 0x40, sdu: fromHex('11') },
      { type: 'channel-reconfigured', cid: 0x40, remoteMtu: 100 },
    ]);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'OPEN', localMtu: 672, remoteMtu: 100 });

    lt.data(0x40, '61 62');
    lt.l2.send(0x40, new Uint8Array(100));
    expect(() => lt.l2.send(0x40, new Uint8Array(101))).toThrow(/MTU 100/);
    expect(lt.events()).toEqual([{ type: 'channel-data', cid: 0x40, sdu: fromHex('61 62') }]);
    expect(lt.frames()).toEqual([{ handle: HANDLE, cid: 0x40, payload: hex(new Uint8Array(100), ' ') }]);
    const info = lt.l2.channelInfo(0x40)!;
    expect(info.stats).toMatchObject({ framesIn: 2, framesOut: 2, bytesOut: 4 + 3 + 4 + 100 });
    expect(lt.l2.stats(HANDLE)!.channelsOpened).toBe(1);
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('by the peer, not acceptable: ConfigRsp 0x0001 and the channel stays OPEN with its configuration', () => {
    const lt = openChannel();
    lt.signal('04 21 08 00 40 00 00 00 01 02 17 00');
    expect(lt.sent()).toEqual(['05 21 0a 00 40 00 00 00 01 00 01 02 30 00']);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'OPEN', remoteMtu: 48 });
    expect(lt.events()).toEqual([]);
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('by the peer, again and again: each ConfigReq gets one ConfigRsp and nothing else, so two stacks never ping-pong', () => {
    const lt = openChannel();
    for (let id = 0x22; id < 0x32; id++) {
      lt.signal(`04 ${id.toString(16)} 04 00 40 00 00 00`);
      expect(lt.sent()).toEqual([`05 ${id.toString(16)} 06 00 40 00 00 00 00 00`]);
    }
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'OPEN', remoteMtu: 48 });
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('by the IUT: reconfigure(cid, { mtu }) sends a ConfigReq; the old MTU holds until the peer accepts; OPEN again after both directions', () => {
    const lt = openChannel();
    lt.l2.reconfigure(0x40, { mtu: 100 }, lt.now);
    expect(lt.sent()).toEqual(['04 02 08 00 40 00 00 00 01 02 64 00']);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'CONFIG', localMtu: 672 });
    expect(() => lt.l2.reconfigure(0x40, {}, lt.now)).toThrow(InvalidStateError);

    lt.data(0x40, hex(new Uint8Array(672), ''));
    expect(lt.events()).toMatchObject([{ type: 'channel-data', cid: 0x40 }]);
    lt.signal('05 02 06 00 40 00 00 00 00 00');
    expect(lt.events()).toEqual([]);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'CONFIG', localMtu: 100 });

    lt.signal('04 30 04 00 40 00 00 00');
    expect(lt.sent()).toEqual(['05 30 06 00 40 00 00 00 00 00']);
    expect(lt.events()).toEqual([{ type: 'channel-reconfigured', cid: 0x40, remoteMtu: 48 }]);
    expect(lt.l2.channelInfo(0x40)).toMatchObject({ state: 'OPEN', localMtu: 100, remoteMtu: 48 });
    lt.data(0x40, hex(new Uint8Array(101), ''));
    lt.data(0x40, hex(new Uint8Array(100), ''));
    expect(lt.events()).toEqual([{ type: 'channel-data', cid: 0x40, sdu: new Uint8Array(100) }]);
    expect(lt.l2.channelInfo(0x40)!.stats.drops['over-mtu']).toBe(1);
    expect(lt.l2.pollTimeout()).toBeUndefined();
  });

  it('by the IUT, renegotiated: "unacceptable parameters" with MTU 200 → a new ConfigReq offering 200', () => {
    const lt = openChannel();
    lt.l2.reconfigure(0x40, { mtu: 100 }, lt.now);
    lt.sent();
    lt.signal('05 02 0a 00 40 00 00 00 01 00 01 02 c8 00');
    expect(lt.sent()).toEqual(['04 03 08 00 40 00 00 00 01 02 c8 00']);
    lt.signal('04 31 04 00 40 00 00 00');
    lt.signal('05 03 06 00 40 00 00 00 00 00');
    expect(lt.sent()).toEqual(['05 31 06 00 40 00 00 00 00 00']);
    expect(lt.events()).toEqual([{ type: 'channel-reconfigured', cid: 0x40, remoteMtu: 48 }]);
    expect(lt.l2.channelInfo(0x40)!.localMtu).toBe(200);
  });

  it('reconfigure() refuses a channel that is not OPEN and an MTU below 48', () => {
    const lt = afterL1();
    expect(() => lt.l2.reconfigure(0x40, {}, lt.now)).toThrow(InvalidStateError);
    expect(() => lt.l2.reconfigure(0x99, {}, lt.now)).toThrow(InvalidStateError);
    const open = openChannel();
    expect(() => open.l2.reconfigure(0x40, { mtu: 47 }, open.now)).toThrow(ArgumentError);
    expect(open.sent()).toEqual([]);
    expect(open.l2.channelInfo(0x40)!.state).toBe('OPEN');
  });
});
