/** requestSecurity: the command sequence for each level, and every way it can fail. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECURITY_LEVELS, type SecurityLevel } from '../../src/security/index.js';
import { ev, HANDLE, Harness, KEY, PEER } from './harness.js';

/** A bonded peer whose stored key has `keyType`; the controller answers every step with success. */
function bonded(keyType = 0x05, options = {}) {
  const h = new Harness(options);
  h.store.set(PEER, { linkKey: KEY, keyType });
  h.sm.linkUp(HANDLE, PEER);
  return h;
}

/** Plays the controller: answers each command with its success events, until nothing is left. */
function runController(h: Harness) {
  const work = h.drain().commands;
  for (let guard = 0; work.length > 0 && guard < 10; guard++) {
    const c = work.shift()!;
    if (c.name === 'Authentication Requested') {
      work.push(...h.feed(ev.linkKeyRequest()).commands.filter((x) => !x.name.startsWith('Link Key')));
      work.push(...h.feed(ev.authComplete(0)).commands);
    } else if (c.name === 'Set Connection Encryption') work.push(...h.feed(ev.encChange(0, 1)).commands);
  }
}

const SEQUENCES: [SecurityLevel, string[]][] = [
  ['none', []],
  ['authenticated', ['Authentication Requested', 'Link Key Request Reply']],
  ['encrypted', ['Authentication Requested', 'Link Key Request Reply', 'Set Connection Encryption']],
  ['mitm', ['Authentication Requested', 'Link Key Request Reply', 'Set Connection Encryption']],
];

