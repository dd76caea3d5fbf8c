/**
 * Human-readable reasons for failed pairing and security requests, from the HCI status of the
 * event that reported the failure (Core v5.4 Vol 1 Part F §1.3; Vol 4 Part E §7.7.6 Authentication
 * Complete, §7.7.45 Simple Pairing Complete, §7.7.8 Encryption Change, §7.5.7 Read Encryption Key
 * Size) and what the manager itself knows (the user said no, the user did not answer, the key is too
 * short).
 */
import { statusName } from '../hci/index.js';

export const STATUS = {
  SUCCESS: 0x00,
  AUTHENTICATION_FAILURE: 0x05,
  PIN_OR_KEY_MISSING: 0x06,
  CONNECTION_TIMEOUT: 0x08,
  PAIRING_NOT_ALLOWED: 0x18,
  UNSPECIFIED_ERROR: 0x1f,
  LMP_RESPONSE_TIMEOUT: 0x22,
  INSUFFICIENT_SECURITY: 0x2f,
  HOST_BUSY_PAIRING: 0x38,
} as const;

export type LocalCause = 'rejected-by-user' | 'user-timeout' | 'not-pairable' | undefined;

function hex2(v: number): string {
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/** Why a pairing or authentication ended with `status`. `legacy` is PIN pairing; `storedKey` says a stored link key was offered. */
export function failureReason(status: number, ctx: { legacy?: boolean; storedKey?: boolean; cause?: LocalCause } = {}): string {
  const code = `${statusName(status)} ${hex2(status)}`;
  if (ctx.cause === 'rejected-by-user') return `pairing rejected by the user (${code})`;
  if (ctx.cause === 'user-timeout') return `no answer from the user in time: pairing refused (${code})`;
  if (ctx.cause === 'not-pairable') return `pairing refused: this device is not pairable (${code})`;
  switch (status) {
    case STATUS.AUTHENTICATION_FAILURE:
      if (ctx.storedKey) return `the peer rejected the stored link key (${code}): pair again`;
      return ctx.legacy ? `wrong PIN (${code})` : `authentication failed (${code}): the values did not match or the peer refused`;
    case STATUS.PIN_OR_KEY_MISSING:
      if (ctx.storedKey) return `the peer has no link key for this device any more (${code}): pair again`;
      return ctx.legacy ? `wrong or missing PIN (${code})` : `PIN or key missing (${code})`;
    case STATUS.PAIRING_NOT_ALLOWED:
      return `the peer does not allow pairing (${code})`;
    case STATUS.LMP_RESPONSE_TIMEOUT:
    case STATUS.CONNECTION_TIMEOUT:
      return `the peer stopped answering during pairing (${code})`;
    default:
      return `failed with ${code}`;
  }
}

export function mitmReason(keyType: number | undefined): string {
  const what = keyType === undefined ? 'of unknown type' : `of type ${hex2(keyType)}`;
  return `MITM protection required but the link key is unauthenticated (${what}): pair with an IO capability that allows Numeric Comparison or Passkey Entry`;
}

/** Why a link whose encryption key is `keySize` octets does not count as encrypted (KNOB, CVE-2019-9506). */
export function keySizeReason(keySize: number, minimum: number): string {
  return `the encryption key is ${keySize} octet${keySize === 1 ? '' : 's'}, below the minimum of ${minimum} (KNOB, CVE-2019-9506)`;
}

/**
 * Why a link does not count as encrypted when Read Encryption Key Size failed with `status`, or
 * answered success without a Key_Size (malformed return parameters): the manager fails closed.
 */
export function keySizeReadReason(status: number): string {
  if (status === STATUS.SUCCESS) return 'the controller answered Read Encryption Key Size without a Key_Size: the link does not count as encrypted';
  return `the encryption key size could not be read (${statusName(status)} ${hex2(status)}): the link does not count as encrypted`;
}
