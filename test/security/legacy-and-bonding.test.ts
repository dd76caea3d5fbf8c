/** Scripted legacy PIN pairing, bonding and reconnection with the stored key. */
import { describe, expect, it } from 'vitest';
import { ev, HANDLE, Harness, KEY, KEY2, PEER } from './harness.js';

function pinRequestedAfterAuth(h: Harness): number {
  h.sm.linkUp(HANDLE, PEER);
  h.sm.requestSecurity(HANDLE, 'encrypted', h.now);
  h.feed(ev.linkKeyRequest());
  const out = h.feed(ev.pinRequest());
  expect(out.events).toEqual([{ type: 'pin-request', id: expect.any(Number), address: PEER }]);
  return (out.events[0] as { id: number }).id;
}

describe('legacy PIN pairing', () => {
  it('right PIN: PIN Code Request Reply with the PIN padded to 16 octets, then the key is stored', () => {
    const h = new Harness();
    const id = pinRequestedAfterAuth(h);
    expect(h.sm.answerPin(id, '1234', 1)).toBe(true);
    const pinCode = new Uint8Array(16);
    pinCode.set([0x31, 0x32, 0x33, 0x34]);
    expect(h.drain().commands).toEqual([{ name: 'PIN Code Request Reply', bdaddr: PEER, pinCodeLength: 4, pinCode }]);
    expect(h.types(h.feed(ev.linkKeyNotification(0x00)).events)).toEqual(['paired', 'authenticated', 'key-stored']);
    expect(h.names(h.feed(ev.authComplete(0)).commands)).toEqual(['Set Connection Encryption']);
    expect(h.feed(ev.encChange(0, 1)).events.at(-1)).toMatchObject({ type: 'security-complete', ok: true });
    expect(h.store.get(PEER)).toEqual({ linkKey: KEY, keyType: 0x00 });
  });

  it('wrong PIN: Authentication Complete 0x05 → pairing-failed (wrong PIN), request failed', () => {
    const h = new Harness();
    const id = pinRequestedAfterAuth(h);
    h.sm.answerPin(id, '0000', 1);
    expect(h.names(h.drain().commands)).toEqual(['PIN Code Request Reply']);
    const out = h.feed(ev.authComplete(0x05));
    expect(out.events).toEqual([
      { type: 'pairing-failed', address: PEER, status: 0x05, reason: 'wrong PIN (Authentication Failure 0x05)', failure: 'authentication-failed' },
      { type: 'security-complete', id: expect.any(Number), handle: HANDLE, ok: false, level: 'encrypted', reason: 'wrong PIN (Authentication Failure 0x05)', failure: 'authentication-failed', status: 0x05 },
    ]);
    expect(out.commands).toEqual([]);
    expect(h.store.size).toBe(0);
  });

  it('wrong PIN after the stored key was offered: the stale key is removed', () => {
    const h = new Harness();
    h.store.set(PEER, { linkKey: KEY2, keyType: 0x00 });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'authenticated', 0);
    expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
    expect(h.feed(ev.linkKeyRequest()).commands).toEqual([{ name: 'Link Key Request Reply', bdaddr: PEER, linkKey: KEY2 }]);
    const id = (h.feed(ev.pinRequest()).events[0] as { id: number }).id;
    h.sm.answerPin(id, '9999', 1);
    const out = h.feed(ev.authComplete(0x05));
    expect(h.types(out.events)).toEqual(['key-removed', 'pairing-failed', 'security-complete']);
    expect(h.store.get(PEER)).toBeUndefined();
  });

  it('a PIN refused by the application gives the negative reply', () => {
    const h = new Harness();
    const id = pinRequestedAfterAuth(h);
    h.sm.answerPin(id, null, 1);
    expect(h.drain().commands).toEqual([{ name: 'PIN Code Request Negative Reply', bdaddr: PEER }]);
    expect(h.feed(ev.authComplete(0x06)).events[0]).toMatchObject({ type: 'pairing-failed', failure: 'rejected-by-user', status: 0x06 });
  });

  it('PIN length is checked: 1 to 16 octets', () => {
    const h = new Harness();
    const id = pinRequestedAfterAuth(h);
    expect(() => h.sm.answerPin(id, '', 0)).toThrow(/1 to 16/);
    expect(() => h.sm.answerPin(id, 'x'.repeat(17), 0)).toThrow(/1 to 16/);
    expect(h.sm.answerPin(id, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), 0)).toBe(true);
  });
});

