import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { SCAN_ENABLE } from '../../src/hci/index.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { VirtualController } from '../../src/transport/virtual/controller.js';
import { addrParam, bench, connect, connectedBench, createConnectionParams, eventAddr, initialisedBench, le16, page, ScriptedHost, u16le } from './support/scripted-host.js';

const PAGE_TIMEOUT_MS = 0x2000 * 0.625 * 0.01; // default page timeout × default timeScale

describe('virtual controller: paging', () => {
  it('two controllers page each other: Connection Request, accept, Connection Complete on both', () => {
    const t = initialisedBench();
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    expect(t.a.events().map((e) => hex(e.params))).toEqual(['00010504']);
    const req = t.b.events();
    expect(req).toHaveLength(1);
    expect(req[0].code).toBe(0x04);
    expect(eventAddr(req[0].params, 0)).toBe(t.a.address);
    expect(req[0].params[9]).toBe(0x01);
    t.b.send(OP.ACCEPT_CONNECTION_REQUEST, addrParam(t.a.address), 0x01);
    const ea = t.a.events();
    const eb = t.b.events();
    expect(eb[0]).toEqual({ code: 0x0f, params: Uint8Array.of(0, 1, 0x09, 0x04) });
    const ca = ea.find((e) => e.code === 0x03)!;
    const cb = eb.find((e) => e.code === 0x03)!;
    expect(ca.params[0]).toBe(0);
    expect(cb.params[0]).toBe(0);
    expect(eventAddr(ca.params, 3)).toBe(t.b.address);
    expect(eventAddr(cb.params, 3)).toBe(t.a.address);
    expect(u16le(ca.params, 1)).not.toBe(u16le(cb.params, 1));
    expect(ca.params[9]).toBe(0x01); // ACL
  });

  it('only a page-scanning controller can be paged: Page Timeout (0x04) after the page timeout', () => {
    const t = bench();
    t.a.init();
    t.b.init({ scan: 1 });
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    t.a.drain();
    expect(t.b.events()).toEqual([]);
    t.advance(PAGE_TIMEOUT_MS - 1);
    expect(t.a.events()).toEqual([]);
    t.advance(1);
    const cc = t.a.events();
    expect(cc.map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x04]]);
  });

  it('paging an address nobody has ends in Page Timeout', () => {
    const t = bench();
    t.a.init();
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams('00:AA:01:01:00:09'));
    t.a.drain();
    t.advance(PAGE_TIMEOUT_MS);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x04]]);
  });

  it('Reject Connection Request gives both hosts Connection Complete with the reason', () => {
    const t = initialisedBench();
    page(t);
    t.b.send(OP.REJECT_CONNECTION_REQUEST, addrParam(t.a.address), 0x0f);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x03, 0x0f],
    ]);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x0f]]);
  });

  it('a reject reason outside 0x0D..0x0F is invalid', () => {
    const t = initialisedBench();
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    t.b.drain();
    t.b.send(OP.REJECT_CONNECTION_REQUEST, addrParam(t.a.address), 0x13);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x12]]);
  });

  it('a silent host lets the connection accept timeout expire (0x10 on both)', () => {
    const t = initialisedBench();
    page(t);
    t.advance(0x1f40 * 0.625);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x10]]);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x10]]);
  });

  it('Create Connection Cancel ends the page with Unknown Connection Identifier (0x02)', () => {
    const t = initialisedBench();
    page(t);
    t.a.send(OP.CREATE_CONNECTION_CANCEL, addrParam(t.b.address));
    const ea = t.a.events();
    expect(ea.map((e) => [e.code, e.code === 0x0e ? e.params[3] : e.params[0]])).toEqual([
      [0x0e, 0x00],
      [0x03, 0x02],
    ]);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x02]]);
    t.b.send(OP.ACCEPT_CONNECTION_REQUEST, addrParam(t.a.address), 0x01);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x02]]);
    t.a.send(OP.CREATE_CONNECTION_CANCEL, addrParam(t.b.address));
    expect(t.a.events()[0].params[3]).toBe(0x02);
  });

  it('Create Connection to a connected peer is Connection Already Exists (0x0B)', () => {
    const t = connectedBench();
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x0b]]);
  });

  it('auto-accepts with the Set Event Filter connection setup auto-accept flag', () => {
    const t = initialisedBench();
    expect(t.b.command(OP.SET_EVENT_FILTER, 0x02, 0x00, 0x02)[0]).toBe(0);
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x03, 0x00],
    ]);
    expect(t.b.events().map((e) => [e.code, e.params[0]])).toEqual([[0x03, 0x00]]);
  });
});

