import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/index.js';
import { IO_CAPABILITIES, IO_CAPABILITY } from '../../src/security/index.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { addrParam, bench, connect, eventAddr, le16, u32le, type Bench, type ScriptedHost } from './support/scripted-host.js';

const { DisplayOnly: DO, DisplayYesNo: DYN, KeyboardOnly: KO, NoInputNoOutput: NIO } = IO_CAPABILITY;

/** Core v5.4 Vol 3 Part C §5.2.2.6, table 5.7 (initiator row × responder column). */
const TABLE: Record<number, Record<number, string>> = {
  [DO]: { [DO]: 'just-works', [DYN]: 'just-works', [KO]: 'passkey-initiator-displays', [NIO]: 'just-works' },
  [DYN]: { [DO]: 'just-works', [DYN]: 'numeric-comparison', [KO]: 'passkey-initiator-displays', [NIO]: 'just-works' },
  [KO]: { [DO]: 'passkey-responder-displays', [DYN]: 'passkey-responder-displays', [KO]: 'passkey-both-input', [NIO]: 'just-works' },
  [NIO]: { [DO]: 'just-works', [DYN]: 'just-works', [KO]: 'just-works', [NIO]: 'just-works' },
};

interface Policy {
  io?: number;
  /** Authentication_Requirements of the IO Capability Reply; default 0x03 (MITM, dedicated bonding). */
  authReq?: number;
  linkKey?: Uint8Array;
  confirm?: boolean;
  /** Passkey to type; by default the one the peer displayed. */
  passkey?: number | null;
  pin?: string | null;
}

/** Answers pairing events like a host with the given policy until both sides are quiet. */
function runPairing(t: Bench, policies: { a: Policy; b: Policy }): { a: number[]; b: number[]; displayed: number | undefined; log: { a: Uint8Array[]; b: Uint8Array[] } } {
  const codes = { a: [] as number[], b: [] as number[] };
  const log = { a: [] as Uint8Array[], b: [] as Uint8Array[] };
  let displayed: number | undefined;
  for (let round = 0; round < 20; round++) {
    let busy = false;
    const pending = { a: t.a.events(), b: t.b.events() };
    for (const e of [...pending.a, ...pending.b]) if (e.code === 0x3b) displayed = u32le(e.params, 6);
    for (const side of ['a', 'b'] as const) {
      const host: ScriptedHost = t[side];
      const policy = policies[side];
      for (const e of pending[side]) {
        if (e.code === 0x0e || e.code === 0x0f) continue;
        busy = true;
        codes[side].push(e.code);
        log[side].push(e.params);
        if (e.code === 0x06 || e.code === 0x36) continue;
        const peer = addrParam(eventAddr(e.params, 0));
        switch (e.code) {
          case 0x17:
            if (policy.linkKey) host.send(OP.LINK_KEY_REQUEST_REPLY, peer, policy.linkKey);
            else host.send(OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, peer);
            break;
          case 0x31:
            host.send(OP.IO_CAPABILITY_REQUEST_REPLY, peer, policy.io ?? NIO, 0, policy.authReq ?? 0x03);
            break;
          case 0x33:
            host.send(policy.confirm === false ? OP.USER_CONFIRMATION_REQUEST_NEGATIVE_REPLY : OP.USER_CONFIRMATION_REQUEST_REPLY, peer);
            break;
          case 0x34: {
            const value = policy.passkey === undefined ? displayed ?? 123456 : policy.passkey;
            if (value === null) host.send(OP.USER_PASSKEY_REQUEST_NEGATIVE_REPLY, peer);
            else host.send(OP.USER_PASSKEY_REQUEST_REPLY, peer, Uint8Array.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24));
            break;
          }
          case 0x16:
            if (policy.pin === null || policy.pin === undefined) host.send(OP.PIN_CODE_REQUEST_NEGATIVE_REPLY, peer);
            else {
              const pin = new Uint8Array(16);
              pin.set(utf8(policy.pin));
              host.send(OP.PIN_CODE_REQUEST_REPLY, peer, policy.pin.length, pin);
            }
            break;
        }
      }
    }
    if (!busy) break;
  }
  return { ...codes, displayed, log };
}

