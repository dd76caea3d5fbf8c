/**
 * The key size check after encryption is enabled (KNOB, CVE-2019-9506; Read Encryption Key Size,
 * Core v5.4 Vol 4 Part E §7.5.7): scripted, with a controller that lists the command, one that does
 * not, and answers of every kind.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import { type HciCommand } from '../../src/hci/index.js';
import { SecurityManager } from '../../src/security/index.js';
import { ev, HANDLE, Harness, KEY, PEER, supportedCommands } from './harness.js';

const READ = { name: 'Read Encryption Key Size', handle: HANDLE } as const;

/** A bonded peer (authenticated key) on a link, with a controller that lists Read Encryption Key Size unless told otherwise. */
function bonded(options: { minEncryptionKeySize?: number; listed?: boolean } = {}): Harness {
  const h = new Harness(options.minEncryptionKeySize === undefined ? {} : { minEncryptionKeySize: options.minEncryptionKeySize });
  h.sm.setSupportedCommands(supportedCommands(options.listed ?? true));
  h.store.set(PEER, { linkKey: KEY, keyType: 0x05 });
  h.sm.linkUp(HANDLE, PEER);
  return h;
}

/** Requests `level`, authenticates with the stored key and turns encryption on; returns the request id and the commands the Encryption Change produced. */
function encrypt(h: Harness, level: 'encrypted' | 'mitm' = 'encrypted'): { id: number; afterEncryption: HciCommand[] } {
  const id = h.sm.requestSecurity(HANDLE, level, h.now);
  expect(h.names(h.drain().commands)).toEqual(['Authentication Requested']);
  h.feed(ev.linkKeyRequest());
  expect(h.names(h.feed(ev.authComplete(0)).commands)).toEqual(['Set Connection Encryption']);
  return { id, afterEncryption: h.feed(ev.encChange(0, 1)).commands };
}