describe('virtual controller: ACL data', () => {
  it('ACL crosses when transmitted and the sender gets Number Of Completed Packets', () => {
    const t = connectedBench();
    const { ha, hb } = t;
    const data = Uint8Array.of(4, 0, 0x40, 0, 1, 2, 3, 4);
    t.a.sendAcl(ha, data, 0b00);
    expect(t.b.drain()).toEqual([]);
    t.tick();
    expect(t.b.drain()).toEqual([{ kind: 'acl', handle: hb, pb: 0b10, data }]);
    expect(t.a.events()).toEqual([{ code: 0x13, params: Uint8Array.of(1, ha & 0xff, ha >> 8, 1, 0) }]);
    t.b.sendAcl(hb, Uint8Array.of(9), 0b01);
    t.tick();
    expect(t.a.drain()).toEqual([{ kind: 'acl', handle: ha, pb: 0b01, data: Uint8Array.of(9) }]);
  });

  it('never holds more than the ACL count: one more is a Data Buffer Overflow', () => {
    const t = connectedBench({ aclCount: 3 });
    const { ha } = t;
    for (let i = 0; i < 4; i++) t.a.sendAcl(ha, Uint8Array.of(i));
    expect(t.a.c.connections.buffersInUse).toBe(3);
    expect(t.a.events()).toEqual([{ code: 0x1a, params: Uint8Array.of(0x01) }]);
    expect(t.a.c.stats.dataBufferOverflows).toBe(1);
    t.tick();
    expect(t.b.drain().map((r) => (r.kind === 'acl' ? r.data[0] : -1))).toEqual([0, 1, 2]);
    const nocp = t.a.events();
    expect(nocp).toEqual([{ code: 0x13, params: Uint8Array.of(1, ha & 0xff, ha >> 8, 3, 0) }]);
    expect(t.a.c.connections.buffersInUse).toBe(0);
  });

  it('drops ACL longer than the ACL size and ACL for an unknown handle', () => {
    const t = connectedBench({ aclSize: 27 });
    const { ha } = t;
    t.a.sendAcl(ha, new Uint8Array(28));
    t.a.sendAcl(0x0eee, new Uint8Array(4));
    t.a.sendAcl(ha, new Uint8Array(27));
    t.tick();
    expect(t.b.drain().map((r) => (r.kind === 'acl' ? r.data.length : -1))).toEqual([27]);
    expect(t.a.c.stats.droppedAclOversized).toBe(1);
    expect(t.a.c.stats.droppedAclUnknownHandle).toBe(1);
  });

  it('splits data for the receiving host to its Host Buffer Size', () => {
    const t = initialisedBench();
    t.b.command(OP.HOST_BUFFER_SIZE, le16(100), 0, le16(8), le16(0));
    const { ha, hb } = connect(t);
    const data = Uint8Array.from({ length: 250 }, (_, i) => i);
    t.a.sendAcl(ha, data);
    t.tick();
    const got = t.b.drain();
    expect(got.map((r) => (r.kind === 'acl' ? [r.handle, r.pb, r.data.length] : []))).toEqual([
      [hb, 0b10, 100],
      [hb, 0b01, 100],
      [hb, 0b01, 50],
    ]);
    expect(Uint8Array.from(got.flatMap((r) => (r.kind === 'acl' ? [...r.data] : [])))).toEqual(data);
  });

  it('air time delays transmission and Number Of Completed Packets', () => {
    const t = connectedBench({ aclAirTimeMs: 5 });
    const { ha } = t;
    t.a.sendAcl(ha, Uint8Array.of(1));
    t.advance(4);
    expect(t.b.drain()).toEqual([]);
    t.advance(1);
    expect(t.b.drain()).toHaveLength(1);
    expect(t.a.events().map((e) => e.code)).toEqual([0x13]);
  });
});