function setup(options: { sspA?: boolean; sspB?: boolean; sc?: boolean } = {}): Bench & { ha: number; hb: number } {
  const t = bench({ seed: 7 });
  t.a.init({ ssp: options.sspA ?? true, sc: options.sc });
  t.b.init({ ssp: options.sspB ?? true, sc: options.sc });
  return Object.assign(t, connect(t));
}

function expectedSequence(model: string): { a: number[]; b: number[] } {
  const ioA = [0x17, 0x31, 0x32];
  const ioB = [0x32, 0x31];
  const done = [0x36, 0x18];
  switch (model) {
    case 'passkey-initiator-displays':
      return { a: [...ioA, 0x3b, ...done, 0x06], b: [...ioB, 0x34, ...done] };
    case 'passkey-responder-displays':
      return { a: [...ioA, 0x34, ...done, 0x06], b: [...ioB, 0x3b, ...done] };
    case 'passkey-both-input':
      return { a: [...ioA, 0x34, ...done, 0x06], b: [...ioB, 0x34, ...done] };
    default:
      return { a: [...ioA, 0x33, ...done, 0x06], b: [...ioB, 0x33, ...done] };
  }
}

describe('virtual controller: Secure Simple Pairing', () => {
  for (const ioA of [DO, DYN, KO, NIO]) {
    for (const ioB of [DO, DYN, KO, NIO]) {
      const model = TABLE[ioA][ioB];
      it(`${IO_CAPABILITIES[ioA]} initiator × ${IO_CAPABILITIES[ioB]} responder → ${model}`, () => {
        const t = setup();
        t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
        const r = runPairing(t, { a: { io: ioA }, b: { io: ioB } });
        expect(r.a).toEqual(expectedSequence(model).a);
        expect(r.b).toEqual(expectedSequence(model).b);
        const authComplete = r.log.a.at(-1)!;
        expect(authComplete[0]).toBe(0x00);
        expect(authComplete[1] | (authComplete[2] << 8)).toBe(t.ha);
        const keyA = r.log.a[r.a.indexOf(0x18)];
        const keyB = r.log.b[r.b.indexOf(0x18)];
        expect(keyA.subarray(6, 22)).toEqual(keyB.subarray(6, 22));
        expect(keyA[22]).toBe(model === 'just-works' ? 0x04 : 0x05);
        expect(eventAddr(keyA, 0)).toBe(t.b.address);
        expect(eventAddr(keyB, 0)).toBe(t.a.address);
        if (model === 'just-works' || model === 'numeric-comparison') {
          expect(u32le(r.log.a[r.a.indexOf(0x33)], 6)).toBe(u32le(r.log.b[r.b.indexOf(0x33)], 6));
          expect(u32le(r.log.a[r.a.indexOf(0x33)], 6)).toBeLessThan(1_000_000);
        }
      });
    }
  }

  // §5.2.2.6: without MITM protection asked by either side, every pair pairs as Just Works with an
  // unauthenticated key; one side asking is enough for table 5.7.
  for (const [authA, authB, model] of [
    [0x02, 0x02, 'just-works'],
    [0x02, 0x03, 'passkey-responder-displays'],
    [0x03, 0x02, 'passkey-responder-displays'],
  ] as const) {
    it(`KeyboardOnly × DisplayYesNo with requirements 0x0${authA}/0x0${authB} → ${model}`, () => {
      const t = setup();
      t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
      const r = runPairing(t, { a: { io: KO, authReq: authA }, b: { io: DYN, authReq: authB } });
      expect(r.a).toEqual(expectedSequence(model).a);
      expect(r.b).toEqual(expectedSequence(model).b);
      expect(r.log.a[r.a.indexOf(0x18)][22]).toBe(model === 'just-works' ? 0x04 : 0x05);
    });
  }

  it('IO Capability Response carries the other side’s capability, OOB flag and requirements', () => {
    const t = setup();
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { io: DYN }, b: { io: KO } });
    const atB = r.log.b[r.b.indexOf(0x32)];
    expect([...atB.subarray(6)]).toEqual([DYN, 0, 0x03]);
    const atA = r.log.a[r.a.indexOf(0x32)];
    expect([...atA.subarray(6)]).toEqual([KO, 0, 0x03]);
  });

  it('a rejected confirmation fails with Authentication Failure (0x05) on both', () => {
    const t = setup();
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { io: DYN }, b: { io: DYN, confirm: false } });
    expect(r.a.slice(-2)).toEqual([0x36, 0x06]);
    expect(r.log.a.at(-1)![0]).toBe(0x05);
    expect(r.log.a.at(-2)![0]).toBe(0x05);
    expect(r.b.at(-1)).toBe(0x36);
    expect(r.log.b.at(-1)![0]).toBe(0x05);
    expect(r.a).not.toContain(0x18);
  });

  it('a wrong passkey fails with Authentication Failure', () => {
    const t = setup();
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { io: DYN }, b: { io: KO, passkey: 999_999 } });
    expect(r.log.a.at(-1)![0]).toBe(0x05);
    expect(r.b).not.toContain(0x18);
  });

  it('both typing the same passkey succeeds, different ones fail', () => {
    const ok = setup();
    ok.a.send(OP.AUTHENTICATION_REQUESTED, le16(ok.ha));
    expect(runPairing(ok, { a: { io: KO, passkey: 4321 }, b: { io: KO, passkey: 4321 } }).log.a.at(-1)![0]).toBe(0);
    const bad = setup();
    bad.a.send(OP.AUTHENTICATION_REQUESTED, le16(bad.ha));
    expect(runPairing(bad, { a: { io: KO, passkey: 4321 }, b: { io: KO, passkey: 4322 } }).log.a.at(-1)![0]).toBe(0x05);
  });

  it('a negative passkey reply fails', () => {
    const t = setup();
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    expect(runPairing(t, { a: { io: DO }, b: { io: KO, passkey: null } }).log.a.at(-1)![0]).toBe(0x05);
  });

  it('an IO Capability Negative Reply ends pairing with its reason', () => {
    const t = setup();
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    t.a.events();
    t.a.send(OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, addrParam(t.b.address));
    t.a.events();
    t.a.send(OP.IO_CAPABILITY_REQUEST_NEGATIVE_REPLY, addrParam(t.b.address), 0x18);
    const evs = t.a.events();
    expect(evs.map((e) => [e.code, e.code === 0x0e ? e.params[3] : e.params[0]])).toEqual([
      [0x0e, 0x00],
      [0x36, 0x18],
      [0x06, 0x18],
    ]);
  });

  it('Secure Connections on both hosts gives P-256 key types and AES-CCM encryption', () => {
    const t = setup({ sc: true });
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { io: DYN }, b: { io: DYN } });
    expect(r.log.a[r.a.indexOf(0x18)][22]).toBe(0x08);
    t.a.send(OP.SET_CONNECTION_ENCRYPTION, le16(t.ha), 1);
    expect(t.a.events().map((e) => [e.code, e.params[0], e.params[3]])).toEqual([
      [0x0f, 0x00, 0x04],
      [0x08, 0x00, 0x02],
    ]);
  });

  it('Set Connection Encryption after pairing: Encryption Change on both sides', () => {
    const t = setup();
    t.a.send(OP.SET_CONNECTION_ENCRYPTION, le16(t.ha), 1);
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([[0x0f, 0x0c]]);
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    runPairing(t, { a: {}, b: {} });
    t.a.send(OP.SET_CONNECTION_ENCRYPTION, le16(t.ha), 1);
    expect(t.a.events()).toEqual([
      { code: 0x0f, params: Uint8Array.of(0, 1, 0x13, 0x04) },
      { code: 0x08, params: Uint8Array.of(0, t.ha & 0xff, t.ha >> 8, 0x01) },
    ]);
    expect(t.b.events()).toEqual([{ code: 0x08, params: Uint8Array.of(0, t.hb & 0xff, t.hb >> 8, 0x01) }]);
    expect(t.a.c.connections.get(t.ha)!.encryption).toBe(1);
    expect(t.b.c.connections.get(t.hb)!.encryption).toBe(1);
    t.a.send(OP.SET_CONNECTION_ENCRYPTION, le16(t.ha), 0);
    expect(t.b.events()).toEqual([{ code: 0x08, params: Uint8Array.of(0, t.hb & 0xff, t.hb >> 8, 0x00) }]);
    expect(t.a.c.connections.get(t.ha)!.encryption).toBe(0);
  });

  it('authentication with a stored key: same key succeeds, another fails, none is PIN or Key Missing', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    const other = Uint8Array.from({ length: 16 }, (_, i) => 15 - i);
    const cases: [Uint8Array | undefined, number][] = [
      [key, 0x00],
      [other, 0x05],
      [undefined, 0x06],
    ];
    for (const [responderKey, status] of cases) {
      const t = setup();
      t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
      const r = runPairing(t, { a: { linkKey: key }, b: { linkKey: responderKey } });
      expect(r.a).toEqual([0x17, 0x06]);
      expect(r.b).toEqual([0x17]);
      expect(r.log.a.at(-1)![0]).toBe(status);
    }
  });

  it('a reply nobody asked for is Command Disallowed; for an unknown peer Unknown Connection Identifier', () => {
    const t = setup();
    expect(t.a.command(OP.USER_CONFIRMATION_REQUEST_REPLY, addrParam(t.b.address))[0]).toBe(0x0c);
    expect(t.a.command(OP.USER_CONFIRMATION_REQUEST_REPLY, addrParam('00:AA:01:01:00:33'))[0]).toBe(0x02);
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    expect(t.a.events().map((e) => [e.code, e.params[0]])).toEqual([
      [0x0f, 0x00],
      [0x17, 0x02], // Link Key Request for 00:AA:01:01:00:02, least significant byte first
      [0x0f, 0x0c],
    ]);
  });

  it('the default event mask hides the SSP events (the host must enable them)', () => {
    const t = bench();
    t.a.command(OP.RESET);
    t.a.command(OP.WRITE_SIMPLE_PAIRING_MODE, 1);
    t.b.init();
    t.b.command(OP.WRITE_SIMPLE_PAIRING_MODE, 1);
    const { ha } = connect(t);
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(ha));
    t.a.events();
    t.a.send(OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, addrParam(t.b.address));
    expect(t.a.events().map((e) => e.code)).toEqual([0x0e]);
    expect(t.a.c.stats.maskedEvents).toBe(1);
  });
});

