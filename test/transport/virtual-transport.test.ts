import { describe, expect, it } from 'vitest';
import { bdAddrToBytes, concat, fromHex } from '../../src/core/index.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { encodeAcl, encodeCommand } from '../../src/transport/virtual/h4.js';
import { createVirtualPair } from '../../src/transport/virtual/pair.js';
import type { VirtualController } from '../../src/transport/virtual/controller.js';
import { VirtualTransport } from '../../src/transport/virtual/virtual-transport.js';
import { EventCollector } from './support/h4-events.js';

async function command(t: VirtualTransport, ev: EventCollector, opcode: number, params: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  const cc = ev.commandComplete(opcode);
  t.write(encodeCommand(opcode, params));
  return (await cc).params.slice(3);
}

describe('VirtualTransport and createVirtualPair', () => {
  it('answers after write returns, never inside it', async () => {
    const { a, b } = createVirtualPair();
    let inside = false;
    let deliveredInside = false;
    a.onData(() => {
      if (inside) deliveredInside = true;
    });
    const ev = new EventCollector(a);
    const cc = ev.commandComplete(OP.RESET);
    inside = true;
    a.write(fromHex('01 03 0c 00'));
    inside = false;
    expect((await cc).params[3]).toBe(0);
    expect(deliveredInside).toBe(false);
    await a.close();
    await b.close();
  });

  it('two hosts on a pair: addresses, configured buffers, connect, ACL with completions, disconnect by close', async () => {
    const { a, b, link } = createVirtualPair({ aclSize: 100, aclCount: 2, names: ['left', 'right'] });
    expect(a.description).toBe('virtual 00:AA:01:01:00:01');
    expect(b.description).toBe('virtual 00:AA:01:01:00:02');
    const ea = new EventCollector(a);
    const eb = new EventCollector(b);
    const buf = await command(a, ea, OP.READ_BUFFER_SIZE);
    expect([buf[1] | (buf[2] << 8), buf[4] | (buf[5] << 8)]).toEqual([100, 2]);
    for (const [t, e] of [
      [a, ea],
      [b, eb],
    ] as const) {
      await command(t, e, OP.SET_EVENT_MASK, fromHex('ff ff ff ff ff ff ff 3f'));
      await command(t, e, OP.WRITE_SCAN_ENABLE, Uint8Array.of(3));
    }
    const request = eb.next((e) => e.code === 0x04);
    a.write(encodeCommand(OP.CREATE_CONNECTION, concat(bdAddrToBytes('00:AA:01:01:00:02'), fromHex('18 cc 01 00 00 00 01'))));
    await request;
    const ccA = ea.next((e) => e.code === 0x03);
    const ccB = eb.next((e) => e.code === 0x03);
    b.write(encodeCommand(OP.ACCEPT_CONNECTION_REQUEST, concat(bdAddrToBytes('00:AA:01:01:00:01'), Uint8Array.of(1))));
    const [ca, cb] = await Promise.all([ccA, ccB]);
    expect([ca.params[0], cb.params[0]]).toEqual([0, 0]);
    const ha = ca.params[1] | (ca.params[2] << 8);

    const total = 50;
    let completed = 0;
    let inFlight = 0;
    let sent = 0;
    let maxInFlight = 0;
    const allArrived = new Promise<void>((resolve) => {
      const check = () => (eb.acl.length === total ? resolve() : setImmediate(check));
      check();
    });
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (inFlight < 2 && sent < total) {
          a.write(encodeAcl(ha, 0b10, 0, Uint8Array.of(sent++)));
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
        }
        if (completed === total) return resolve();
        void ea.next((e) => e.code === 0x13).then((e) => {
          const n = e.params[3] | (e.params[4] << 8);
          completed += n;
          inFlight -= n;
          pump();
        });
      };
      pump();
    });
    await allArrived;
    expect(eb.acl.map((p) => p[5])).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(maxInFlight).toBe(2);
    expect(ea.events.some((e) => e.code === 0x1a)).toBe(false);
    expect(link.stats.aclCarried).toBe(total);

    const gone = eb.next((e) => e.code === 0x05);
    await a.close();
    expect((await gone).params[3]).toBe(0x15);
    expect(() => a.write(fromHex('01 03 0c 00'))).toThrow(/closed/);
    await b.close();
  });

  it('runs the simulated radio on real timers: inquiry completes', async () => {
    const { a, b } = createVirtualPair({ timeScale: 0.001 });
    const ea = new EventCollector(a);
    const eb = new EventCollector(b);
    await command(b, eb, OP.WRITE_SCAN_ENABLE, Uint8Array.of(1));
    const result = ea.next((e) => e.code === 0x02);
    const done = ea.next((e) => e.code === 0x01);
    a.write(encodeCommand(OP.INQUIRY, fromHex('33 8b 9e 02 00')));
    expect((await result).params.subarray(1, 7)).toEqual(bdAddrToBytes('00:AA:01:01:00:02'));
    expect((await done).params[0]).toBe(0);
    await a.close();
    await b.close();
  });

  it('holds output until a data handler is registered', async () => {
    const { a, b } = createVirtualPair();
    a.write(fromHex('01 03 0c 00'));
    await new Promise((r) => setImmediate(r));
    const ea = new EventCollector(a);
    const cc = ea.commandComplete(OP.RESET);
    expect((await cc).params[3]).toBe(0);
    await a.close();
    await b.close();
  });
  it('lets the event loop turn once due deadlines have been handled inline for 4 ms', async () => {
    let clock = 0;
    // Each reading of the clock is a millisecond later: handling a deadline "takes" about that long.
    const { transport, handled } = alwaysDue('00:AA:01:01:00:0A', () => clock++);
    for (let i = 0; i < 20; i++) await null;
    const inline = handled();
    expect(inline).toBeGreaterThan(1);
    expect(inline).toBeLessThanOrEqual(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled()).toBeGreaterThan(inline);
    await transport.close();
  });

  it('handles deadlines already due in microtasks, a bounded number of times before the event loop turns', async () => {
    // The transport must neither wait a loop iteration for each deadline nor starve the loop,
    // even when its clock stands still.
    const { transport, handled } = alwaysDue('00:AA:01:01:00:09', () => 1);
    await null;
    await null;
    const inline = handled();
    expect(inline).toBeGreaterThan(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled()).toBeGreaterThan(inline);
    await transport.close();
    const atClose = handled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled()).toBe(atClose);
  });
});

/** A transport on a stand-in controller whose next deadline is always due; counts the deadlines handled. */
function alwaysDue(address: string, clock: () => number): { transport: VirtualTransport; handled: () => number } {
  let handled = 0;
  const controller = {
    address,
    link: {},
    onWake: undefined as (() => void) | undefined,
    pollTransmit: () => undefined,
    pollTimeout: () => 0,
    handleTimeout: () => void handled++,
    detach: () => undefined,
  };
  const transport = new VirtualTransport(controller as unknown as VirtualController, clock);
  transport.onData(() => undefined);
  return { transport, handled: () => handled };
}
