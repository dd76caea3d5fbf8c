/**
 * Bluetooth UUIDs (Core v5.4 Vol 3 Part B §2.5.1): 16- and 32-bit UUIDs are shorthand for
 * `xxxxxxxx-0000-1000-8000-00805F9B34FB` (the Bluetooth base UUID). A `Uuid` keeps the size it
 * was written with (SDP encodes it as given) and compares by its 128-bit value.
 */
import { ArgumentError, DecodeError } from './errors.js';
import { hex } from './bytes.js';

export type UuidSize = 2 | 4 | 16;

export class Uuid {
  /** Big-endian bytes of the size this UUID was given in (2, 4 or 16). */
  readonly bytes: Uint8Array;
  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  static fromBytes(b: Uint8Array): Uuid {
    if (b.length !== 2 && b.length !== 4 && b.length !== 16) {
      throw new DecodeError('core', 'UUID', 0, `a UUID is 2, 4 or 16 bytes, not ${b.length}`);
    }
    return new Uuid(Uint8Array.from(b));
  }

  static from16(v: number): Uuid {
    checkUint(v, 0xffff, '16');
    return new Uuid(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }

  static from32(v: number): Uuid {
    checkUint(v, 0xffffffff, '32');
    return new Uuid(Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }

  /** Parses `0x1101`, `1101`, `00001101`, or the dashed 128-bit form. */
  static parse(s: string): Uuid {
    const t = s.trim().replace(/^0x/i, '');
    if (/^[0-9a-fA-F]{4}$/.test(t)) return Uuid.from16(parseInt(t, 16));
    if (/^[0-9a-fA-F]{8}$/.test(t)) return Uuid.from32(parseInt(t, 16));
    if (/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(t)) {
      const d = t.replace(/-/g, '');
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = parseInt(d.substr(i * 2, 2), 16);
      return new Uuid(b);
    }
    throw new ArgumentError(`not a UUID: ${JSON.stringify(s)} (expected 16-bit like 0x1101 or 128-bit with dashes)`);
  }

  get size(): UuidSize {
    return this.bytes.length as UuidSize;
  }

  /** The full 128-bit value (big-endian). */
  to128(): Uint8Array {
    if (this.bytes.length === 16) return this.bytes;
    const out = Uint8Array.from(BASE_UUID);
    out.set(this.bytes, 4 - this.bytes.length);
    return out;
  }

  /** The shortest form, when this UUID lies on the base UUID; otherwise itself. */
  short(): Uuid {
    const full = this.to128();
    for (let i = 4; i < 16; i++) if (full[i] !== BASE_UUID[i]) return this;
    if (full[0] === 0 && full[1] === 0) return new Uuid(full.slice(2, 4));
    return new Uuid(full.slice(0, 4));
  }

  equals(other: Uuid): boolean {
    const a = this.to128();
    const b = other.to128();
    for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  toString(): string {
    if (this.bytes.length !== 16) return '0x' + hex(this.bytes);
    const h = hex(this.bytes);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function checkUint(v: number, max: number, bits: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new ArgumentError(`a ${bits}-bit UUID is an integer 0..0x${max.toString(16)}, not ${v}`);
}

/** 00000000-0000-1000-8000-00805F9B34FB */
export const BASE_UUID = Uint8Array.of(0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x80, 0x00, 0x00, 0x80, 0x5f, 0x9b, 0x34, 0xfb);

/** Assigned numbers used by the stack (Bluetooth Assigned Numbers §3.1, §3.3). */
export const UUID16 = {
  SDP: 0x0001,
  RFCOMM: 0x0003,
  L2CAP: 0x0100,
  PublicBrowseRoot: 0x1002,
  SerialPort: 0x1101,
} as const;
