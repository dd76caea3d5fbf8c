/**
 * When credits are granted (RFCOMM 1.2 §6.5, docs/rfcomm.md "Flow control"): a DLC that sends too
 * puts its grants on its data frames, a DLC that only receives sends credit-only frames at half the
 * window, and one that has sent and then only receives grants before the peer runs dry.
 */
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/index.js';
import { decodeRfcommFrame } from '../../src/rfcomm/index.js';
import { Pair, pattern, SID_A, writeAll, type Side } from './support/pair.js';

interface Sent {
  credits: number;
  info: number;
  /** Credits the peer held just before the frame left. */
  peerHeld: number;
}

/** The UIH frames that `s` sends on its DLC `dlcId` (DLCI `dlci`) from now on. */
function recordFrames(s: Side, dlcId: number, dlci: number): Sent[] {
  const frames: Sent[] = [];
  const poll = s.rf.pollTransmit.bind(s.rf);
  s.rf.pollTransmit = () => {
    const peerHeld = s.rf.dlcInfo(dlcId)!.rxCredits;
    const out = poll();
    if (out) {
      const f = decodeRfcommFrame(out.sdu);
      if (f.type === 'UIH' && f.dlci === dlci) frames.push({ credits: f.credits ?? 0, info: f.info.length, peerHeld });
    }
    return out;
  };
  return frames;
}

/** N1 666 (L2CAP MTU 672) and a receive cap of 16 frames: a credit window of 16. */
const WINDOW = 16;
const OPTIONS = { maxRxBytes: WINDOW * 666 };

function open(): { p: Pair; a: number; b: number } {
  const p = new Pair(OPTIONS, OPTIONS);
  p.b.rf.registerServerChannel(1);
  const a = p.a.rf.connect(SID_A, 1, p.now);
  p.run();
  const b = p.opened(p.b)[0].dlcId;
  expect(p.a.rf.dlcInfo(a)).toMatchObject({ n1: 666, creditBasedFlowControl: true });
  return { p, a, b };
}

describe('RFCOMM credit grants', () => {
  it('an echo carries its grants in its data frames: no credit-only frame either way', () => {
    const { p, a, b } = open();
    const fromA = recordFrames(p.a, a, 2);
    const fromB = recordFrames(p.b, b, 2);
    const message = pattern(7, 16);
    for (let trip = 0; trip < 200; trip++) {
      p.a.rf.write(a, message);
      p.run();
      p.b.rf.write(b, message);
      p.run();
    }
    expect(bytesEqual(p.data(p.a, a).subarray(-16), message)).toBe(true);
    expect(p.data(p.b, b)).toHaveLength(200 * 16);
    for (const frames of [fromA, fromB]) {
      expect(frames.filter((f) => f.info === 0)).toEqual([]);
      // 200 frames each way through a window of 16: the grants went, on data frames.
      expect(frames.reduce((n, f) => n + f.credits, 0)).toBeGreaterThanOrEqual(200 - WINDOW);
    }
  });

  it('a DLC that only receives grants at half the window, in credit-only frames', () => {
    const { p, a, b } = open();
    const fromB = recordFrames(p.b, b, 2);
    const sent = pattern(1, 100_000);
    writeAll(p, p.a, a, sent);
    p.run();
    expect(bytesEqual(p.data(p.b, b), sent)).toBe(true);
    expect(fromB.length).toBeGreaterThan(0);
    for (const f of fromB) {
      expect(f.info).toBe(0);
      expect(f.credits).toBeGreaterThan(0);
      expect(f.peerHeld).toBeLessThanOrEqual(WINDOW / 2);
    }
    // Not all of them waited for the quarter.
    expect(fromB.some((f) => f.peerHeld > WINDOW / 4)).toBe(true);
  });

  it('a DLC that sent and then only receives grants once the peer holds a quarter of the window, and the transfer never stalls', () => {
    const { p, a, b } = open();
    p.b.rf.write(b, pattern(3, 10));
    p.run();
    const fromB = recordFrames(p.b, b, 2);
    const sent = pattern(4, 100_000);
    writeAll(p, p.a, a, sent);
    p.run();
    expect(bytesEqual(p.data(p.b, b), sent)).toBe(true);
    expect(fromB.every((f) => f.info === 0)).toBe(true);
    // The first grant waited until the peer held a quarter of the window or less.
    expect(fromB[0].peerHeld).toBeLessThanOrEqual(WINDOW / 4);
    // Later ones, with nothing sent in between, go at half again.
    expect(fromB.slice(1).some((f) => f.peerHeld > WINDOW / 4)).toBe(true);
    expect(fromB.every((f) => f.peerHeld <= WINDOW / 2)).toBe(true);
  });
});
