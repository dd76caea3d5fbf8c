/** Scripted Secure Simple Pairing: every IO capability pair, both roles, through the manager. */
import { describe, expect, it } from 'vitest';
import { associationModel, IO_CAPABILITIES, IO_CAPABILITY, type IoCapability } from '../../src/security/index.js';
import { ev, HANDLE, Harness, ioCapabilityExchange, PEER } from './harness.js';

const PAIRS = IO_CAPABILITIES.flatMap((a) => IO_CAPABILITIES.map((b) => [a, b] as [IoCapability, IoCapability]));

/** What the controller does after the IO capability exchange, for the local side, per the model. */
function stage1(h: Harness, local: 'initiator' | 'responder', localIo: IoCapability, remoteIo: IoCapability) {
  const [i, r] = local === 'initiator' ? [localIo, remoteIo] : [remoteIo, localIo];
  const m = associationModel(i, r, true);
  if (m.model !== 'PasskeyEntry') return { model: m.model, out: h.feed(ev.confirm(123456)) };
  const types = m.input === local || m.input === 'both' ? h.feed(ev.passkeyRequest()) : h.feed(ev.passkeyNotification(654321));
  return { model: m.model, out: types };
}

describe('SSP with every IO capability pair (remote requires MITM: 0x05)', () => {
  it.each(PAIRS)('local initiator %s, remote responder %s', (localIo, remoteIo) => {
    const h = new Harness({ ioCapability: localIo });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
    expect(h.names(h.feed(ev.linkKeyRequest()).commands)).toEqual(['Link Key Request Negative Reply']);
    const reply = h.feed(ev.ioCapRequest()).commands;
    expect(reply).toEqual([{ name: 'IO Capability Request Reply', bdaddr: PEER, ioCapability: IO_CAPABILITY[localIo], oobDataPresent: 0, authenticationRequirements: 0x04 }]);
    h.feed(ev.ioCapResponse(IO_CAPABILITY[remoteIo], 0x05));
    const { model, out } = stage1(h, 'initiator', localIo, remoteIo);
    const expected = associationModel(localIo, remoteIo, true);
    if (model === 'JustWorks') {
      expect(h.names(out.commands)).toEqual(['User Confirmation Request Reply']);
      expect(out.events).toEqual([]);
    } else if (model === 'NumericComparison') {
      expect(out.commands).toEqual([]);
      expect(out.events).toEqual([{ type: 'confirm-request', id: expect.any(Number), address: PEER, numericValue: 123456, justWorks: false, model }]);
    } else if (expected.input === 'initiator' || expected.input === 'both') {
      expect(out.events).toEqual([{ type: 'passkey-request', id: expect.any(Number), address: PEER }]);
      const id = (out.events[0] as { id: number }).id;
      expect(h.sm.answerPasskey(id, 4321, h.now)).toBe(true);
      expect(h.drain().commands).toEqual([{ name: 'User Passkey Request Reply', bdaddr: PEER, numericValue: 4321 }]);
    } else {
      expect(out.events).toEqual([{ type: 'passkey-display', address: PEER, passkey: 654321 }]);
      expect(out.commands).toEqual([]);
    }
    h.feed(ev.sspComplete(0));
    h.feed(ev.linkKeyNotification(expected.authenticated ? 0x05 : 0x04));
    expect(h.names(h.feed(ev.authComplete(0)).commands)).toEqual(['Set Connection Encryption']);
    const done = h.feed(ev.encChange(0, 1)).events;
    expect(done.at(-1)).toMatchObject({ type: 'security-complete', ok: true, level: 'encrypted' });
    expect(h.store.get(PEER)?.keyType).toBe(expected.authenticated ? 0x05 : 0x04);
  });

  it.each(PAIRS)('local responder %s, remote initiator %s', (localIo, remoteIo) => {
    const h = new Harness({ ioCapability: localIo, bonding: false });
    h.sm.linkUp(HANDLE, PEER);
    h.feed(ev.linkKeyRequest());
    h.feed(ev.ioCapResponse(IO_CAPABILITY[remoteIo], 0x01));
    expect(h.feed(ev.ioCapRequest()).commands).toEqual([
      { name: 'IO Capability Request Reply', bdaddr: PEER, ioCapability: IO_CAPABILITY[localIo], oobDataPresent: 0, authenticationRequirements: 0x00 },
    ]);
    const { model, out } = stage1(h, 'responder', localIo, remoteIo);
    const expected = associationModel(remoteIo, localIo, true);
    if (model === 'JustWorks') expect(h.names(out.commands)).toEqual(['User Confirmation Request Reply']);
    else if (model === 'NumericComparison') expect(out.events[0]).toMatchObject({ type: 'confirm-request', justWorks: false });
    else if (expected.input === 'responder' || expected.input === 'both') expect(h.types(out.events)).toEqual(['passkey-request']);
    else expect(h.types(out.events)).toEqual(['passkey-display']);
    h.feed(ev.sspComplete(0));
    const paired = h.feed(ev.linkKeyNotification(0x04)).events;
    expect(h.types(paired)).toEqual(['paired', 'authenticated']);
    expect(h.store.size).toBe(0);
  });
});

