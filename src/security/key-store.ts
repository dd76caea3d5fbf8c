/**
 * Where the security manager keeps link keys between connections (bonding). A key store maps a
 * peer's BD_ADDR to its 16-octet link key and key type (Core v5.4 Vol 4 Part E §7.7.24). The
 * manager reads it on Link Key Request, writes it on Link Key Notification and deletes a key the
 * peer rejected. Implementations must be synchronous; `MemoryKeyStore` is the default and
 * `JsonFileKeyStore` (src/socket/key-store-file.ts) keeps keys in a file.
 */
import { ArgumentError, type BdAddr, parseBdAddr } from '../core/index.js';
import { isKnownKeyType } from './key-types.js';

export interface StoredKey {
  /** 16 octets, as the controller gives them in Link Key Notification. */
  readonly linkKey: Uint8Array;
  readonly keyType: number;
}

export interface KeyStore {
  get(address: BdAddr): StoredKey | undefined;
  set(address: BdAddr, key: StoredKey): void;
  delete(address: BdAddr): void;
}

export const LINK_KEY_LENGTH = 16;

/** Throws ArgumentError unless the key is 16 octets and its type one the specification defines (0x00–0x08). */
export function checkStoredKey(key: StoredKey): StoredKey {
  if (!(key.linkKey instanceof Uint8Array) || key.linkKey.length !== LINK_KEY_LENGTH) {
    throw new ArgumentError(`a link key is ${LINK_KEY_LENGTH} octets, got ${key.linkKey?.length ?? 'none'}`);
  }
  if (!isKnownKeyType(key.keyType)) {
    throw new ArgumentError(`a link key type is one of 0x00–0x08 (Core Vol 4 Part E §7.7.24 Key_Type), got ${JSON.stringify(key.keyType)}`);
  }
  return key;
}

/** Keys held in memory for the life of the process; copies in and out so callers cannot alter them. */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<BdAddr, StoredKey>();

  get(address: BdAddr): StoredKey | undefined {
    const k = this.keys.get(parseBdAddr(address));
    return k && { linkKey: k.linkKey.slice(), keyType: k.keyType };
  }
  set(address: BdAddr, key: StoredKey): void {
    checkStoredKey(key);
    this.keys.set(parseBdAddr(address), { linkKey: key.linkKey.slice(), keyType: key.keyType });
  }
  delete(address: BdAddr): void {
    this.keys.delete(parseBdAddr(address));
  }
  get size(): number {
    return this.keys.size;
  }
  addresses(): BdAddr[] {
    return [...this.keys.keys()];
  }
}
