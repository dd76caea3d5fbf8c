/**
 * A `KeyStore` kept in a JSON file, so that bonds survive a restart. The file is read once at
 * construction (a missing file is an empty store) and rewritten on every change.
 *
 *   { "version": 1,
 *     "keys": { "00:1A:7D:DA:71:13": { "linkKey": "32 hex digits", "keyType": 4 } } }
 *
 * Link keys are secrets, so the file is handled as one:
 * - Loading opens the file without following a link (O_NOFOLLOW) or waiting on a FIFO (O_NONBLOCK)
 *   and checks what it opened (fstat):
 *   a symbolic link, something that is not a regular file, or a file that group or others may
 *   read or write (any of mode 0077) throws ArgumentError saying what to do (`chmod 600 FILE`).
 * - Saving writes a new temporary file beside it (same directory, so the rename stays on one file
 *   system) under a random name, created exclusively (O_CREAT|O_EXCL, flag 'wx': whatever is at
 *   that name, a planted link included, makes it fail rather than be followed) with mode 0600;
 *   writes, fsyncs, closes, then renames it over the key file. A crash leaves the old or the new
 *   file, never half of one; the rename replaces a link at the key file's name, never its target.
 *
 * A file whose content is not this JSON, or holds a key type the specification does not define
 * (Core Vol 4 Part E §7.7.24 Key_Type: 0x00–0x08), throws DecodeError at construction, naming the
 * file, the entry and what is wrong; nothing is overwritten.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ArgumentError, type BdAddr, DecodeError, fromHex, hex, isBdAddr, parseBdAddr } from '../core/index.js';
import { isKnownKeyType, LINK_KEY_LENGTH, MemoryKeyStore, type StoredKey } from '../security/index.js';

const VERSION = 1;

interface KeyFile {
  version: number;
  keys: Record<string, { linkKey: string; keyType: number }>;
}

/** A `MemoryKeyStore` that loads from the file at construction and saves to it on every change. */
export class JsonFileKeyStore extends MemoryKeyStore {
  constructor(readonly path: string) {
    super();
    const text = readKeyFile(path);
    if (text === undefined) return;
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
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(8).toString('hex')}.tmp`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      try {
        writeSync(fd, JSON.stringify(file, null, 2) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
  }
}

/**
 * The key file's text, undefined when there is none. Opened without following a link and checked
 * on what was opened, so nothing can swap the file between the check and the read.
 */
function readKeyFile(path: string): string | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the open (it is then refused as not a file).
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ArgumentError(`key store ${path} is a symbolic link: link keys are never read or written through a link; move the real file to ${path} (or give its own path)`);
    throw e;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ArgumentError(`key store ${path} is not a regular file: give the path of a JSON key file (it is created when the first key is stored)`);
    const mode = stat.mode & 0o777;
    if (mode & 0o077) {
      throw new ArgumentError(
        `key store ${path} has mode 0${mode.toString(8)}: group or others may read or write it, and link keys are secrets; run chmod 600 ${path}`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
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
    if (!isKnownKeyType(e.keyType)) {
      throw corrupt(path, `the key type of ${address} is ${JSON.stringify(e.keyType) ?? 'missing'}, not one of 0x00–0x08 (0–8, Core Vol 4 Part E §7.7.24 Key_Type)`);
    }
    out.push([parseBdAddr(address), { linkKey: fromHex(e.linkKey), keyType: e.keyType }]);
  }
  return out;
}