describe('SSP prompts', () => {
  function toConfirm(options: ConstructorParameters<typeof Harness>[0] = {}, remoteIo: number = IO_CAPABILITY.DisplayYesNo) {
    const h = new Harness(options);
    h.sm.linkUp(HANDLE, PEER);
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(remoteIo, 0x05));
    const out = h.feed(ev.confirm(999999));
    return { h, out };
  }

  it('a rejected confirmation gives the negative reply and a pairing-failed naming the user', () => {
    const { h, out } = toConfirm();
    const req = out.events[0] as { id: number };
    expect(h.sm.answerConfirm(req.id, false, 5)).toBe(true);
    expect(h.drain().commands).toEqual([{ name: 'User Confirmation Request Negative Reply', bdaddr: PEER }]);
    const failed = h.feed(ev.sspComplete(0x05)).events;
    expect(failed).toEqual([{ type: 'pairing-failed', address: PEER, status: 0x05, reason: expect.any(String), failure: 'rejected-by-user' }]);
    expect(h.sm.answerConfirm(req.id, true, 6)).toBe(false);
  });

  it.each([
    ['rejected', 'rejected-by-user', 'pairing rejected by the user (Authentication Failure 0x05)'],
    ['timed out', 'user-timeout', 'no answer from the user in time: pairing refused (Authentication Failure 0x05)'],
  ])('a prompt %s: the Authentication Complete after the failed pairing fails the request with the pairing failure (%s)', (how, failure, reason) => {
    const h = new Harness({ userTimeoutMs: 1000, mitm: true });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    h.feed(ev.linkKeyRequest());
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x05));
    const id = (h.feed(ev.confirm(999999)).events[0] as { id: number }).id;
    if (how === 'rejected') h.sm.answerConfirm(id, false, 5);
    else h.advance(1000);
    h.drain();
    expect(h.feed(ev.sspComplete(0x05)).events).toEqual([{ type: 'pairing-failed', address: PEER, status: 0x05, reason, failure }]);
    expect(h.feed(ev.authComplete(0x05)).events).toEqual([{ type: 'security-complete', id: expect.any(Number), handle: HANDLE, ok: false, level: 'mitm', reason, failure, status: 0x05 }]);
  });

  it('a failed pairing reason is not reused by a later authentication', () => {
    const h = new Harness();
    h.sm.linkUp(HANDLE, PEER);
    h.feed(ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x05));
    h.feed(ev.ioCapRequest());
    h.sm.answerConfirm((h.feed(ev.confirm(1)).events[0] as { id: number }).id, false, 1);
    h.feed(ev.sspComplete(0x05));
    h.sm.requestSecurity(HANDLE, 'authenticated', 2);
    h.feed(ev.linkKeyRequest());
    expect(h.feed(ev.authComplete(0x22)).events.at(-1)).toMatchObject({ ok: false, failure: 'peer-timeout', status: 0x22 });
  });

  it('an accepted confirmation gives the positive reply', () => {
    const { h, out } = toConfirm();
    h.sm.answerConfirm((out.events[0] as { id: number }).id, true, 1);
    expect(h.drain().commands).toEqual([{ name: 'User Confirmation Request Reply', bdaddr: PEER }]);
  });

  it('the user timeout gives the negative reply after userTimeoutMs, not before', () => {
    const { h } = toConfirm({ userTimeoutMs: 1000 });
    expect(h.sm.pollTimeout()).toBe(1000);
    expect(h.advance(999).commands).toEqual([]);
    expect(h.advance(1000).commands).toEqual([{ name: 'User Confirmation Request Negative Reply', bdaddr: PEER }]);
    expect(h.sm.stats.promptTimeouts).toBe(1);
    expect(h.feed(ev.sspComplete(0x05)).events[0]).toMatchObject({ type: 'pairing-failed', failure: 'user-timeout' });
    expect(h.sm.pollTimeout()).toBeUndefined();
  });

  it('passkey and PIN prompts time out with their own negative replies', () => {
    const h = new Harness({ userTimeoutMs: 10 });
    h.sm.linkUp(HANDLE, PEER);
    for (const e of ioCapabilityExchange(IO_CAPABILITY.KeyboardOnly)) h.feed(e);
    h.feed(ev.passkeyRequest());
    expect(h.names(h.advance(10).commands)).toEqual(['User Passkey Request Negative Reply']);
    h.feed(ev.sspComplete(0x05));
    h.feed(ev.pinRequest());
    expect(h.names(h.advance(20).commands)).toEqual(['PIN Code Request Negative Reply']);
  });

  it('Just Works is asked, not auto-accepted, when this side requires MITM', () => {
    const { out } = toConfirm({ mitm: true }, IO_CAPABILITY.NoInputNoOutput);
    expect(out.commands).toEqual([]);
    expect(out.events[0]).toMatchObject({ type: 'confirm-request', justWorks: true, model: 'JustWorks', numericValue: 999999 });
  });

  it('Just Works is asked with confirmJustWorks', () => {
    const { out } = toConfirm({ confirmJustWorks: true }, IO_CAPABILITY.NoInputNoOutput);
    expect(out.events[0]).toMatchObject({ type: 'confirm-request', justWorks: true });
  });

  it('without MITM on either side every pair is Just Works and auto-accepted', () => {
    const h = new Harness({ ioCapability: 'DisplayYesNo' });
    h.sm.linkUp(HANDLE, PEER);
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x04));
    expect(h.feed(ev.confirm(1)).commands).toEqual([{ name: 'User Confirmation Request Reply', bdaddr: PEER }]);
  });

  it('a second request for the same peer cancels the first prompt', () => {
    const { h, out } = toConfirm();
    const first = (out.events[0] as { id: number }).id;
    const again = h.feed(ev.confirm(111111)).events;
    expect(h.types(again)).toEqual(['prompt-cancelled', 'confirm-request']);
    expect(h.sm.answerConfirm(first, true, 1)).toBe(false);
  });

  it('the link going down cancels the prompt and fails the pairing', () => {
    const { h } = toConfirm();
    h.sm.linkDown(HANDLE, 0x08);
    expect(h.types(h.drain().events)).toEqual(['prompt-cancelled', 'pairing-failed']);
    expect(h.sm.pollTimeout()).toBeUndefined();
  });

  it('a passkey outside 0–999999 and a prompt of another kind are argument errors', () => {
    const { h, out } = toConfirm();
    const id = (out.events[0] as { id: number }).id;
    expect(() => h.sm.answerPasskey(id, 1_000_000, 0)).toThrow(/0 to 999999/);
    expect(() => h.sm.answerPasskey(id, 5, 0)).toThrow(/confirm request/);
  });

  it('too many open prompts: the next request gets the negative reply at once', () => {
    const h = new Harness({ maxPrompts: 1 });
    for (const address of ['00:00:00:00:00:01', '00:00:00:00:00:02']) for (const e of ioCapabilityExchange(IO_CAPABILITY.KeyboardOnly, address)) h.feed(e);
    h.feed(ev.passkeyRequest('00:00:00:00:00:01'));
    expect(h.names(h.feed(ev.passkeyRequest('00:00:00:00:00:02')).commands)).toEqual(['User Passkey Request Negative Reply']);
    expect(h.sm.stats.promptOverflows).toBe(1);
  });

  it('not pairable: IO Capability Request Negative Reply 0x18', () => {
    const h = new Harness({ pairable: false });
    expect(h.feed(ev.ioCapRequest()).commands).toEqual([{ name: 'IO Capability Request Negative Reply', bdaddr: PEER, reason: 0x18 }]);
  });

  it('Remote OOB Data Request gets the negative reply (OOB is not supported)', () => {
    const h = new Harness();
    expect(h.feed(ev.oobRequest()).commands).toEqual([{ name: 'Unknown Command', opcode: 0x0433, params: Uint8Array.of(0x55, 0x44, 0x33, 0x22, 0x11, 0x00) }]);
  });

  it('a debug key is never stored; a peer asking for no bonding is not stored', () => {
    const h = new Harness();
    h.feed(ev.linkKeyNotification(0x03));
    expect(h.store.size).toBe(0);
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x00));
    h.feed(ev.linkKeyNotification(0x04));
    expect(h.store.size).toBe(0);
    expect(h.types()).not.toContain('key-stored');
  });

  it('ignores events it has no use for and never throws on them', () => {
    const h = new Harness();
    h.feed({ name: 'Inquiry Complete', status: 0 });
    h.feed(ev.authComplete(0, 0x0999));
    h.feed(ev.encChange(0, 1, 0x0999));
    h.feed(ev.sspComplete(0x05, '00:00:00:00:00:09'));
    expect(h.sm.stats.ignoredEvents).toBe(4);
    expect(h.commands).toEqual([]);
  });
});