describe('virtual controller: legacy PIN pairing', () => {
  it('when a host has SSP disabled, both get PIN Code Request; equal PINs pair with a combination key', () => {
    const t = setup({ sspB: false });
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { pin: '0000' }, b: { pin: '0000' } });
    expect(r.a).toEqual([0x17, 0x16, 0x18, 0x06]);
    expect(r.b).toEqual([0x16, 0x18]);
    expect(r.log.a.at(-1)![0]).toBe(0);
    expect(r.log.a[2][22]).toBe(0x00);
    expect(r.log.a[2].subarray(6, 22)).toEqual(r.log.b[1].subarray(6, 22));
  });

  it('different PINs: Authentication Failure (0x05)', () => {
    const t = setup({ sspA: false });
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { pin: '1234' }, b: { pin: '1235' } });
    expect(r.a).toEqual([0x17, 0x16, 0x06]);
    expect(r.log.a.at(-1)![0]).toBe(0x05);
  });

  it('a PIN Code Negative Reply: PIN or Key Missing (0x06)', () => {
    const t = setup({ sspA: false, sspB: false });
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    const r = runPairing(t, { a: { pin: '1234' }, b: { pin: null } });
    expect(r.log.a.at(-1)![0]).toBe(0x06);
  });

  it('a PIN length outside 1..16 is invalid', () => {
    const t = setup({ sspA: false });
    t.a.send(OP.AUTHENTICATION_REQUESTED, le16(t.ha));
    t.a.events();
    t.a.send(OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, addrParam(t.b.address));
    t.a.events();
    expect(t.a.command(OP.PIN_CODE_REQUEST_REPLY, addrParam(t.b.address), 17, new Uint8Array(16))[0]).toBe(0x12);
  });
});