describe('virtual controller: disconnection and faults', () => {
  it('Disconnect: Command Status, 0x16 locally and the given reason remotely', () => {
    const t = connectedBench();
    const { ha, hb } = t;
    t.a.send(OP.DISCONNECT, le16(ha), 0x13);
    expect(t.a.events()).toEqual([
      { code: 0x0f, params: Uint8Array.of(0, 1, 0x06, 0x04) },
      { code: 0x05, params: Uint8Array.of(0, ha & 0xff, ha >> 8, 0x16) },
    ]);
    expect(t.b.events()).toEqual([{ code: 0x05, params: Uint8Array.of(0, hb & 0xff, hb >> 8, 0x13) }]);
    t.a.send(OP.DISCONNECT, le16(ha), 0x13);
    expect(t.a.events().map((e) => e.params[0])).toEqual([0x02]);
  });

  it('Disconnect with a reason Disconnect does not allow is invalid', () => {
    const t = connectedBench();
    const { ha } = t;
    t.a.send(OP.DISCONNECT, le16(ha), 0x16);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x12]]);
  });

  it('data queued before Disconnect still reaches the peer, with no completion for it', () => {
    const t = connectedBench();
    const { ha } = t;
    t.a.sendAcl(ha, Uint8Array.of(7));
    t.a.send(OP.DISCONNECT, le16(ha), 0x13);
    expect(t.b.drain().map((r) => r.kind)).toEqual(['acl', 'event']);
    t.tick();
    expect(t.a.events().map((e) => e.code)).toEqual([0x0f, 0x05]);
  });

  it('link loss: both hosts get Disconnection Complete with Connection Timeout (0x08)', () => {
    const t = connectedBench();
    const { ha, hb } = t;
    t.a.sendAcl(ha, Uint8Array.of(1));
    expect(t.link.loseConnection(t.a.address, t.b.address, t.clock.now)).toBe(true);
    expect(t.a.events()).toEqual([{ code: 0x05, params: Uint8Array.of(0, ha & 0xff, ha >> 8, 0x08) }]);
    expect(t.b.events()).toEqual([{ code: 0x05, params: Uint8Array.of(0, hb & 0xff, hb >> 8, 0x08) }]);
    t.tick();
    expect(t.a.drain()).toEqual([]);
    expect(t.b.drain()).toEqual([]);
    expect(t.link.loseConnection(t.a.address, t.b.address, t.clock.now)).toBe(false);
  });

  it('drop fault: the next N packets are lost but still completed for the sender', () => {
    const t = connectedBench();
    const { ha } = t;
    t.link.dropNextAcl(2);
    for (let i = 0; i < 3; i++) t.a.sendAcl(ha, Uint8Array.of(i));
    t.tick();
    expect(t.b.drain().map((r) => (r.kind === 'acl' ? r.data[0] : -1))).toEqual([2]);
    expect(t.a.events()[0].params[3]).toBe(3);
    expect(t.link.stats.aclDropped).toBe(2);
  });

  it('drop rate: seeded, reproducible and roughly the fraction asked', () => {
    const run = (seed: number): number[] => {
      const t = connectedBench({ seed, aclCount: 10 });
      const { ha } = t;
      t.link.setDropRate(0.3);
      const got: number[] = [];
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 10; i++) t.a.sendAcl(ha, Uint8Array.of(round * 10 + i));
        t.tick();
        for (const r of t.b.drain()) if (r.kind === 'acl') got.push(r.data[0]);
      }
      return got;
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(run(43)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(100);
    expect(first.length).toBeLessThan(180);
    expect([...first].sort((x, y) => x - y)).toEqual(first);
  });

  it('delay fault: packets arrive N ms later, in order', () => {
    const t = connectedBench();
    const { ha } = t;
    t.link.setDelay(30);
    t.a.sendAcl(ha, Uint8Array.of(1));
    t.a.sendAcl(ha, Uint8Array.of(2));
    t.tick();
    expect(t.a.events().map((e) => e.code)).toEqual([0x13]);
    t.advance(29);
    expect(t.b.drain()).toEqual([]);
    t.advance(1);
    expect(t.b.drain().map((r) => (r.kind === 'acl' ? r.data[0] : -1))).toEqual([1, 2]);
  });

  it('Reset drops the links: the peer sees a Connection Timeout', () => {
    const t = connectedBench();
    const { hb } = t;
    t.a.command(OP.RESET);
    expect(t.b.events()).toEqual([{ code: 0x05, params: Uint8Array.of(0, hb & 0xff, hb >> 8, 0x08) }]);
  });

  it('detaching a controller ends its links with Power Off (0x15) at the peer', () => {
    const t = connectedBench();
    const { hb } = t;
    t.a.c.detach(t.clock.now);
    expect(t.b.events()).toEqual([{ code: 0x05, params: Uint8Array.of(0, hb & 0xff, hb >> 8, 0x15) }]);
    expect(t.link.find(t.a.address)).toBeUndefined();
  });

  it('reads remote features, extended features and version over a connection', () => {
    const t = bench();
    t.a.init();
    t.b.init({ ssp: true });
    const { ha } = connect(t);
    t.a.send(OP.READ_REMOTE_SUPPORTED_FEATURES, le16(ha));
    t.a.send(OP.READ_REMOTE_EXTENDED_FEATURES, le16(ha), 1);
    t.a.send(OP.READ_REMOTE_VERSION_INFORMATION, le16(ha));
    const evs = t.a.events().filter((e) => e.code !== 0x0f);
    expect(evs.map((e) => e.code)).toEqual([0x0b, 0x23, 0x0c]);
    expect(evs[0].params[3 + 6] & 0x08).toBe(0x08);
    expect(hex(evs[1].params.subarray(3, 6))).toBe('010201');
    expect(evs[2].params[3]).toBe(0x0d);
  });
});

