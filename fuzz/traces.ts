/**
 * Real frames to mutate: the controller side of the captures in ../shared/traces (read at run time,
 * never copied into the project; INDEX.md there says what each file holds). Each layer gets a
 * pool of what a peer or controller really sent, re-aimed at the fuzz world's link: HCI events as
 * they are; L2CAP payloads re-wrapped for the open handle; signaling on CID 1; RFCOMM frames (they
 * decode as one) on the target's RFCOMM channel; SDP PDUs (the header's length fits) on its SDP
 * channel. Mutations: bit flips, a byte set to a boundary, truncation, extra bytes, a length octet
 * off by one; at case level, duplicated, dropped and reordered frames.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRfcommFrame } from '../src/rfcomm/index.js';
import { peekSdpHeader } from '../src/sdp/index.js';
import { readCapture } from '../src/trace/index.js';
import { aclPacket, type Layer, wholePacket } from './generate.js';
import type { Rand } from './random.js';
import type { Aim } from './world.js';

/** Frames per file that are looked at, and per pool that are kept: bounds on start-up time and memory. */
const RECORDS_PER_FILE = 4000;
const POOL_CAP = 4000;

export interface TracePools {
  /** Where the captures were read from, or why there are none. */
  source: string;
  events: Uint8Array[];
  /** L2CAP PDUs (basic header first) of whole ACL start packets from the controller. */
  l2cap: Uint8Array[];
  signaling: Uint8Array[];
  rfcomm: Uint8Array[];
  sdp: Uint8Array[];
}

function push(pool: Uint8Array[], b: Uint8Array): void {
  if (pool.length < POOL_CAP) pool.push(b);
}

export function loadTracePools(dir: string): TracePools {
  const pools: TracePools = { source: dir, events: [], l2cap: [], signaling: [], rfcomm: [], sdp: [] };
  if (!existsSync(dir)) return { ...pools, source: `no ${dir}: trace mutation skipped, structure-aware generation only` };
  const files = readdirSync(dir).filter((f) => /\.(log|pcapng|pklg)$/.test(f)).sort();
  if (files.length === 0) return { ...pools, source: `no captures in ${dir}: trace mutation skipped, structure-aware generation only` };
  for (const file of files) {
    let n = 0;
    try {
      for (const rec of readCapture(readFileSync(join(dir, file)))) {
        if (++n > RECORDS_PER_FILE) break;
        if (rec.direction !== 'rx' || rec.cut) continue;
        const h4 = rec.h4;
        if (rec.kind === 'event') push(pools.events, h4);
        if (rec.kind !== 'acl' || h4.length < 9) continue;
        const pb = (h4[2]! >> 4) & 3;
        const aclLen = h4[3]! | (h4[4]! << 8);
        const pdu = h4.subarray(5);
        const l2Len = pdu[0]! | (pdu[1]! << 8);
        if (pb !== 2 || aclLen !== pdu.length || l2Len + 4 !== pdu.length) continue;
        push(pools.l2cap, pdu);
        const cid = pdu[2]! | (pdu[3]! << 8);
        const payload = pdu.subarray(4);
        if (cid === 0x0001) push(pools.signaling, payload);
        else if (cid >= 0x0040 && isRfcomm(payload)) push(pools.rfcomm, payload);
        else if (cid >= 0x0040 && peekSdpHeader(payload)?.parameterLength === payload.length - 5 && payload[0]! >= 1 && payload[0]! <= 7) push(pools.sdp, payload);
      }
    } catch {
      // A capture this reader cannot finish adds what it yielded before.
    }
  }
  return pools;
}

function isRfcomm(payload: Uint8Array): boolean {
  try {
    decodeRfcommFrame(payload);
    return true;
  } catch {
    return false;
  }
}

export function hasTraces(pools: TracePools): boolean {
  return pools.events.length + pools.l2cap.length > 0;
}

/** One mutation of a frame's octets (a copy). */
export function mutate(r: Rand, b: Uint8Array, lengthOffsets: readonly number[]): Uint8Array {
  const out = Uint8Array.from(b);
  switch (r.below(6)) {
    case 0: {
      for (let i = r.range(1, 3); i > 0 && out.length > 0; i--) out[r.below(out.length)]! ^= 1 << r.below(8);
      return out;
    }
    case 1:
      if (out.length > 0) out[r.below(out.length)] = r.pick([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]);
      return out;
    case 2:
      return out.subarray(0, r.below(out.length + 1));
    case 3:
      return Uint8Array.from([...out, ...r.bytes(r.range(1, 8))]);
    default: {
      const at = r.pick(lengthOffsets);
      if (at < out.length) out[at] = (out[at]! + r.pick([1, 255])) & 0xff;
      return out;
    }
  }
}

const L2CAP_LENGTH_AT = [0, 1];

/** A case of mutated real frames for `layer`, aimed at the world's link (undefined: the pool is empty). */
export function traceCase(layer: Layer, r: Rand, aim: Aim, pools: TracePools): Uint8Array[] | undefined {
  const wrap = (cid: number, payload: Uint8Array) => aclPacket(aim.handle, 2, [payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8, ...payload]);
  const pickFrom = (pool: Uint8Array[], make: (b: Uint8Array) => Uint8Array, lengthAt: readonly number[]) =>
    pool.length === 0 ? undefined : () => make(r.chance(0.85) ? mutate(r, r.pick(pool), lengthAt) : r.pick(pool));
  let one: (() => Uint8Array) | undefined;
  switch (layer) {
    case 'hci':
      // The indicator stays an event's: a broken indicator is the h4 layer's business.
      one = pickFrom(pools.events, (b) => Uint8Array.from([0x04, ...b.subarray(1)]), [2]);
      break;
    case 'acl':
      one = pickFrom(pools.l2cap, (b) => aclPacket(aim.handle, r.chance(0.9) ? 2 : r.below(4), b), L2CAP_LENGTH_AT);
      break;
    case 'l2cap':
      one = pickFrom(pools.signaling, (b) => wrap(0x0001, b), [2, 3]);
      break;
    case 'rfcomm':
      one = pickFrom(pools.rfcomm, (b) => wrap(aim.rfcommCid, b), [2]);
      break;
    case 'sdp':
      one = pickFrom(pools.sdp, (b) => wrap(aim.sdpCid, b), [3, 4]);
      break;
    case 'h4': {
      const all = [...pools.events.slice(0, 500)];
      one = pickFrom(all, (b) => b, [2]);
      break;
    }
  }
  if (!one) return undefined;
  const frames = Array.from({ length: r.chance(0.6) ? 1 : r.range(2, 5) }, one);
  // Case level: a frame twice, two swapped, one dropped.
  if (frames.length > 1 && r.chance(0.3)) frames.push(frames[r.below(frames.length)]!);
  if (frames.length > 1 && r.chance(0.3)) {
    const i = r.below(frames.length);
    const j = r.below(frames.length);
    [frames[i], frames[j]] = [frames[j]!, frames[i]!];
  }
  if (frames.length > 2 && r.chance(0.2)) frames.splice(r.below(frames.length), 1);
  if (layer !== 'h4') return frames;
  // As in generate.ts h4Stream: most streams keep their framing, the rest break it.
  const framed = r.chance(0.7);
  const stream = Uint8Array.from(frames.flatMap((f) => Array.from(framed ? wholePacket(f) : f)));
  const cut = r.below(stream.length + 1);
  return [stream.subarray(0, cut), stream.subarray(cut)].filter((c) => c.length > 0);
}
