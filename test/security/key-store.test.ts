import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/index.js';
import { MemoryKeyStore, SecurityManager } from '../../src/security/index.js';
import { JsonFileKeyStore } from '../../src/socket/key-store-file.js';
import { KEY, KEY2, PEER } from './harness.js';

const addr = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':'));
const storedKey = fc.record({ linkKey: fc.uint8Array({ minLength: 16, maxLength: 16 }), keyType: fc.integer({ min: 0, max: 255 }) });

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
  it('refuses keys that are not 16 octets or types that are not octets', () => {
    const s = new MemoryKeyStore();
    expect(() => s.set(PEER, { linkKey: new Uint8Array(15), keyType: 4 })).toThrow(/16 octets/);
    expect(() => s.set(PEER, { linkKey: KEY, keyType: 256 })).toThrow(/octet/);
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
    ['{"version":1,"keys":{"00:11:22:33:44:55":{"linkKey":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf","keyType":-1}}}', /key type .* is not an octet/],
  ])('a corrupt file %s throws a clear DecodeError and is left as it was', (text, message) => {
    writeFileSync(join(dir, 'bad.json'), text);
    const bad = join(dir, 'bad.json');
    expect(() => new JsonFileKeyStore(bad)).toThrow(DecodeError);
    expect(() => new JsonFileKeyStore(bad)).toThrow(message);
    expect(() => new JsonFileKeyStore(bad)).toThrow(/fix the file or delete it/);
    expect(readFileSync(bad, 'utf8')).toBe(text);
  });

  it('works as the manager store: a Link Key Notification reaches the file', () => {
    const sm = new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, keyStore: new JsonFileKeyStore(path) });
    sm.handleEvent({ name: 'Link Key Notification', bdaddr: PEER, linkKey: KEY, keyType: 4 }, 0);
    expect(new JsonFileKeyStore(path).get(PEER)).toEqual({ linkKey: KEY, keyType: 4 });
  });
});