describe('virtual controller: connection handles', () => {
  it('gives every handle 0x000..0xEFF to a link once, then answers Connection Limit Exceeded (0x09), never spinning', () => {
    const t = bench();
    t.a.init();
    const hub = t.a;
    const handles = new Set<number>();
    const peerAddress = (i: number) => `00:BB:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
    for (let i = 0; i <= 0xf00; i++) {
      const peer = new VirtualController(t.link, { address: peerAddress(i) });
      peer.settings.scanEnable = SCAN_ENABLE.PAGE;
      peer.settings.autoAccept = true;
      hub.send(OP.CREATE_CONNECTION, ...createConnectionParams(peer.address));
      const complete = hub.events().find((e) => e.code === 0x03)!;
      if (i < 0xf00) {
        expect(complete.params[0]).toBe(0x00);
        handles.add(u16le(complete.params, 1));
      } else {
        expect(complete.params[0]).toBe(0x09);
      }
    }
    expect(handles.size).toBe(0xf00);
    expect(Math.max(...handles)).toBe(0xeff);
    expect(Math.min(...handles)).toBe(0);
  });

  it('reuses a handle only after its link ended: 5000 links one after another, each handle unique among the live ones', () => {
    const t = initialisedBench({ maxConnections: 3 });
    const live: number[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const { ha } = connect(t);
      expect(live).not.toContain(ha);
      seen.add(ha);
      live.push(ha);
      t.a.send(OP.DISCONNECT, le16(ha), 0x13);
      t.a.drain();
      t.b.drain();
      live.splice(live.indexOf(ha), 1);
    }
    // The search moves on from the last handle given, so the whole space was used before any came again.
    expect(seen.size).toBe(0xf00);
  });

  it('a controller at maxConnections refuses a page with Connection Limit Exceeded; a paged controller at its limit rejects (0x0D)', () => {
    const t = initialisedBench({ maxConnections: 1 });
    connect(t);
    const third = new VirtualController(t.link, { address: '00:AA:01:01:00:07', maxConnections: 1 });
    third.settings.scanEnable = SCAN_ENABLE.PAGE;
    third.settings.autoAccept = true;
    t.a.send(OP.CREATE_CONNECTION, ...createConnectionParams(third.address));
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x03, 0x09],
    ]);
    const pager = new ScriptedHost(new VirtualController(t.link, { address: '00:AA:01:01:00:08' }), t.clock);
    pager.init();
    pager.send(OP.CREATE_CONNECTION, ...createConnectionParams(t.b.address));
    expect(pager.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x03, 0x0d],
    ]);
    expect(t.b.events()).toEqual([]);
  });
});
