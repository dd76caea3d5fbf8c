/**
 * Link key types (Core v5.4 Vol 4 Part E §7.7.24 Link Key Notification, Key_Type) and what they
 * are worth: only keys made by Secure Simple Pairing with MITM protection (Numeric Comparison or
 * Passkey Entry) are authenticated. Legacy combination keys (0x00, PIN pairing) and changed
 * combination keys (0x06) are treated as unauthenticated: nothing tells the host how strong the
 * PIN was.
 */
export const LINK_KEY_TYPE = {
  COMBINATION_KEY: 0x00,
  LOCAL_UNIT_KEY: 0x01,
  REMOTE_UNIT_KEY: 0x02,
  DEBUG_COMBINATION_KEY: 0x03,
  UNAUTHENTICATED_COMBINATION_KEY_P192: 0x04,
  AUTHENTICATED_COMBINATION_KEY_P192: 0x05,
  CHANGED_COMBINATION_KEY: 0x06,
  UNAUTHENTICATED_COMBINATION_KEY_P256: 0x07,
  AUTHENTICATED_COMBINATION_KEY_P256: 0x08,
} as const;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'Combination Key',
  0x01: 'Local Unit Key',
  0x02: 'Remote Unit Key',
  0x03: 'Debug Combination Key',
  0x04: 'Unauthenticated Combination Key generated from P-192',
  0x05: 'Authenticated Combination Key generated from P-192',
  0x06: 'Changed Combination Key',
  0x07: 'Unauthenticated Combination Key generated from P-256',
  0x08: 'Authenticated Combination Key generated from P-256',
};

/** The Key_Type values the specification defines (0x00–0x08); the rest are reserved. */
export function isKnownKeyType(keyType: unknown): keyType is number {
  return typeof keyType === 'number' && NAMES[keyType] !== undefined;
}

export function keyTypeName(keyType: number): string {
  return NAMES[keyType] ?? 'Reserved';
}

/** True for the key types made with MITM protection (0x05, 0x08). */
export function isAuthenticatedKeyType(keyType: number | undefined): boolean {
  return keyType === LINK_KEY_TYPE.AUTHENTICATED_COMBINATION_KEY_P192 || keyType === LINK_KEY_TYPE.AUTHENTICATED_COMBINATION_KEY_P256;
}