describe('requestSecurity', () => {
  it.each(SEQUENCES)('level %s on a fresh link with an authenticated stored key: %j', (level, expected) => {
    const h = bonded();
    const id = h.sm.requestSecurity(HANDLE, level, 0);
    runController(h);
    expect(h.names()).toEqual(expected);
    expect(h.event('security-complete')).toEqual({ type: 'security-complete', id, handle: HANDLE, ok: true, level });
    expect(h.sm.pollTimeout()).toBeUndefined();
  });

  it('an already encrypted link completes every level at once, with no command', () => {
    const h = bonded();
    h.feed(ev.linkKeyRequest());
    h.feed(ev.encChange(0, 1));
    for (const level of SECURITY_LEVELS) h.sm.requestSecurity(HANDLE, level, 0);
    const out = h.drain();
    expect(out.commands).toEqual([]);
    expect(out.events.map((e) => e.type === 'security-complete' && e.ok)).toEqual([true, true, true, true]);
  });

  it('requests made while authentication is under way share it', () => {
    const h = bonded();
    h.sm.requestSecurity(HANDLE, 'authenticated', 0);
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
    h.feed(ev.linkKeyRequest());
    const after = h.feed(ev.authComplete(0));
    expect(h.names(after.commands)).toEqual(['Set Connection Encryption']);
    expect(h.types(after.events)).toEqual(['authenticated', 'security-complete']);
  });

  it('mitm with an unauthenticated key: the key is refused, a new Just Works pairing cannot give MITM → fails with the reason', () => {
    const h = bonded(0x04, { ioCapability: 'NoInputNoOutput' });
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    h.drain();
    expect(h.names(h.feed(ev.linkKeyRequest()).commands)).toEqual(['Link Key Request Negative Reply']);
    h.feed(ev.ioCapRequest());
    h.feed(ev.ioCapResponse(3, 0x04));
    expect(h.names(h.feed(ev.confirm(0)).commands)).toEqual([]);
    const prompt = h.event('confirm-request');
    expect(prompt.justWorks).toBe(true);
    h.sm.answerConfirm(prompt.id, true, 0);
    h.feed(ev.sspComplete(0));
    h.feed(ev.linkKeyNotification(0x04));
    const out = h.feed(ev.authComplete(0));
    expect(out.events.at(-1)).toMatchObject({ type: 'security-complete', ok: false, level: 'mitm', failure: 'mitm-unavailable', reason: expect.stringContaining('(of type 0x04)') });
  });

  it('mitm on a link authenticated with an unauthenticated key asks for authentication again', () => {
    const h = bonded(0x07);
    h.feed(ev.linkKeyRequest());
    h.feed(ev.encChange(0, 1));
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
    expect(h.names(h.feed(ev.linkKeyRequest()).commands)).toEqual(['Link Key Request Negative Reply']);
  });

  it('P-256 authenticated keys (0x08) meet mitm', () => {
    const h = bonded(0x08);
    h.sm.requestSecurity(HANDLE, 'mitm', 0);
    runController(h);
    expect(h.event('security-complete').ok).toBe(true);
  });

  it('authentication failure fails the request with the status named', () => {
    const h = bonded();
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    h.drain();
    h.feed(ev.linkKeyRequest());
    const out = h.feed(ev.authComplete(0x05));
    expect(out.events.at(-1)).toMatchObject({ ok: false, failure: 'stored-key-rejected', status: 0x05 });
    expect(out.commands).toEqual([]);
  });

  it('encryption failure fails the request', () => {
    const h = bonded();
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    h.drain();
    h.feed(ev.linkKeyRequest());
    h.feed(ev.authComplete(0));
    const out = h.feed(ev.encChange(0x25, 0));
    expect(h.types(out.events)).toEqual(['encryption-changed', 'security-complete']);
    expect(out.events[1]).toMatchObject({ ok: false, failure: 'encryption-failed', status: 0x25 });
  });

  it('a command refused by the controller fails the requests waiting on it', () => {
    const h = bonded();
    h.sm.requestSecurity(HANDLE, 'authenticated', 0);
    const [cmd] = h.drain().commands;
    h.sm.handleCommandStatus(cmd, 0x0c, 1);
    expect(h.drain().events).toEqual([expect.objectContaining({ ok: false, failure: 'controller-refused', status: 0x0c })]);
  });

  it('times out after requestTimeoutMs', () => {
    const h = bonded(0x05, { requestTimeoutMs: 500 });
    h.sm.requestSecurity(HANDLE, 'encrypted', 100);
    expect(h.sm.pollTimeout()).toBe(600);
    expect(h.advance(599).events).toEqual([]);
    expect(h.advance(600).events).toEqual([expect.objectContaining({ ok: false, failure: 'timeout' })]);
    h.sm.requestSecurity(HANDLE, 'authenticated', 700);
    expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
  });

  it('the link going down fails its requests', () => {
    const h = bonded();
    h.sm.requestSecurity(HANDLE, 'encrypted', 0);
    h.sm.linkDown(HANDLE, 0x13);
    expect(h.drain().events).toEqual([expect.objectContaining({ ok: false, failure: 'link-down', status: 0x13 })]);
  });

  it('local misuse: unknown handle or level', () => {
    const h = bonded();
    expect(() => h.sm.requestSecurity(0x0999, 'encrypted', 0)).toThrow(/no ACL link with handle 0x0999/);
    expect(() => h.sm.requestSecurity(HANDLE, 'high' as SecurityLevel, 0)).toThrow(/security level must be one of/);
  });

  it('property: with a cooperative controller every level is reached, each command at most once', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SECURITY_LEVELS), fc.constantFrom(0x00, 0x04, 0x05, 0x07, 0x08), (level, keyType) => {
        const h = bonded(keyType);
        h.sm.requestSecurity(HANDLE, level, 0);
        runController(h);
        const done = h.event('security-complete');
        const authenticatedKey = keyType === 0x05 || keyType === 0x08;
        expect(done.ok).toBe(level !== 'mitm' || authenticatedKey);
        expect(h.names().filter((n) => n === 'Authentication Requested').length).toBeLessThanOrEqual(1);
        expect(h.names().filter((n) => n === 'Set Connection Encryption').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });
});
