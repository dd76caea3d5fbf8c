import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError } from '../../src/core/index.js';
import { MemoryKeyStore, SecurityManager } from '../../src/security/index.js';
import { JsonFileKeyStore } from '../../src/socket/key-store-file.js';
import { KEY, KEY2, PEER } from './harness.js';

const addr = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':'));
const storedKey = fc.record({ linkKey: fc.uint8Array({ minLength: 16, maxLength: 16 }), keyType: fc.integer({ min: 0, max: 8 }) });

describe('MemoryKeyStore', () => {
  it('stores, copies and deletes; addresses in any spelling are one key', () => {
    const s = new MemoryKeyStore();
    const k = { linkKey: KEY.slice(), keyType: 4 };
    s.set('00-11-22-33-44-55', k);
    k.linkKey[0] = 0;
    expect(s.get('001122334455')).toEqual({ linkKey: KEY, keyType: 4 });
    s.delete(PEER);
    expect(s.get(PEER)).toBeUndefined();
  });
  it('refuses keys that are not 16 octets or types the specification does not define (0x00–0x08)', () => {
    const s = new MemoryKeyStore();
    expect(() => s.set(PEER, { linkKey: new Uint8Array(15), keyType: 4 })).toThrow(/16 octets/);
    for (const keyType of [9, 99, 256, -1, 4.5]) {
      expect(() => s.set(PEER, { linkKey: KEY, keyType })).toThrow(ArgumentError);
      expect(() => s.set(PEER, { linkKey: KEY, keyType })).toThrow(`a link key type is one of 0x00–0x08 (Core Vol 4 Part E §7.7.24 Key_Type), got ${keyType}`);
    }
    expect(s.size).toBe(0);
  });
});

