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

/**
 * Why a security request failed, as a code beside the reason's words (each reason below names its
 * code). This side refused: 'rejected-by-user', 'user-timeout' (no answer from the user),
 * 'not-pairable', 'no-pin' (the socket layer's adapter had no PIN for a legacy PIN request: set there,
 * as the manager sees only the negative reply). The pairing or authentication failed with the HCI status in `status`:
 * 'authentication-failed' (0x05: values did not match, wrong PIN, the peer refused),
 * 'key-missing' (0x06), 'stored-key-rejected' (0x05 or 0x06 to a stored key), 'pairing-not-allowed'
 * (0x18), 'peer-timeout' (0x08, 0x22), 'pairing-failed' (any other status). The controller refused
 * the command: 'controller-refused'. Encryption: 'encryption-failed', 'key-too-short' (KNOB),
 * 'key-size-unreadable'. The link's key or state fell short: 'mitm-unavailable', 'not-authenticated',
 * 'not-encrypted'. The request itself: 'link-down', 'timeout', 'refused' (it could not be made).
 */
export type SecurityFailure =
  | 'rejected-by-user'
  | 'user-timeout'
  | 'not-pairable'
  | 'no-pin'
  | 'authentication-failed'
  | 'key-missing'
  | 'stored-key-rejected'
  | 'pairing-not-allowed'
  | 'peer-timeout'
  | 'pairing-failed'
  | 'controller-refused'
  | 'encryption-failed'
  | 'key-too-short'
  | 'key-size-unreadable'
  | 'mitm-unavailable'
  | 'not-authenticated'
  | 'not-encrypted'
  | 'link-down'
  | 'timeout'
  | 'refused';

/** A failure as code and words, with the HCI status behind it when a controller event reported one. */
export interface SecurityFailureInfo {
  readonly failure: SecurityFailure;
  readonly reason: string;
  readonly status?: number;
}

function hex2(v: number): string {
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/** Why a pairing or authentication ended with `status`. `legacy` is PIN pairing; `storedKey` says a stored link key was offered. */
export function pairingFailure(status: number, ctx: { legacy?: boolean; storedKey?: boolean; cause?: LocalCause } = {}): SecurityFailureInfo {
  const code = `${statusName(status)} ${hex2(status)}`;
  const f = (failure: SecurityFailure, reason: string): SecurityFailureInfo => ({ failure, reason, status });
  if (ctx.cause === 'rejected-by-user') return f('rejected-by-user', `pairing rejected by the user (${code})`);
  if (ctx.cause === 'user-timeout') return f('user-timeout', `no answer from the user in time: pairing refused (${code})`);
  if (ctx.cause === 'not-pairable') return f('not-pairable', `pairing refused: this device is not pairable (${code})`);
  switch (status) {
    case STATUS.AUTHENTICATION_FAILURE:
      if (ctx.storedKey) return f('stored-key-rejected', `the peer rejected the stored link key (${code}): pair again`);
      return f('authentication-failed', ctx.legacy ? `wrong PIN (${code})` : `authentication failed (${code}): the values did not match or the peer refused`);
    case STATUS.PIN_OR_KEY_MISSING:
      if (ctx.storedKey) return f('stored-key-rejected', `the peer has no link key for this device any more (${code}): pair again`);
      return f('key-missing', ctx.legacy ? `wrong or missing PIN (${code})` : `PIN or key missing (${code})`);
    case STATUS.PAIRING_NOT_ALLOWED:
      return f('pairing-not-allowed', `the peer does not allow pairing (${code})`);
    case STATUS.LMP_RESPONSE_TIMEOUT:
    case STATUS.CONNECTION_TIMEOUT:
      return f('peer-timeout', `the peer stopped answering during pairing (${code})`);
    default:
      return f('pairing-failed', `failed with ${code}`);
  }
}

/** The controller refused a security command (its Command Status) or an event reported `status`. */
export function statusFailure(failure: 'controller-refused' | 'encryption-failed', status: number, what: string): SecurityFailureInfo {
  return { failure, reason: `${what}: ${statusName(status)} (${hex2(status)})`, status };
}

/** A 'mitm' request on a link whose key (of `keyType`) was made without MITM protection. */
export function mitmFailure(keyType: number | undefined): SecurityFailureInfo {
  const what = keyType === undefined ? 'of unknown type' : `of type ${hex2(keyType)}`;
  return { failure: 'mitm-unavailable', reason: `MITM protection required but the link key is unauthenticated (${what}): pair with an IO capability that allows Numeric Comparison or Passkey Entry` };
}

/** Why a link whose encryption key is `keySize` octets does not count as encrypted (KNOB, CVE-2019-9506). */
export function keySizeFailure(keySize: number, minimum: number): SecurityFailureInfo {
  return { failure: 'key-too-short', reason: `the encryption key is ${keySize} octet${keySize === 1 ? '' : 's'}, below the minimum of ${minimum} (KNOB, CVE-2019-9506)` };
}

/**
 * Why a link does not count as encrypted when Read Encryption Key Size failed with `status`, or
 * answered success without a Key_Size (malformed return parameters): the manager fails closed.
 */
export function keySizeReadFailure(status: number): SecurityFailureInfo {
  if (status === STATUS.SUCCESS) return { failure: 'key-size-unreadable', reason: 'the controller answered Read Encryption Key Size without a Key_Size: the link does not count as encrypted' };
  return { failure: 'key-size-unreadable', reason: `the encryption key size could not be read (${statusName(status)} ${hex2(status)}): the link does not count as encrypted`, status };
}
