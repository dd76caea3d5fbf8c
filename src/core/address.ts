/**
 * BD_ADDR (Core v5.4 Vol 2 Part B §1.2): 48 bits, written most significant byte first as
 * `AA:BB:CC:DD:EE:FF`, sent on the HCI wire least significant byte first. The stack represents an
 * address as its canonical upper-case string so that it can be compared, printed and used as a key.
 */
import { ArgumentError, DecodeError } from './errors.js';

export type BdAddr = string;

/** Six octets all separated by colons, all by dashes, or 12 bare hex digits (no mixing). */
const PATTERN = /^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{12})$/;

export function isBdAddr(s: string): boolean {
  return PATTERN.test(s);
}

/** Canonical form of an address given as `aa:bb:..`, `aa-bb-..` or 12 hex digits. */
export function parseBdAddr(s: string): BdAddr {
  if (typeof s !== 'string' || !PATTERN.test(s)) {
    throw new ArgumentError(`not a Bluetooth address: ${JSON.stringify(s)} (expected six hex octets such as 00:1A:7D:DA:71:13)`);
  }
  const digits = s.replace(/[:-]/g, '').toUpperCase();
  return digits.match(/../g)!.join(':');
}

/** The 6 wire bytes, least significant first. */
export function bdAddrToBytes(addr: BdAddr): Uint8Array {
  const parts = parseBdAddr(addr).split(':');
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(parts[5 - i], 16);
  return out;
}

/** Reads 6 wire bytes (least significant first) at `off`. */
export function bdAddrFromBytes(b: Uint8Array, off = 0): BdAddr {
  if (!Number.isInteger(off) || off < 0 || off + 6 > b.length) throw new DecodeError('core', 'BD_ADDR', off, `needs 6 bytes at offset ${off} of a ${b.length}-byte array`);
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push(b[off + i].toString(16).padStart(2, '0').toUpperCase());
  return parts.join(':');
}

export const BDADDR_ANY: BdAddr = '00:00:00:00:00:00';
