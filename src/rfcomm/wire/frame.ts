/**
 * RFCOMM frames (TS 07.10 §5.2 basic option, as profiled by RFCOMM 1.2 §5.1 and §6.5).
 *
 * Layout: | address | control | length (1 or 2) | credits (0 or 1) | information | FCS |
 * - address: bit 0 EA (always 1: RFCOMM uses one address octet), bit 1 C/R, bits 2–7 DLCI.
 * - control: frame type with the P/F bit (0x10): SABM 0x2F, UA 0x63, DM 0x0F, DISC 0x43,
 *   UIH 0xEF, UI 0x03. Any other control octet is a DecodeError.
 * - length: EA=1 → one octet, length = octet >> 1 (0..127); EA=0 → two octets,
 *   length = (first >> 1) | (second << 7) (0..32767). The encoder writes one octet for ≤ 127
 *   unless `longLength` asks for the two-octet form (kept so that a decoded frame re-encodes
 *   byte for byte).
 * - credits: a UIH with P/F=1 on DLCI ≠ 0 carries one credit octet when credit-based flow control
 *   applies (RFCOMM 1.2 §6.5.2). The decoder cannot know that from the bytes, so it takes a flag:
 *   `decodeRfcommFrame(bytes, { credits })`. With the default (`credits: true`) it reads the
 *   credit octet on every UIH with P/F=1 on DLCI ≠ 0 (as Wireshark does), and the multiplexer
 *   passes `false` for a DLC that did not negotiate CBFC. A decoded frame has `credits` set only
 *   when the octet was read; the encoder writes it whenever `credits` is set.
 * - FCS: see `fcs.ts` for which octets it covers.
 *
 * Contract: decoding is total (a value or DecodeError). The length field must match the octets
 * that remain exactly, and a bad FCS is a DecodeError. Encoding a frame whose information field
 * is longer than 32767 octets, or whose fields are out of range, throws ArgumentError.
 */
import { ArgumentError, ByteWriter, DecodeError } from '../../core/index.js';
import { checkFcs, computeFcs } from './fcs.js';

/** Control field values with P/F = 0 (TS 07.10 Table 2). */
export const FRAME_TYPE = {
  SABM: 0x2f,
  UA: 0x63,
  DM: 0x0f,
  DISC: 0x43,
  UIH: 0xef,
  UI: 0x03,
} as const;
export type RfcommFrameType = keyof typeof FRAME_TYPE;

/** The P/F bit of the control octet. */
export const PF_BIT = 0x10;
/** The largest length a two-octet length field carries. */
export const MAX_FRAME_INFO = 0x7fff;
/** Octets around the information field at most: address, control, 2 length octets, FCS. */
export const FRAME_OVERHEAD = 5;
/** One more octet when the frame carries credits. */
export const CREDIT_OVERHEAD = 1;

export interface RfcommFrame {
  readonly type: RfcommFrameType;
  readonly dlci: number;
  /** The address C/R bit. */
  readonly cr: boolean;
  /** The P/F bit. */
  readonly pf: boolean;
  /** The credit octet (UIH with P/F=1 under credit-based flow control). */
  readonly credits?: number;
  readonly info: Uint8Array;
  /** Two-octet length field for a length ≤ 127 (a non-canonical but legal encoding). */
  readonly longLength?: boolean;
}

export interface DecodeFrameOptions {
  /** Read a credit octet on UIH frames with P/F=1 on DLCI ≠ 0 (default true). */
  readonly credits?: boolean;
}

const TYPE_BY_CONTROL = new Map<number, RfcommFrameType>(
  (Object.entries(FRAME_TYPE) as [RfcommFrameType, number][]).map(([name, v]) => [v, name]),
);

function fail(offset: number, reason: string): never {
  throw new DecodeError('rfcomm', 'frame', offset, reason);
}

/** The DLCI of a frame from its address octet alone, or undefined when there is none. */
export function peekDlci(bytes: Uint8Array): number | undefined {
  return bytes.length > 0 && bytes[0] & 1 ? bytes[0] >>> 2 : undefined;
}

