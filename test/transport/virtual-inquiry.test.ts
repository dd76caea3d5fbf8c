import { describe, expect, it } from 'vitest';
import { fromHex, fromUtf8, hex } from '../../src/core/index.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { addrParam, bench, connectedBench, eventAddr, initialisedBench } from './support/scripted-host.js';

const GIAC = fromHex('33 8b 9e');
const UNIT_MS = 1280 * 0.01; // 1.28 s × default timeScale

describe('virtual controller: inquiry', () => {
  it('finds the inquiry-scanning peer with its name in the EIR, then Inquiry Complete after the length', () => {
    const t = bench();
    t.a.init({ inquiryMode: 2 });
    t.b.init();
    t.a.send(OP.INQUIRY, GIAC, 8, 0);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x00]]);
    t.advance((8 * UNIT_MS) / 10);
    const results = t.a.events();
    expect(results.map((e) => e.code)).toEqual([0x2f]);
    const r = results[0].params;
    expect(r.length).toBe(255);
    expect(r[0]).toBe(1);
    expect(eventAddr(r, 1)).toBe(t.b.address);
    const eir = r.subarray(15);
    expect(eir.length).toBe(240);
    expect(eir[1]).toBe(0x09);
    expect(fromUtf8(eir.subarray(2, 1 + eir[0]))).toBe('bravo');
    t.advance(8 * UNIT_MS - (8 * UNIT_MS) / 10 - 0.5);
    expect(t.a.events()).toEqual([]);
    t.advance(0.5);
    expect(t.a.events()).toEqual([{ code: 0x01, params: Uint8Array.of(0) }]);
  });

  it('reports the EIR the peer host wrote, when it wrote one', () => {
    const t = bench();
    t.a.init({ inquiryMode: 2 });
    t.b.init();
    const eir = new Uint8Array(240);
    eir.set(fromHex('05 09 74 65 73 74 03 03 01 11'));
    t.b.command(OP.WRITE_EXTENDED_INQUIRY_RESPONSE, 1, eir);
    t.a.send(OP.INQUIRY, GIAC, 1, 0);
    t.advance(UNIT_MS);
    const ev = t.a.events().find((e) => e.code === 0x2f)!;
    expect(hex(ev.params.subarray(15, 25))).toBe('05097465737403030111');
  });

  it('standard and RSSI modes use Inquiry Result and Inquiry Result with RSSI', () => {
    for (const [mode, code, length, rssiAt] of [
      [0, 0x02, 15, -1],
      [1, 0x22, 15, 14],
    ] as const) {
      const t = bench({ rssi: -60 });
      t.a.init({ inquiryMode: mode });
      t.b.init();
      t.b.command(OP.WRITE_CLASS_OF_DEVICE, fromHex('0c 02 5a'));
      t.a.send(OP.INQUIRY, GIAC, 1, 0);
      t.advance(UNIT_MS);
      const evs = t.a.events();
      const result = evs.find((e) => e.code === code)!;
      expect(result.params.length).toBe(length);
      expect(eventAddr(result.params, 1)).toBe(t.b.address);
      const codAt = mode === 0 ? 10 : 9;
      expect(hex(result.params.subarray(codAt, codAt + 3))).toBe('0c025a');
      if (rssiAt >= 0) expect(result.params[rssiAt]).toBe(256 - 60);
      expect(evs.at(-1)!.code).toBe(0x01);
    }
  });

  it('only inquiry-scanning controllers are found', () => {
    const t = bench();
    t.a.init();
    t.b.init({ scan: 2 });
    t.a.send(OP.INQUIRY, GIAC, 2, 0);
    t.advance(2 * UNIT_MS);
    expect(t.a.events().map((e) => e.code)).toEqual([0x0f, 0x01]);
  });

  it('Num_Responses ends the inquiry as soon as it is reached', () => {
    const t = initialisedBench();
    t.a.send(OP.INQUIRY, GIAC, 0x30, 1);
    t.advance((0x30 * UNIT_MS) / 10);
    expect(t.a.events().map((e) => e.code)).toEqual([0x0f, 0x02, 0x01]);
    expect(t.a.c.pollTimeout()).toBeUndefined();
  });

  it('Inquiry Cancel stops it without Inquiry Complete; a second cancel is disallowed', () => {
    const t = initialisedBench();
    t.a.send(OP.INQUIRY, GIAC, 4, 0);
    t.a.send(OP.INQUIRY, GIAC, 4, 0);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x0f, 0x0c],
    ]);
    expect(t.a.command(OP.INQUIRY_CANCEL)[0]).toBe(0);
    t.advance(10 * UNIT_MS);
    expect(t.a.events()).toEqual([]);
    expect(t.a.command(OP.INQUIRY_CANCEL)[0]).toBe(0x0c);
  });

  it('an inquiry length outside 1..0x30 is invalid', () => {
    const t = bench();
    t.a.init();
    t.a.send(OP.INQUIRY, GIAC, 0x31, 0);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x12]]);
  });
});

describe('virtual controller: remote name', () => {
  it('returns the page-scanning peer’s name', () => {
    const t = bench();
    t.a.init();
    t.b.init({ scan: 2 });
    t.a.send(OP.REMOTE_NAME_REQUEST, addrParam(t.b.address), 1, 0, 0, 0);
    expect(t.a.events().map((e) => e.code)).toEqual([0x0f]);
    t.advance(1);
    const ev = t.a.events();
    expect(ev.map((e) => e.code)).toEqual([0x07]);
    expect(ev[0].params.length).toBe(255);
    expect(ev[0].params[0]).toBe(0);
    expect(eventAddr(ev[0].params, 1)).toBe(t.b.address);
    expect(fromUtf8(ev[0].params.subarray(7, 12))).toBe('bravo');
    expect(ev[0].params[12]).toBe(0);
  });

  it('works over a connection even when the peer stopped scanning', () => {
    const t = connectedBench();
    t.b.command(OP.WRITE_SCAN_ENABLE, 0);
    t.a.send(OP.REMOTE_NAME_REQUEST, addrParam(t.b.address), 1, 0, 0, 0);
    t.advance(1);
    expect(t.a.events().at(-1)!.params[0]).toBe(0);
  });

  it('a peer that does not scan: Page Timeout after the page timeout', () => {
    const t = bench();
    t.a.init();
    t.b.init({ scan: 0 });
    t.a.send(OP.REMOTE_NAME_REQUEST, addrParam(t.b.address), 1, 0, 0, 0);
    t.a.drain();
    t.advance(0x2000 * 0.625 * 0.01);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x07, 0x04]]);
  });

  it('Remote Name Request Cancel ends it with Unknown Connection Identifier', () => {
    const t = bench();
    t.a.init();
    t.b.init({ scan: 0 });
    t.a.send(OP.REMOTE_NAME_REQUEST, addrParam(t.b.address), 1, 0, 0, 0);
    t.a.drain();
    t.a.send(OP.REMOTE_NAME_REQUEST_CANCEL, addrParam(t.b.address));
    expect(t.a.events().map((e) => [e.code, e.code === 0x0e ? e.params[3] : e.params[0]])).toEqual([
      [0x0e, 0x00],
      [0x07, 0x02],
    ]);
    expect(t.a.c.pollTimeout()).toBeUndefined();
  });
});
