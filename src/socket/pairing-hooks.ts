/**
 * Pairing at the application level: the adapter's security settings (IO capability, bonding, MITM,
 * where link keys live) and the typed async hooks that answer the stack's prompts. Safe defaults:
 * with no hook a numeric comparison is refused, a passkey or PIN request gets the negative reply
 * (or the fixed `pin`), and Just Works is accepted only when MITM protection is not required.
 */
import type { BdAddr } from '../core/index.js';
import type { IoCapability, KeyStore, SecurityEvent, SecurityManagerOptions } from '../security/index.js';
import type { Stack } from '../stack/index.js';
import type { Driver } from '../node/index.js';
import { JsonFileKeyStore } from './key-store-file.js';

export interface PairingOptions {
  /** What this device can show and enter (default NoInputNoOutput: Just Works). */
  ioCapability?: IoCapability;
  /** Keep link keys after the connection (default true). */
  bonding?: boolean;
  /** Require MITM protection (numeric comparison or passkey) in every pairing (default false). */
  mitm?: boolean;
  /** Where link keys live: a JSON file path (survives restarts) or any KeyStore (default: memory). */
  keys?: string | KeyStore;
  /** A fixed legacy PIN to answer PIN requests with when there is no `onPinRequest` (e.g. '1234'). */
  pin?: string;
  /** How long a prompt waits for its hook before the negative reply (default 30 s). */
  timeoutMs?: number;
  /** Numeric comparison (or Just Works when confirmation is asked): resolve true to accept. */
  onConfirm?: (numericValue: number, address: BdAddr, info: { justWorks: boolean }) => boolean | Promise<boolean>;
  /** Passkey entry: resolve the 6-digit passkey shown on the other device, or null to refuse. */
  onPasskeyRequest?: (address: BdAddr) => number | null | Promise<number | null>;
  /** Legacy pairing: resolve the PIN, or null to refuse. */
  onPinRequest?: (address: BdAddr) => string | null | Promise<string | null>;
  /** The passkey to show the user, who types it on the other device. */
  onPasskeyDisplay?: (passkey: number, address: BdAddr) => void;
}

/** Why legacy pairing failed when the settings had nothing to answer a PIN request with. */
export const NO_PIN = 'no PIN configured (pass pin or onPinRequest; CLI --pin)';

/** True when a PIN request gets the negative reply because neither `pin` nor `onPinRequest` is set. */
export function refusesPins(o: PairingOptions): boolean {
  return o.onPinRequest === undefined && o.pin === undefined;
}

/** The SecurityManager options these settings stand for. */
export function securityOptions(o: PairingOptions): Partial<SecurityManagerOptions> {
  return {
    ...(o.ioCapability ? { ioCapability: o.ioCapability } : {}),
    ...(o.bonding !== undefined ? { bonding: o.bonding } : {}),
    ...(o.mitm !== undefined ? { mitm: o.mitm } : {}),
    ...(o.timeoutMs !== undefined ? { userTimeoutMs: o.timeoutMs } : {}),
    ...(o.keys !== undefined ? { keyStore: typeof o.keys === 'string' ? new JsonFileKeyStore(o.keys) : o.keys } : {}),
  };
}

/** Answers one security prompt through the hooks; a hook that throws counts as a refusal. */
export function answerPrompt(e: SecurityEvent, o: PairingOptions, stack: Stack, driver: Driver): void {
  const settle = <T>(ask: () => T | Promise<T>, fallback: T, answer: (v: T, now: number) => void): void => {
    Promise.resolve()
      .then(ask)
      .catch(() => fallback)
      .then((v) => {
        if (!driver.isClosed) driver.run((now) => answer(v, now));
      });
  };
  switch (e.type) {
    case 'confirm-request':
      if (o.onConfirm) settle(() => o.onConfirm!(e.numericValue, e.address, { justWorks: e.justWorks }), false, (v, now) => stack.answerConfirm(e.id, v === true, now));
      else driver.run((now) => stack.answerConfirm(e.id, e.justWorks && !o.mitm, now));
      return;
    case 'passkey-request':
      if (o.onPasskeyRequest) settle(() => o.onPasskeyRequest!(e.address), null, (v, now) => stack.answerPasskey(e.id, v, now));
      else driver.run((now) => stack.answerPasskey(e.id, null, now));
      return;
    case 'pin-request':
      if (o.onPinRequest) settle(() => o.onPinRequest!(e.address), null, (v, now) => stack.answerPin(e.id, v, now));
      else driver.run((now) => stack.answerPin(e.id, o.pin ?? null, now));
      return;
    case 'passkey-display':
      o.onPasskeyDisplay?.(e.passkey, e.address);
      return;
    default:
      return;
  }
}