export function decodeRfcommFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): RfcommFrame {
  if (bytes.length < 4) fail(0, `a frame has at least 4 octets, got ${bytes.length}`);
  const address = bytes[0];
  if ((address & 1) === 0) fail(0, 'address EA bit is 0 (RFCOMM uses one address octet)');
  const dlci = address >>> 2;
  const cr = (address & 2) !== 0;
  const control = bytes[1];
  const type = TYPE_BY_CONTROL.get(control & ~PF_BIT);
  if (type === undefined) fail(1, `unknown control field 0x${control.toString(16).padStart(2, '0')}`);
  const pf = (control & PF_BIT) !== 0;
  let offset = 2;
  let length = bytes[offset] >>> 1;
  let longLength = false;
  if (bytes[offset] & 1) {
    offset += 1;
  } else {
    length |= bytes[offset + 1] << 7;
    longLength = length <= 127;
    offset += 2;
  }
  const lengthEnd = offset;
  const withCredits = type === 'UIH' && pf && dlci !== 0 && options.credits !== false;
  const remaining = bytes.length - offset - 1 - (withCredits ? 1 : 0);
  if (remaining !== length) {
    fail(2, `length field says ${length} information octet(s), the frame carries ${remaining < 0 ? 'none' : remaining}${withCredits ? ' (after the credit octet)' : ''}`);
  }
  const credits = withCredits ? bytes[offset++] : undefined;
  const info = bytes.slice(offset, offset + length);
  const fcsAt = bytes.length - 1;
  const coveredEnd = type === 'UIH' ? 2 : type === 'UI' ? fcsAt : lengthEnd;
  if (!checkFcs(bytes, 0, coveredEnd, bytes[fcsAt])) fail(fcsAt, 'bad FCS');
  const frame: RfcommFrame = { type, dlci, cr, pf, info };
  return {
    ...frame,
    ...(credits !== undefined ? { credits } : {}),
    ...(longLength ? { longLength: true } : {}),
  };
}

function lengthOctets(frame: RfcommFrame): number {
  return frame.info.length > 127 || frame.longLength ? 2 : 1;
}

export function rfcommFrameLength(frame: RfcommFrame): number {
  return 2 + lengthOctets(frame) + (frame.credits !== undefined ? 1 : 0) + frame.info.length + 1;
}

export function encodeRfcommFrameInto(frame: RfcommFrame, out: Uint8Array, offset: number): number {
  if (!Number.isInteger(frame.dlci) || frame.dlci < 0 || frame.dlci > 63) throw new ArgumentError(`DLCI must be 0..63, got ${frame.dlci}`);
  if (frame.info.length > MAX_FRAME_INFO) throw new ArgumentError(`an RFCOMM information field holds at most ${MAX_FRAME_INFO} octets, got ${frame.info.length}`);
  if (frame.credits !== undefined && (!Number.isInteger(frame.credits) || frame.credits < 0 || frame.credits > 255)) {
    throw new ArgumentError(`the credit octet is 0..255, got ${frame.credits}`);
  }
  const w = new ByteWriter(out, offset);
  w.u8((frame.dlci << 2) | (frame.cr ? 2 : 0) | 1);
  w.u8(FRAME_TYPE[frame.type] | (frame.pf ? PF_BIT : 0));
  const n = frame.info.length;
  if (lengthOctets(frame) === 1) w.u8((n << 1) | 1);
  else w.u8((n & 0x7f) << 1).u8(n >>> 7);
  const lengthEnd = w.offset;
  if (frame.credits !== undefined) w.u8(frame.credits);
  w.put(frame.info);
  const coveredEnd = frame.type === 'UIH' ? offset + 2 : frame.type === 'UI' ? w.offset : lengthEnd;
  w.u8(computeFcs(out, offset, coveredEnd));
  return w.offset - offset;
}

export function encodeRfcommFrame(frame: RfcommFrame): Uint8Array {
  const out = new Uint8Array(rfcommFrameLength(frame));
  encodeRfcommFrameInto(frame, out, 0);
  return out;
}

/** One line, e.g. `UIH dlci=2 cr=1 pf=1 credits=7 len=12`. */
export function describeRfcommFrame(frame: RfcommFrame): string {
  const credits = frame.credits !== undefined ? ` credits=${frame.credits}` : '';
  return `${frame.type} dlci=${frame.dlci} cr=${frame.cr ? 1 : 0} pf=${frame.pf ? 1 : 0}${credits} len=${frame.info.length}`;
}
