/**
 * A `KeyStore` kept in a JSON file, so that bonds survive a restart. The file is read once at
 * construction (a missing file is an empty store) and rewritten on every change: written to a
 * temporary file beside it, then renamed over it, so a crash leaves the old or the new file, never
 * half of one. The file is created with mode 0600: link keys are secrets.
 *
 *   { "version": 1,
 *     "keys": { "00:1A:7D:DA:71:13": { "linkKey": "32 hex digits", "keyType": 4 } } }
 *
 * A file that is not this JSON throws DecodeError at construction, naming the file and what is
 * wrong; nothing is overwritten.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BdAddr, DecodeError, fromHex, hex, isBdAddr, parseBdAddr } from '../core/index.js';
import { checkStoredKey, LINK_KEY_LENGTH, MemoryKeyStore, type StoredKey } from '../security/index.js';

const VERSION = 1;

interface KeyFile {
  version: number;
  keys: Record<string, { linkKey: string; keyType: number }>;
}

/** A `MemoryKeyStore` that loads from the file at construction and saves to it on every change. */
export class JsonFileKeyStore extends MemoryKeyStore {
  constructor(readonly path: string) {
    super();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const [address, key] of parseKeyFile(path, text)) super.set(address, key);
  }

  override set(address: BdAddr, key: StoredKey): void {
    super.set(address, key);
    this.save();
  }

  override delete(address: BdAddr): void {
    if (!this.get(address)) return;
    super.delete(address);
    this.save();
  }

  private save(): void {
    const file: KeyFile = { version: VERSION, keys: {} };
    for (const address of this.addresses().sort((a, b) => a.localeCompare(b))) {
      const k = this.get(address)!;
      file.keys[address] = { linkKey: hex(k.linkKey), keyType: k.keyType };
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

function corrupt(path: string, what: string): DecodeError {
  return new DecodeError('socket', `key store ${path}`, 0, `${what}; fix the file or delete it to start with no stored keys`);
}

function parseKeyFile(path: string, text: string): [BdAddr, StoredKey][] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw corrupt(path, `not JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(path, 'not a JSON object');
  const file = json as Partial<KeyFile>;
  if (file.version !== VERSION) throw corrupt(path, `version ${JSON.stringify(file.version)}, expected ${VERSION}`);
  if (typeof file.keys !== 'object' || file.keys === null || Array.isArray(file.keys)) throw corrupt(path, '"keys" is not an object');
  const out: [BdAddr, StoredKey][] = [];
  for (const [address, entry] of Object.entries(file.keys)) {
    if (!isBdAddr(address)) throw corrupt(path, `${JSON.stringify(address)} is not a Bluetooth address`);
    const e = entry as { linkKey?: unknown; keyType?: unknown } | null;
    if (typeof e?.linkKey !== 'string' || !new RegExp(`^[0-9a-fA-F]{${LINK_KEY_LENGTH * 2}}$`).test(e.linkKey)) {
      throw corrupt(path, `the link key of ${address} is not ${LINK_KEY_LENGTH * 2} hex digits`);
    }
    const key: StoredKey = { linkKey: fromHex(e.linkKey), keyType: e.keyType as number };
    try {
      checkStoredKey(key);
    } catch {
      // The link key is 16 octets by the pattern above: what checkStoredKey refused is the type.
      throw corrupt(path, `the key type of ${address} is not an octet`);
    }
    out.push([parseBdAddr(address), key]);
  }
  return out;
}
