/** Two RfcommManagers back to back: data with 1, 2 and 30 DLCs, slow readers, closing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concat } from '../../src/core/index.js';
import { RfcommManager, type RfcommOptions } from '../../src/rfcomm/index.js';
import { Pair, SID_A, SID_B, pattern, writeAll, type Side } from './support/pair.js';

function connect(p: Pair, channels: number[]): { aIds: number[]; bIds: number[] } {
  for (const ch of channels) p.b.rf.registerServerChannel(ch);
  const aIds = channels.map((ch) => p.a.rf.connect(SID_A, ch, p.now));
  p.run();
  const openA = p.opened(p.a);
  const openB = p.opened(p.b);
  expect(openA.map((e) => e.dlcId).sort((x, y) => x - y)).toEqual([...aIds].sort((x, y) => x - y));
  expect(openB).toHaveLength(channels.length);
  const bIds = channels.map((ch) => openB.find((e) => e.serverChannel === ch)!.dlcId);
  return { aIds, bIds };
}

function checkInvariants(s: Side, ids: number[], opts: { maxRxBytes: number }): void {
  for (const id of ids) {
    const info = s.rf.dlcInfo(id);
    if (!info) continue;
    expect(info.txCredits).toBeGreaterThanOrEqual(0);
    expect(info.rxCredits).toBeGreaterThanOrEqual(0);
    expect(info.rxUnconsumed + info.rxCredits * info.n1).toBeLessThanOrEqual(Math.max(opts.maxRxBytes, info.n1));
  }
}

describe('two RfcommManagers back to back', () => {
  it('1 DLC: 100 KB both ways, intact and in order, with CBFC and N1 from the MTU', () => {
    const p = new Pair();
    const { aIds, bIds } = connect(p, [1]);
    expect(p.a.rf.dlcInfo(aIds[0])).toMatchObject({ n1: 666, creditBasedFlowControl: true, dlci: 2 });
    const ab = pattern(1, 100_000);
    const ba = pattern(2, 100_000);
    writeAll(p, p.a, aIds[0], ab);
    writeAll(p, p.b, bIds[0], ba);
    p.run();
    expect(bytesEqual(p.data(p.b, bIds[0]), ab)).toBe(true);
    expect(bytesEqual(p.data(p.a, aIds[0]), ba)).toBe(true);
    expect(p.a.rf.dlcStats(aIds[0])!.drops).toEqual({ noCredit: 0, oversize: 0, overflow: 0, lost: 0 });
    expect(p.b.rf.dlcStats(bIds[0])!.drops).toEqual({ noCredit: 0, oversize: 0, overflow: 0, lost: 0 });
  });

  it.each([2, 30])('%i DLCs on one session share the channel and keep their bytes apart', (n) => {
    const p = new Pair();
    const channels = Array.from({ length: n }, (_, i) => i + 1);
    const { aIds, bIds } = connect(p, channels);
    const sent = aIds.map((id, i) => pattern(100 + i, 5_000 + 37 * i));
    aIds.forEach((id, i) => writeAll(p, p.a, id, sent[i]));
    p.run();
    bIds.forEach((id, i) => expect(bytesEqual(p.data(p.b, id), sent[i])).toBe(true));
  });

  it('frames from busy DLCs alternate (round robin)', () => {
    const p = new Pair();
    const { aIds } = connect(p, [1, 2]);
    p.a.rf.write(aIds[0], pattern(1, 666 * 3));
    p.a.rf.write(aIds[1], pattern(2, 666 * 3));
    const dlcis: number[] = [];
    for (let f = p.a.rf.pollTransmit(); f; f = p.a.rf.pollTransmit()) dlcis.push(f.sdu[0] >> 2);
    expect(dlcis).toEqual([2, 4, 2, 4, 2, 4]);
  });

  it('a slow reader starves the sender of credits without loss, reorder or negative credits', () => {
    const opts: RfcommOptions = { maxRxBytes: 4_000 };
    const p = new Pair(opts, opts);
    const { aIds, bIds } = connect(p, [1]);
    p.b.readRate = 50;
    let starved = 0;
    p.onStep = () => {
      checkInvariants(p.a, aIds, { maxRxBytes: 4_000 });
      checkInvariants(p.b, bIds, { maxRxBytes: 4_000 });
      const a = p.a.rf.dlcInfo(aIds[0]);
      if (a && a.txCredits === 0 && a.txQueued > 0) starved++;
    };
    const sent = pattern(7, 60_000);
    writeAll(p, p.a, aIds[0], sent);
    p.run();
    expect(starved).toBeGreaterThan(100);
    expect(bytesEqual(p.data(p.b, bIds[0]), sent)).toBe(true);
    expect(p.b.rf.dlcStats(bIds[0])!.drops.noCredit).toBe(0);
  });

  it('without CBFC a slow reader pauses the sender with MSC FC, nothing lost', () => {
    const opts: RfcommOptions = { creditBasedFlowControl: false, maxRxBytes: 8_000 };
    const p = new Pair(opts, opts);
    const { aIds, bIds } = connect(p, [1]);
    expect(p.a.rf.dlcInfo(aIds[0])!.creditBasedFlowControl).toBe(false);
    p.b.readRate = 40;
    const sent = pattern(9, 40_000);
    writeAll(p, p.a, aIds[0], sent);
    p.run();
    expect(bytesEqual(p.data(p.b, bIds[0]), sent)).toBe(true);
    expect(p.b.rf.dlcStats(bIds[0])!.drops.overflow).toBe(0);
  });

  it('a CBFC side and a non-CBFC side agree on no CBFC', () => {
    const p = new Pair({}, { creditBasedFlowControl: false });
    const { aIds, bIds } = connect(p, [5]);
    expect(p.a.rf.dlcInfo(aIds[0])!.creditBasedFlowControl).toBe(false);
    const sent = pattern(3, 10_000);
    writeAll(p, p.a, aIds[0], sent);
    p.run();
    expect(bytesEqual(p.data(p.b, bIds[0]), sent)).toBe(true);
  });

  it('write returns what fits and reports dlc-writable when room returns', () => {
    const p = new Pair({ maxTxBytes: 1_000 });
    const { aIds } = connect(p, [1]);
    expect(p.a.rf.write(aIds[0], pattern(1, 3_000))).toBe(1_000);
    expect(p.a.rf.write(aIds[0], pattern(1, 10))).toBe(0);
    p.run();
    expect(p.a.events).toContainEqual({ type: 'dlc-writable', dlcId: aIds[0] });
  });

  it('close drains queued data, then DISC; the session closes after the grace period', () => {
    const p = new Pair();
    const { aIds, bIds } = connect(p, [1]);
    const sent = pattern(4, 20_000);
    expect(p.a.rf.write(aIds[0], sent)).toBe(20_000);
    p.a.rf.close(aIds[0], p.now);
    p.run();
    expect(bytesEqual(p.data(p.b, bIds[0]), sent)).toBe(true);
    expect(p.a.events).toContainEqual({ type: 'dlc-closed', dlcId: aIds[0], reason: 'disconnected', message: 'closed', unsent: 0 });
    expect(p.b.events).toContainEqual({ type: 'dlc-closed', dlcId: bIds[0], reason: 'disconnected', message: expect.any(String), unsent: 0, frame: 'DISC' });
    expect(p.a.rf.pollTimeout()).toBe(1_000);
    p.advance(1_000);
    p.run();
    expect(p.a.events.at(-1)).toEqual({ type: 'session-closed', sessionId: SID_A });
    expect(p.b.events.at(-1)).toEqual({ type: 'session-closed', sessionId: SID_B });
  });

  it('the responder opens a DLC toward the initiator with an odd DLCI, both directions at once', () => {
    const p = new Pair();
    const { aIds, bIds } = connect(p, [4]);
    p.a.rf.registerServerChannel(4);
    const back = p.b.rf.connect(SID_B, 4, p.now);
    p.run();
    expect(p.b.rf.dlcInfo(back)).toMatchObject({ dlci: 9, open: true });
    const incoming = p.opened(p.a).find((e) => e.incoming)!;
    expect(incoming).toMatchObject({ dlci: 9, serverChannel: 4 });
    const one = pattern(11, 3_000);
    const two = pattern(12, 3_000);
    writeAll(p, p.a, aIds[0], one);
    writeAll(p, p.b, back, two);
    p.run();
    expect(bytesEqual(p.data(p.b, bIds[0]), one)).toBe(true);
    expect(bytesEqual(p.data(p.a, incoming.dlcId), two)).toBe(true);
  });

  it('the peer refuses an unregistered channel', () => {
    const p = new Pair();
    const id = p.a.rf.connect(SID_A, 9, 0);
    p.run();
    expect(p.a.events).toContainEqual(expect.objectContaining({ type: 'dlc-closed', dlcId: id, reason: 'refused', frame: 'DM' }));
  });

  it('model: random writes, reads and steps lose, duplicate or reorder nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ op: fc.constant('write' as const), dlc: fc.nat(2), n: fc.integer({ min: 1, max: 3_000 }) }), fc.record({ op: fc.constant('step' as const), n: fc.integer({ min: 1, max: 50 }) }), fc.record({ op: fc.constant('rate' as const), n: fc.integer({ min: 0, max: 700 }) })), { maxLength: 40 }),
        fc.integer({ min: 700, max: 6_000 }),
        (cmds, maxRxBytes) => {
          const opts = { maxRxBytes, maxTxBytes: 4_000 };
          const p = new Pair(opts, opts, 300);
          const { aIds, bIds } = connect(p, [1, 2, 3]);
          p.onStep = () => checkInvariants(p.b, bIds, { maxRxBytes });
          const sent = aIds.map(() => [] as Uint8Array[]);
          let seed = 1;
          for (const c of cmds) {
            if (c.op === 'write') {
              const chunk = pattern(seed++, c.n);
              const k = p.a.rf.write(aIds[c.dlc], chunk);
              sent[c.dlc].push(chunk.subarray(0, k));
            } else if (c.op === 'step') for (let i = 0; i < c.n; i++) p.step();
            else p.b.readRate = c.n;
          }
          p.b.readRate = Infinity;
          p.run();
          aIds.forEach((_, i) => {
            const want = sent[i].reduce((acc, x) => acc + x.length, 0);
            const got = p.data(p.b, bIds[i]);
            expect(got.length).toBe(want);
            let off = 0;
            for (const x of sent[i]) {
              expect(bytesEqual(got.subarray(off, off + x.length), x)).toBe(true);
              off += x.length;
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('several sessions on one manager', () => {
  it('two sessions (two L2CAP channels) take turns and keep their data apart', () => {
    const a = new RfcommManager();
    const peers = new Map([
      [0x40, new RfcommManager()],
      [0x42, new RfcommManager()],
    ]);
    const received = new Map<number, Uint8Array[]>();
    const dlcOf = new Map<number, number>();
    for (const [sid, b] of peers) {
      b.registerServerChannel(1);
      b.sessionUp(sid, { initiator: false, l2capMtu: 672 }, 0);
      a.sessionUp(sid, { initiator: true, l2capMtu: 672 }, 0);
      dlcOf.set(sid, a.connect(sid, 1, 0));
    }
    const order: number[] = [];
    const pump = (): void => {
      for (let moved = true; moved; ) {
        moved = false;
        const t = a.pollTransmit();
        if (t) {
          order.push(t.sessionId);
          peers.get(t.sessionId)!.receive(t.sessionId, t.sdu, 0);
          moved = true;
        }
        for (const [sid, b] of peers) {
          const r = b.pollTransmit();
          if (r) {
            a.receive(sid, r.sdu, 0);
            moved = true;
          }
          for (let e = b.pollEvent(); e; e = b.pollEvent()) {
            if (e.type === 'dlc-data') {
              received.set(sid, [...(received.get(sid) ?? []), e.data]);
              b.consume(e.dlcId, e.data.length, 0);
            }
          }
        }
        while (a.pollEvent());
      }
    };
    pump();
    const sent = new Map([...peers.keys()].map((sid) => [sid, pattern(sid, 6_000)]));
    for (const [sid, bytes] of sent) expect(a.write(dlcOf.get(sid)!, bytes)).toBe(6_000);
    order.length = 0;
    pump();
    expect(order.slice(0, 6)).toEqual([0x40, 0x42, 0x40, 0x42, 0x40, 0x42]);
    for (const [sid, bytes] of sent) expect(bytesEqual(concat(...(received.get(sid) ?? [])), bytes)).toBe(true);
  });
});
