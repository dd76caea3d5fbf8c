/**
 * A scripted lower tester for the L2CAP layer: builds frames from hex, feeds them to
 * `receivePdu(handle, frame, now)` with a manual clock, and reads back what the IUT sent.
 * Signaling output is returned as the C-frame payload in hex (`code id len data`), the notation
 * of the scenarios in docs/conformance.md (L1–L27).
 */
import { expect } from 'vitest';
import { fromHex, hex, u16le } from '../../../src/core/index.js';
import { CID, L2capManager, type L2capEvent, type L2capOptions } from '../../../src/l2cap/index.js';

export const HANDLE = 0x000b;
export const PEER = '00:00:00:00:00:01';

/** The whole basic frame (header included) for `payloadHex` on `cid`. */
export function frame(cid: number, payloadHex: string): Uint8Array {
  const payload = fromHex(payloadHex);
  const out = new Uint8Array(4 + payload.length);
  out[0] = payload.length & 0xff;
  out[1] = payload.length >>> 8;
  out[2] = cid & 0xff;
  out[3] = cid >>> 8;
  out.set(payload, 4);
  return out;
}

export class LowerTester {
  readonly l2: L2capManager;
  now = 0;

  constructor(opts: L2capOptions = {}, psms: number[] = []) {
    this.l2 = new L2capManager(opts);
    for (const psm of psms) this.l2.registerPsm(psm);
    this.l2.linkUp(HANDLE, PEER, this.now);
  }

  /** Feeds one C-frame whose payload is `hex`. */
  signal(payloadHex: string): this {
    this.l2.receivePdu(HANDLE, frame(CID.SIGNALING, payloadHex), this.now);
    return this;
  }

  /** Feeds a B-frame on `cid`. */
  data(cid: number, payloadHex: string): this {
    this.l2.receivePdu(HANDLE, frame(cid, payloadHex), this.now);
    return this;
  }

  /** Feeds raw bytes as a whole PDU. */
  raw(pduHex: string): this {
    this.l2.receivePdu(HANDLE, fromHex(pduHex), this.now);
    return this;
  }

  /** Every frame the IUT queued, as `{ cid, payload hex }`, drained. */
  frames(): { handle: number; cid: number; payload: string }[] {
    const out: { handle: number; cid: number; payload: string }[] = [];
    for (let f = this.l2.pollTransmit(); f; f = this.l2.pollTransmit()) {
      if (u16le(f.pdu, 0) !== f.pdu.length - 4) throw new Error(`IUT sent a frame whose length field is wrong: ${hex(f.pdu)}`);
      out.push({ handle: f.handle, cid: u16le(f.pdu, 2), payload: hex(f.pdu.subarray(4), ' ') });
    }
    return out;
  }

  /** The signaling payloads the IUT queued, in hex with spaces, drained; fails on a non-signaling frame. */
  sent(): string[] {
    return this.frames().map((f) => {
      if (f.cid !== CID.SIGNALING) throw new Error(`expected signaling, got a frame on CID 0x${f.cid.toString(16)}`);
      return f.payload;
    });
  }

  events(): L2capEvent[] {
    const out: L2capEvent[] = [];
    for (let e = this.l2.pollEvent(); e; e = this.l2.pollEvent()) out.push(e);
    return out;
  }

  /** Moves the clock to the next deadline (or by `ms`) and fires timers. */
  advance(ms?: number): this {
    const next = ms === undefined ? this.l2.pollTimeout() : this.now + ms;
    if (next === undefined) throw new Error('no timer armed');
    this.now = Math.max(this.now, next);
    this.l2.handleTimeout(this.now);
    return this;
  }

  /** LT connects to the IUT on `psm` with `scid` and completes configuration both ways; returns the IUT's CID. */
  openIncoming(psm: number, scid = 0x0040, ltMtuHex = '30 00'): number {
    const s = scid.toString(16).padStart(4, '0');
    const scidLe = `${s.slice(2)} ${s.slice(0, 2)}`;
    this.signal(`02 71 04 00 ${hex(Uint8Array.of(psm & 0xff, psm >>> 8), ' ')} ${scidLe}`);
    const out = this.sent();
    const rsp = fromHex(out[0]);
    const cid = u16le(rsp, 4);
    const ourReq = fromHex(out[1]);
    this.signal(`04 72 08 00 ${hex(rsp.subarray(4, 6), ' ')} 00 00 01 02 ${ltMtuHex}`);
    this.signal(`05 ${hex(ourReq.subarray(1, 2))} 06 00 ${hex(rsp.subarray(4, 6), ' ')} 00 00 00 00`);
    this.sent();
    this.events();
    return cid;
  }
}

/** The link still answers an Echo Request after whatever came before. */
export function stillAlive(lt: LowerTester): void {
  lt.signal('08 77 02 00 ab cd');
  expect(lt.sent()).toEqual(['09 77 02 00 ab cd']);
}