describe('encryption key size (KNOB)', () => {
  it('Encryption Change → Read Encryption Key Size; until it answers the link is not encrypted; 16 octets → encrypted', () => {
    const h = bonded();
    const { id, afterEncryption } = encrypt(h);
    expect(afterEncryption).toEqual([READ]);
    expect(h.types()).not.toContain('security-complete');
    expect(h.sm.linkSecurity(HANDLE)).toEqual({ handle: HANDLE, address: PEER, authenticated: true, encrypted: false, keyType: 0x05 });
    const out = h.answerKeySize(afterEncryption[0], 0x00, 16);
    expect(out.commands).toEqual([]);
    expect(out.events).toEqual([
      { type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: 16, ok: true },
      { type: 'security-complete', id, handle: HANDLE, ok: true, level: 'encrypted' },
    ]);
    expect(h.sm.linkSecurity(HANDLE)).toEqual({ handle: HANDLE, address: PEER, authenticated: true, encrypted: true, keyType: 0x05, encryptionKeySize: 16 });
  });

  it('6 octets, below the default minimum of 7: the request fails with a reason that names the size, the minimum and KNOB', () => {
    const h = bonded();
    const { id, afterEncryption } = encrypt(h, 'mitm');
    const reason = 'the encryption key is 6 octets, below the minimum of 7 (KNOB, CVE-2019-9506)';
    const out = h.answerKeySize(afterEncryption[0], 0x00, 6);
    expect(out.events).toEqual([
      { type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: 6, ok: false, reason },
      { type: 'security-complete', id, handle: HANDLE, ok: false, level: 'mitm', reason, failure: 'key-too-short' },
    ]);
    expect(out.commands).toEqual([]);
    expect(h.sm.linkSecurity(HANDLE)).toMatchObject({ authenticated: true, encrypted: false, encryptionKeySize: 6 });
  });

  it('after a key that is too short, later requests needing encryption fail at once with no command; authenticated still succeeds', () => {
    const h = bonded();
    h.answerKeySize(encrypt(h).afterEncryption[0], 0x00, 1);
    const encrypted = h.sm.requestSecurity(HANDLE, 'encrypted', h.now);
    const authenticated = h.sm.requestSecurity(HANDLE, 'authenticated', h.now);
    const out = h.drain();
    expect(out.commands).toEqual([]);
    expect(out.events).toEqual([
      { type: 'security-complete', id: encrypted, handle: HANDLE, ok: false, level: 'encrypted', reason: 'the encryption key is 1 octet, below the minimum of 7 (KNOB, CVE-2019-9506)', failure: 'key-too-short' },
      { type: 'security-complete', id: authenticated, handle: HANDLE, ok: true, level: 'authenticated' },
    ]);
  });

  it('every key size 1..16 against every minimum 1..16: encrypted exactly when the key is at least the minimum', () => {
    for (let minEncryptionKeySize = 1; minEncryptionKeySize <= 16; minEncryptionKeySize++) {
      for (let keySize = 1; keySize <= 16; keySize++) {
        const h = bonded({ minEncryptionKeySize });
        const { afterEncryption } = encrypt(h);
        const [check, done] = h.answerKeySize(afterEncryption[0], 0x00, keySize).events;
        expect(check).toMatchObject({ type: 'encryption-key-size', keySize, ok: keySize >= minEncryptionKeySize });
        expect(done).toMatchObject({ type: 'security-complete', ok: keySize >= minEncryptionKeySize });
        expect(h.sm.linkSecurity(HANDLE)).toMatchObject({ encrypted: keySize >= minEncryptionKeySize, encryptionKeySize: keySize });
      }
    }
  });

  it('a failure status on Read Encryption Key Size fails closed, naming the status', () => {
    const h = bonded();
    const { id, afterEncryption } = encrypt(h);
    const reason = 'the encryption key size could not be read (Unknown Connection Identifier 0x02): the link does not count as encrypted';
    const out = h.answerKeySize(afterEncryption[0], 0x02, 0);
    expect(out.events).toEqual([
      { type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: undefined, ok: false, reason },
      { type: 'security-complete', id, handle: HANDLE, ok: false, level: 'encrypted', reason, failure: 'key-size-unreadable', status: 0x02 },
    ]);
    expect(h.sm.linkSecurity(HANDLE)).toEqual({ handle: HANDLE, address: PEER, authenticated: true, encrypted: false, keyType: 0x05 });
  });

  it('a Command Status refusing the command, or success without a Key_Size, fails closed too', () => {
    const refused = bonded();
    const a = encrypt(refused);
    refused.sm.handleCommandStatus(a.afterEncryption[0], 0x0c, 0, { name: 'Command Status', status: 0x0c, numHciCommandPackets: 1, opcode: 0x1408 });
    expect(refused.drain().events.at(-1)).toEqual({
      type: 'security-complete',
      id: a.id,
      handle: HANDLE,
      ok: false,
      level: 'encrypted',
      reason: 'the encryption key size could not be read (Command Disallowed 0x0c): the link does not count as encrypted',
      failure: 'key-size-unreadable',
      status: 0x0c,
    });
    const malformed = bonded();
    const b = encrypt(malformed);
    malformed.sm.handleCommandStatus(b.afterEncryption[0], 0x00, 0, { name: 'Command Complete', numHciCommandPackets: 1, opcode: 0x1408, returnParams: Uint8Array.of(0x00, 0x0b) });
    const last = malformed.drain().events.at(-1);
    expect(last).toMatchObject({ ok: false, failure: 'key-size-unreadable', reason: 'the controller answered Read Encryption Key Size without a Key_Size: the link does not count as encrypted' });
    expect(last).not.toHaveProperty('status');
  });

  it.each([
    ['does not list it (octet 20 bit 4 clear)', false],
    ['never said what it supports', undefined],
  ] as const)('a controller that %s: no read, the link is encrypted with its key size unknown', (_what, listed) => {
    const h = new Harness();
    if (listed !== undefined) h.sm.setSupportedCommands(supportedCommands(listed));
    h.store.set(PEER, { linkKey: KEY, keyType: 0x05 });
    h.sm.linkUp(HANDLE, PEER);
    const { id, afterEncryption } = encrypt(h);
    expect(afterEncryption).toEqual([]);
    expect(h.events.slice(-2)).toEqual([
      { type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: undefined, ok: true },
      { type: 'security-complete', id, handle: HANDLE, ok: true, level: 'encrypted' },
    ]);
    expect(h.sm.linkSecurity(HANDLE)).toEqual({ handle: HANDLE, address: PEER, authenticated: true, encrypted: true, keyType: 0x05 });
  });

  it('two Encryption Changes before the answer (as in the bluffs capture): two reads, the answer to the last one decides', () => {
    const h = bonded();
    const { id, afterEncryption } = encrypt(h);
    const second = h.feed(ev.encChange(0, 1)).commands;
    expect([...afterEncryption, ...second]).toEqual([READ, READ]);
    expect(h.answerKeySize(afterEncryption[0], 0x00, 16).events).toEqual([]);
    expect(h.answerKeySize(second[0], 0x00, 5).events.at(-1)).toMatchObject({ id, ok: false, failure: 'key-too-short', reason: expect.stringContaining('is 5 octets, below the minimum of 7') });
  });

  it('encryption turned off while the read is in flight: the late answer changes nothing; a new Encryption Change is checked afresh', () => {
    const h = bonded();
    const { afterEncryption } = encrypt(h);
    h.feed(ev.encChange(0, 0));
    expect(h.answerKeySize(afterEncryption[0], 0x00, 16).events).toEqual([]);
    expect(h.sm.linkSecurity(HANDLE)?.encrypted).toBe(false);
    const again = h.feed(ev.encChange(0, 1)).commands;
    expect(again).toEqual([READ]);
    expect(h.answerKeySize(again[0], 0x00, 16).events).toEqual([{ type: 'encryption-key-size', handle: HANDLE, address: PEER, keySize: 16, ok: true }]);
    expect(h.sm.linkSecurity(HANDLE)?.encrypted).toBe(true);
  });

  it('a key refused as too short counts again once a new Encryption Change brings a long enough one', () => {
    const h = bonded();
    h.answerKeySize(encrypt(h).afterEncryption[0], 0x00, 2);
    const again = h.feed(ev.encChange(0, 1)).commands;
    h.answerKeySize(again[0], 0x00, 16);
    const id = h.sm.requestSecurity(HANDLE, 'encrypted', h.now);
    expect(h.drain()).toEqual({ commands: [], events: [{ type: 'security-complete', id, handle: HANDLE, ok: true, level: 'encrypted' }] });
  });

  it('minEncryptionKeySize must be an integer from 1 to 16', () => {
    for (const bad of [0, 17, 6.5, Number.NaN]) {
      expect(() => new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, minEncryptionKeySize: bad })).toThrow(ArgumentError);
    }
    expect(() => new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, minEncryptionKeySize: 0 })).toThrow(
      'minEncryptionKeySize must be an integer from 1 to 16 octets, got 0',
    );
    for (const ok of [1, 16]) expect(() => new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, minEncryptionKeySize: ok })).not.toThrow();
  });
});
