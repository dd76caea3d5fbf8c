/**
 * What L2CAP sends, and when (src/l2cap/output.ts): SDUs wait in their channel until their link's
 * turn, signaling goes first, channels take turns, a full channel refuses and later says it has
 * room, and a channel closed with SDUs queued sends them before its Disconnection Request.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, InvalidStateError } from '../../src/core/index.js';
import { CID, PSM } from '../../src/l2cap/index.js';
import { HANDLE, LowerTester } from './support/lower-tester.js';

function twoChannels(options = {}): { lt: LowerTester; c1: number; c2: number } {
  const lt = new LowerTester(options, [PSM.RFCOMM, PSM.SDP]);
  const c1 = lt.openIncoming(PSM.RFCOMM, 0x0040);
  const c2 = lt.openIncoming(PSM.SDP, 0x0041);
  return { lt, c1, c2 };
}

describe('L2CAP output', () => {
  it('an SDU waits for its link to ask and be given a turn; the link asks once', () => {
    const { lt, c1 } = twoChannels();
    expect(lt.l2.pollSendRequest()).toBeUndefined();
    lt.l2.send(c1, Uint8Array.of(1));
    lt.l2.send(c1, Uint8Array.of(2));
    expect(lt.l2.pollSendRequest()).toBe(HANDLE);
    expect(lt.l2.pollSendRequest()).toBeUndefined();
    const turn = lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now);
    expect(turn && 'pdu' in turn && turn.pdu.result()).toEqual(Uint8Array.of(1, 0, 0x40, 0, 1));
    expect(lt.l2.wantsToSend(HANDLE)).toBe(true);
    lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now);
    expect(lt.l2.wantsToSend(HANDLE)).toBe(false);
    expect(lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now)).toBeUndefined();
  });

  it('signaling goes before queued data; channels with data take turns', () => {
    const { lt, c1, c2 } = twoChannels();
    for (let i = 0; i < 3; i++) {
      lt.l2.send(c1, Uint8Array.of(0x10 + i));
      lt.l2.send(c2, Uint8Array.of(0x20 + i));
    }
    lt.signal('08 33 00 00');
    expect(lt.frames().map((f) => `${f.cid}:${f.payload}`)).toEqual([`${CID.SIGNALING}:09 33 00 00`, '64:10', '65:20', '64:11', '65:21', '64:12', '65:22']);
  });

  it('a channel owned from above gets a turn token instead of a queued SDU, and writes its SDU into the PDU given', () => {
    const { lt, c1 } = twoChannels();
    lt.l2.requestSend(c1);
    expect(lt.l2.pollSendRequest()).toBe(HANDLE);
    expect(lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now)).toEqual({ cid: c1 });
    const pdu = lt.l2.frameSdu(c1, 2, ByteWriter.alloc);
    pdu.put(Uint8Array.of(7, 8));
    expect(pdu.result()).toEqual(Uint8Array.of(2, 0, 0x40, 0, 7, 8));
    expect(() => lt.l2.frameSdu(c1, 700, ByteWriter.alloc)).toThrow(/exceeds the peer's MTU/);
    expect(() => lt.l2.frameSdu(0x99, 1, ByteWriter.alloc)).toThrow(InvalidStateError);
  });

  it('refuses an SDU while the channel holds sendBufferBytes, then reports channel-writable once half drained', () => {
    const { lt, c1 } = twoChannels({ sendBufferBytes: 100 });
    let accepted = 0;
    while (lt.l2.send(c1, new Uint8Array(30))) accepted++;
    expect(accepted).toBe(4);
    expect(lt.l2.queuedBytes(c1)).toBe(120);
    lt.events();
    lt.l2.pollSendRequest();
    lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now);
    lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now);
    expect(lt.events()).toEqual([]);
    lt.l2.nextTurn(HANDLE, ByteWriter.alloc, lt.now);
    expect(lt.events()).toEqual([{ type: 'channel-writable', cid: c1 }]);
    expect(lt.l2.send(c1, new Uint8Array(30))).toBe(true);
  });

  it('close with SDUs queued: they go first, then the Disconnection Request; no SDU is taken meanwhile', () => {
    const { lt, c1 } = twoChannels();
    lt.l2.send(c1, Uint8Array.of(1));
    lt.l2.send(c1, Uint8Array.of(2));
    lt.l2.disconnect(c1, lt.now);
    expect(() => lt.l2.send(c1, Uint8Array.of(3))).toThrow(/closing/);
    expect(lt.frames().map((f) => `${f.cid}:${f.payload}`)).toEqual(['64:01', '64:02', `${CID.SIGNALING}:06 03 04 00 40 00 40 00`]);
    lt.signal('07 03 04 00 40 00 40 00');
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid: c1, reason: 'local' }]);
  });

  it('close with SDUs that cannot leave within closeLingerMs: the rest is dropped and the close says how much', () => {
    const { lt, c1 } = twoChannels({ closeLingerMs: 1000 });
    lt.l2.send(c1, new Uint8Array(10));
    lt.l2.send(c1, new Uint8Array(20));
    lt.l2.disconnect(c1, lt.now);
    lt.advance(1000);
    expect(lt.frames().map((f) => `${f.cid}:${f.payload}`)).toEqual([`${CID.SIGNALING}:06 03 04 00 40 00 40 00`]);
    lt.signal('07 03 04 00 40 00 40 00');
    expect(lt.events()).toEqual([{ type: 'channel-closed', cid: c1, reason: 'closed locally; 30 byte(s) still queued were not sent within 1000 ms' }]);
  });

  it('the peer closing a channel drops what it had queued, and the link stops asking for it', () => {
    const { lt, c1 } = twoChannels();
    lt.l2.send(c1, new Uint8Array(10));
    lt.signal('06 44 04 00 40 00 40 00');
    expect(lt.frames().map((f) => `${f.cid}:${f.payload}`)).toEqual([`${CID.SIGNALING}:07 44 04 00 40 00 40 00`]);
    expect(lt.l2.wantsToSend(HANDLE)).toBe(false);
  });
});