describe('bonding and reconnection', () => {
  it('bond with SSP, then reconnect: Link Key Request answered from the store, no user interaction', () => {
    const h = new Harness({ ioCapability: 'DisplayYesNo', mitm: true });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    h.feed(ev.linkKeyRequest());
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(1, 0x05));
    const prompt = h.feed(ev.confirm(424242)).events[0] as { id: number };
    h.sm.answerConfirm(prompt.id, true, 1);
    h.feed(ev.sspComplete(0));
    expect(h.types(h.feed(ev.linkKeyNotification(0x05)).events)).toEqual(['paired', 'authenticated', 'key-stored']);
    h.feed(ev.authComplete(0));
    h.feed(ev.encChange(0, 1));
    expect(h.event('security-complete')).toMatchObject({ ok: true, level: 'mitm' });
    h.sm.linkDown(HANDLE, 0x13);

    const again = new Harness({ ioCapability: 'DisplayYesNo', mitm: true, keyStore: h.store });
    again.sm.linkUp(0x0c, PEER);
    const id = again.sm.requestSecurity(0x0c, 'mitm', 100);
    expect(again.names(again.drain().commands)).toEqual(['Authentication Requested']);
    expect(again.feed(ev.linkKeyRequest()).commands).toEqual([{ name: 'Link Key Request Reply', bdaddr: PEER, linkKey: KEY }]);
    expect(again.names(again.feed(ev.authComplete(0, 0x0c)).commands)).toEqual(['Set Connection Encryption']);
    expect(again.feed(ev.encChange(0, 1, 0x0c)).events.at(-1)).toEqual({ type: 'security-complete', id, handle: 0x0c, ok: true, level: 'mitm' });
    expect(again.types()).not.toContain('confirm-request');
    expect(again.sm.linkSecurity(0x0c)).toEqual({ handle: 0x0c, address: PEER, authenticated: true, encrypted: true, keyType: 0x05 });
  });

  it('the peer authenticates us with the stored key before Connection Complete (responder side)', () => {
    const h = new Harness();
    h.store.set(PEER, { linkKey: KEY, keyType: 0x04 });
    expect(h.names(h.feed(ev.linkKeyRequest()).commands)).toEqual(['Link Key Request Reply']);
    h.sm.linkUp(HANDLE, PEER);
    const out = h.feed(ev.encChange(0, 1));
    expect(out.events).toEqual([
      { type: 'authenticated', handle: HANDLE, address: PEER, keyType: 0x04 },
      { type: 'encryption-changed', handle: HANDLE, address: PEER, status: 0, enabled: true },
      { type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: undefined, ok: true },
    ]);
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    expect(h.drain()).toEqual({ commands: [], events: [expect.objectContaining({ type: 'security-complete', ok: true })] });
  });

  it('the peer lost its key: Authentication Complete 0x06 removes the stored key', () => {
    const h = new Harness();
    h.store.set(PEER, { linkKey: KEY, keyType: 0x04 });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'authenticated', 0);
    h.feed(ev.linkKeyRequest());
    const out = h.feed(ev.authComplete(0x06));
    expect(out.events).toEqual([
      { type: 'key-removed', address: PEER, reason: expect.stringContaining('no link key for this device') },
      expect.objectContaining({ type: 'security-complete', ok: false, failure: 'stored-key-rejected', status: 0x06 }),
    ]);
    expect(h.store.get(PEER)).toBeUndefined();
  });

  it('an unauthenticated stored key is refused when a request needs MITM, forcing a new pairing', () => {
    const h = new Harness();
    h.store.set(PEER, { linkKey: KEY, keyType: 0x04 });
    h.sm.linkUp(HANDLE, PEER);
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    h.drain();
    expect(h.names(h.feed(ev.linkKeyRequest()).commands)).toEqual(['Link Key Request Negative Reply']);
    expect(h.feed(ev.ioCapRequest()).commands[0]).toMatchObject({ authenticationRequirements: 0x05 });
  });

  it('removeKey deletes the bond and says so', () => {
    const h = new Harness();
    h.store.set(PEER, { linkKey: KEY, keyType: 0x04 });
    h.sm.removeKey(PEER);
    expect(h.drain().events).toEqual([{ type: 'key-removed', address: PEER, reason: 'removed by the application' }]);
    h.sm.removeKey(PEER);
    expect(h.drain().events).toEqual([]);
  });

  it('a key store that throws becomes a key-store-error event, and the reply is negative', () => {
    const failing = { get: () => { throw new Error('disk on fire'); }, set: () => undefined, delete: () => undefined };
    const h = new Harness({ keyStore: failing as never });
    const out = h.feed(ev.linkKeyRequest());
    expect(out.events).toEqual([{ type: 'key-store-error', address: PEER, message: 'disk on fire' }]);
    expect(h.names(out.commands)).toEqual(['Link Key Request Negative Reply']);
  });
});
