/**
 * The public types of `SecurityManager`: options, security levels and the events it raises
 * (docs/security.md). Prompts (`confirm-request`, `passkey-request`, `pin-request`) carry an `id`
 * that the application answers with `answerConfirm` / `answerPasskey` / `answerPin`.
 */
import { ArgumentError, type BdAddr } from '../core/index.js';
import type { AssociationModelName, IoCapability } from './association-model.js';
import type { KeyStore } from './key-store.js';
import type { SecurityFailure } from './failure-reasons.js';

/**
 * What a link must have, weakest first: `authenticated` (a link key was checked), `encrypted`
 * (authenticated and encrypted), `mitm` (encrypted with an authenticated key, type 0x05 or 0x08).
 */
export type SecurityLevel = 'none' | 'authenticated' | 'encrypted' | 'mitm';
export const SECURITY_LEVELS: readonly SecurityLevel[] = ['none', 'authenticated', 'encrypted', 'mitm'];

/** `level` if it is a SecurityLevel, else ArgumentError naming the levels (checked where the application gives one). */
export function checkSecurityLevel(level: unknown): SecurityLevel {
  if (!(SECURITY_LEVELS as readonly unknown[]).includes(level)) {
    throw new ArgumentError(`security level must be one of ${SECURITY_LEVELS.join(', ')}, got ${JSON.stringify(level) ?? String(level)}`);
  }
  return level as SecurityLevel;
}

export interface SecurityManagerOptions {
  readonly ioCapability: IoCapability;
  /** Store link keys (General Bonding); without it keys last only for the connection. */
  readonly bonding: boolean;
  /** Ask for MITM protection in every pairing, and never auto-accept Just Works. */
  readonly mitm: boolean;
  /** Default: a new `MemoryKeyStore`. */
  readonly keyStore?: KeyStore;
  /** How long a prompt waits for the application before the negative reply; default 30 000 ms. */
  readonly userTimeoutMs?: number;
  /** How long a `requestSecurity` waits for the controller before it fails; default 60 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Accept pairing at all; false answers IO Capability Request and PIN Code Request negatively. Default true. */
  readonly pairable?: boolean;
  /** Ask the application (a `confirm-request` with `justWorks: true`) even when Just Works could be auto-accepted. Default false. */
  readonly confirmJustWorks?: boolean;
  /** Prompts waiting for an answer at once; beyond it a request gets the negative reply at once. Default 16. */
  readonly maxPrompts?: number;
  /** Output queue caps (commands, events); overflow drops and counts. Default 256 each. */
  readonly maxQueued?: number;
  /**
   * Smallest encryption key, in octets, with which a link counts as encrypted (KNOB, CVE-2019-9506):
   * checked with Read Encryption Key Size after each Encryption Change that enables encryption.
   * 1..16 (`ArgumentError` otherwise); default 7, as BlueZ.
   */
  readonly minEncryptionKeySize?: number;
}

export interface LinkSecurity {
  readonly handle: number;
  readonly address: BdAddr;
  readonly authenticated: boolean;
  readonly encrypted: boolean;
  /** Type of the link key in use, when known. */
  readonly keyType: number | undefined;
  /** Key_Size of the encryption in use, in octets, once Read Encryption Key Size answered; absent while unknown. */
  readonly encryptionKeySize?: number;
}

export type SecurityEvent =
  | {
      readonly type: 'confirm-request';
      readonly id: number;
      readonly address: BdAddr;
      readonly numericValue: number;
      readonly justWorks: boolean;
      readonly model: AssociationModelName;
    }
  | { readonly type: 'passkey-request'; readonly id: number; readonly address: BdAddr }
  | { readonly type: 'pin-request'; readonly id: number; readonly address: BdAddr }
  | { readonly type: 'passkey-display'; readonly address: BdAddr; readonly passkey: number }
  /** A prompt that no longer needs an answer (the link went down, or the controller asked again). */
  | { readonly type: 'prompt-cancelled'; readonly id: number; readonly address: BdAddr; readonly reason: string }
  | { readonly type: 'paired'; readonly address: BdAddr; readonly keyType: number }
  /** `failure`: the reason as a code (failure-reasons.ts). */
  | { readonly type: 'pairing-failed'; readonly address: BdAddr; readonly status: number; readonly reason: string; readonly failure: SecurityFailure }
  /** A pairing event the pairing machine does not define in the peer's pairing state (pairing-state.ts): it was refused or not taken. */
  | { readonly type: 'pairing-error'; readonly address: BdAddr; readonly state: string; readonly event: string; readonly message: string }
  | { readonly type: 'key-stored'; readonly address: BdAddr; readonly keyType: number }
  | { readonly type: 'key-removed'; readonly address: BdAddr; readonly reason: string }
  /** The key store threw (for a file store: a disk error); the key was not read, written or deleted. */
  | { readonly type: 'key-store-error'; readonly address: BdAddr; readonly message: string }
  | { readonly type: 'authenticated'; readonly handle: number; readonly address: BdAddr; readonly keyType: number | undefined }
  | { readonly type: 'encryption-changed'; readonly handle: number; readonly address: BdAddr; readonly status: number; readonly enabled: boolean }
  /**
   * The key size check that follows an Encryption Change enabling encryption: `keySize` in octets
   * (undefined when the controller does not support Read Encryption Key Size, or the read failed);
   * `ok` says whether the link now counts as encrypted, `reason` why not.
   */
  | {
      readonly type: 'encryption-key-size';
      readonly handle: number;
      readonly address: BdAddr;
      readonly keySize: number | undefined;
      readonly ok: boolean;
      readonly reason?: string;
    }
  | {
      readonly type: 'security-complete';
      readonly id: number;
      readonly handle: number;
      readonly ok: boolean;
      readonly level: SecurityLevel;
      /** When not `ok`: why, in words and as a code, and the HCI status behind it when a controller event reported one. */
      readonly reason?: string;
      readonly failure?: SecurityFailure;
      readonly status?: number;
    };

export interface SecurityStats {
  /** Events for an address or handle the manager had no use for (late, duplicated, unknown link). */
  ignoredEvents: number;
  /** Outputs dropped because a queue was full. */
  droppedCommands: number;
  droppedEvents: number;
  /** Prompts answered negatively because no answer came in time or too many were open. */
  promptTimeouts: number;
  promptOverflows: number;
}