describe('JsonFileKeyStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'btkeys-'));
    path = join(dir, 'sub', 'keys.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file is an empty store, and nothing is written until a change', () => {
    const s = new JsonFileKeyStore(path);
    expect(s.size).toBe(0);
    expect(s.get(PEER)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('survives a reload: addresses as keys, link keys as hex, mode 0600, no temp file left', () => {
    const s = new JsonFileKeyStore(path);
    s.set(PEER, { linkKey: KEY, keyType: 5 });
    s.set('AA:BB:CC:DD:EE:FF', { linkKey: KEY2, keyType: 4 });
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json).toEqual({
      version: 1,
      keys: {
        [PEER]: { linkKey: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', keyType: 5 },
        'AA:BB:CC:DD:EE:FF': { linkKey: '101112131415161718191a1b1c1d1e1f', keyType: 4 },
      },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['keys.json']);
    const again = new JsonFileKeyStore(path);
    expect(again.get(PEER)).toEqual({ linkKey: KEY, keyType: 5 });
    again.delete(PEER);
    expect(new JsonFileKeyStore(path).addresses()).toEqual(['AA:BB:CC:DD:EE:FF']);
  });

  it('property: any set of keys reads back equal after a reload', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(addr, storedKey), { maxLength: 8 }), (entries) => {
        rmSync(path, { force: true });
        const s = new JsonFileKeyStore(path);
        const model = new Map<string, unknown>();
        for (const [a, k] of entries) {
          s.set(a, k);
          model.set(a, k);
        }
        const r = new JsonFileKeyStore(path);
        expect(r.size).toBe(model.size);
        for (const [a, k] of model) expect(r.get(a)).toEqual(k);
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    ['{ not json', /not JSON/],
    ['[]', /not a JSON object/],
    ['{"version":2,"keys":{}}', /version 2, expected 1/],
    ['{"version":1,"keys":{"nope":{"linkKey":"00","keyType":4}}}', /"nope" is not a Bluetooth address/],
    ['{"version":1,"keys":{"00:11:22:33:44:55":{"linkKey":"00","keyType":4}}}', /link key of 00:11:22:33:44:55 is not 32 hex digits/],
    ['{"version":1,"keys":{"00:11:22:33:44:55":{"linkKey":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf","keyType":-1}}}', /the key type of 00:11:22:33:44:55 is -1, not one of 0x00–0x08/],
    ['{"version":1,"keys":{"00:11:22:33:44:55":{"linkKey":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf","keyType":99}}}', /the key type of 00:11:22:33:44:55 is 99, not one of 0x00–0x08 \(0–8, Core Vol 4 Part E §7\.7\.24 Key_Type\)/],
    ['{"version":1,"keys":{"00:11:22:33:44:55":{"linkKey":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"}}}', /the key type of 00:11:22:33:44:55 is missing/],
  ])('a corrupt file %s throws a clear DecodeError and is left as it was', (text, message) => {
    writeFileSync(join(dir, 'bad.json'), text, { mode: 0o600 });
    const bad = join(dir, 'bad.json');
    expect(() => new JsonFileKeyStore(bad)).toThrow(DecodeError);
    expect(() => new JsonFileKeyStore(bad)).toThrow(message);
    expect(() => new JsonFileKeyStore(bad)).toThrow(/fix the file or delete it/);
    expect(() => new JsonFileKeyStore(bad)).toThrow(bad);
    expect(readFileSync(bad, 'utf8')).toBe(text);
  });

  it('works as the manager store: a Link Key Notification reaches the file', () => {
    const sm = new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, keyStore: new JsonFileKeyStore(path) });
    sm.handleEvent({ name: 'IO Capability Response', bdaddr: PEER, ioCapability: 3, oobDataPresent: 0, authenticationRequirements: 0x04 }, 0);
    sm.handleEvent({ name: 'IO Capability Request', bdaddr: PEER }, 0);
    sm.handleEvent({ name: 'Link Key Notification', bdaddr: PEER, linkKey: KEY, keyType: 4 }, 0);
    expect(new JsonFileKeyStore(path).get(PEER)).toEqual({ linkKey: KEY, keyType: 4 });
  });

  describe('the file holds secrets', () => {
    const ENTRY = { linkKey: KEY, keyType: 5 };
    /** What a symlink target holds before the test; it must hold the same after. */
    const BAIT = 'not for link keys\n';

    it('a symlink planted at the old predictable temporary name is not followed: the target is untouched, the key file 0600', () => {
      mkdirSync(dirname(path), { recursive: true });
      const target = join(dir, 'target');
      writeFileSync(target, BAIT, { mode: 0o644 });
      const planted = `${path}.${process.pid}.tmp`;
      symlinkSync(target, planted);
      new JsonFileKeyStore(path).set(PEER, ENTRY);
      expect(readFileSync(target, 'utf8')).toBe(BAIT);
      expect(statSync(target).mode & 0o777).toBe(0o644);
      expect(lstatSync(path).isSymbolicLink()).toBe(false);
      expect(lstatSync(path).mode & 0o777).toBe(0o600);
      expect(lstatSync(planted).isSymbolicLink()).toBe(true);
      expect(new JsonFileKeyStore(path).get(PEER)).toEqual(ENTRY);
    });

    it('a stale 0644 temporary file does not matter: the key file is 0600, the stale file is left alone and no new one stays', () => {
      mkdirSync(dirname(path), { recursive: true });
      const stale = `${path}.${process.pid}.tmp`;
      writeFileSync(stale, 'stale', { mode: 0o644 });
      chmodSync(stale, 0o644);
      const s = new JsonFileKeyStore(path);
      s.set(PEER, ENTRY);
      s.set('AA:BB:CC:DD:EE:FF', { linkKey: KEY2, keyType: 4 });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(stale, 'utf8')).toBe('stale');
      expect(readdirSync(dirname(path)).sort()).toEqual(['keys.json', 'keys.json.' + process.pid + '.tmp'].sort());
    });

    it('a link planted at the key file after loading is replaced, never written through', () => {
      const s = new JsonFileKeyStore(path);
      mkdirSync(dirname(path), { recursive: true });
      const target = join(dir, 'target');
      writeFileSync(target, BAIT, { mode: 0o644 });
      symlinkSync(target, path);
      s.set(PEER, ENTRY);
      expect(readFileSync(target, 'utf8')).toBe(BAIT);
      expect(lstatSync(path).isFile()).toBe(true);
      expect(lstatSync(path).mode & 0o777).toBe(0o600);
    });

    it.each(['644', '640', '604', '660', '606'])('a key file with mode 0%s is refused on load, saying to chmod 600, and left as it was', (octal) => {
      const mode = parseInt(octal, 8);
      mkdirSync(dirname(path), { recursive: true });
      const text = JSON.stringify({ version: 1, keys: {} });
      writeFileSync(path, text);
      chmodSync(path, mode);
      expect(() => new JsonFileKeyStore(path)).toThrow(ArgumentError);
      expect(() => new JsonFileKeyStore(path)).toThrow(`key store ${path} has mode 0${mode.toString(8)}: group or others may read or write it, and link keys are secrets; run chmod 600 ${path}`);
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(statSync(path).mode & 0o777).toBe(mode);
      chmodSync(path, 0o600);
      expect(new JsonFileKeyStore(path).size).toBe(0);
    });

    it('a key file that is a symbolic link is refused on load, even to a 0600 file', () => {
      mkdirSync(dirname(path), { recursive: true });
      const target = join(dir, 'real.json');
      writeFileSync(target, JSON.stringify({ version: 1, keys: {} }), { mode: 0o600 });
      symlinkSync(target, path);
      expect(() => new JsonFileKeyStore(path)).toThrow(ArgumentError);
      expect(() => new JsonFileKeyStore(path)).toThrow(`key store ${path} is a symbolic link`);
      expect(() => new JsonFileKeyStore(path)).toThrow(/move the real file to/);
    });

    it('a key file that is a directory or a FIFO is refused on load (a FIFO without waiting for a writer)', () => {
      mkdirSync(path, { recursive: true });
      expect(() => new JsonFileKeyStore(path)).toThrow(`key store ${path} is not a regular file`);
      const fifo = join(dir, 'fifo.json');
      execFileSync('mkfifo', ['-m', '600', fifo]);
      expect(() => new JsonFileKeyStore(fifo)).toThrow(`key store ${fifo} is not a regular file`);
    });
  });
});
