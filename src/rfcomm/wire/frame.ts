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
 * - The repr is a discriminated union by frame type: only a UIH with P/F = 1 has a `credits`
 *   field, so a SABM or a P/F = 0 UIH with credits does not type-check; the encoder also refuses
 *   credits on DLCI 0 (the multiplexer control channel has no credit octet) with ArgumentError.
 * - FCS: see `fcs.ts` for which octets it covers.
 *
 * Contract (src/core/codec.ts, `rfcommFrameCodec`): decoding is total (a value or DecodeError). The length field must match the octets
 * that remain exactly, and a bad FCS is a DecodeError; `info` is a view of the decoded bytes
 * (src/core/bytes.ts, "Ownership"). Encoding a frame whose information field is longer than 32767
 * octets, or whose fields are out of range, throws ArgumentError. `writeRfcommHeader` writes a
 * frame's header alone into any `ByteSink` and returns the CRC register over the octets the FCS
 * covers, so that a sender can write the information field straight from its queue into the
 * outgoing ACL packets and end with `0xff - crc` (DESIGN.md rule 10).
 */
import { ArgumentError, type ByteSink, ByteWriter, type Codec, DecodeError, defineCodec, view } from '../../core/index.js';
import { checkFcs, crc8, crcStep } from './fcs.js';

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

/** What every frame has: address (DLCI, C/R), the P/F bit, the information field. */
interface FrameFields {
  readonly dlci: number;
  /** The address C/R bit. */
  readonly cr: boolean;
  /** The P/F bit. */
  readonly pf: boolean;
  readonly info: Uint8Array;
  /** Two-octet length field for a length ≤ 127 (a non-canonical but legal encoding). */
  readonly longLength?: boolean;
}

/** SABM, UA, DM, DISC (TS 07.10 §5.3.1–§5.3.4) and UI (§5.3.6): never a credit octet. */
export interface RfcommPlainFrame extends FrameFields {
  readonly type: 'SABM' | 'UA' | 'DM' | 'DISC' | 'UI';
  readonly credits?: undefined;
}

/** UIH with P/F = 0: data or an MCC, never a credit octet (RFCOMM 1.2 §6.5.2). */
export interface RfcommUihFrame extends FrameFields {
  readonly type: 'UIH';
  readonly pf: false;
  readonly credits?: undefined;
}

/** UIH with P/F = 1: on a DLC under credit-based flow control it carries the credit octet. */
export interface RfcommCreditUihFrame extends FrameFields {
  readonly type: 'UIH';
  readonly pf: true;
  /** The credit octet (0..255), present when the DLC uses credit-based flow control. */
  readonly credits?: number;
}

export type RfcommFrame = RfcommPlainFrame | RfcommUihFrame | RfcommCreditUihFrame;

export interface DecodeFrameOptions {
  /** Read a credit octet on UIH frames with P/F=1 on DLCI ≠ 0 (default true). */
  readonly credits?: boolean;
}

/** Frame type by control octet with P/F cleared (a table: one is looked up per frame). */
const TYPE_BY_CONTROL: (RfcommFrameType | undefined)[] = new Array(256).fill(undefined);
for (const [name, v] of Object.entries(FRAME_TYPE) as [RfcommFrameType, number][]) TYPE_BY_CONTROL[v] = name;

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
  const type = TYPE_BY_CONTROL[control & ~PF_BIT];
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
  const info = view(bytes, offset, offset + length);
  const fcsAt = bytes.length - 1;
  const coveredEnd = type === 'UIH' ? 2 : type === 'UI' ? fcsAt : lengthEnd;
  if (!checkFcs(bytes, 0, coveredEnd, bytes[fcsAt])) fail(fcsAt, 'bad FCS');
  if (credits !== undefined) {
    return longLength ? { type: 'UIH', dlci, cr, pf: true, credits, info, longLength } : { type: 'UIH', dlci, cr, pf: true, credits, info };
  }
  return (longLength ? { type, dlci, cr, pf, info, longLength } : { type, dlci, cr, pf, info }) as RfcommFrame;
}

/** Octets of a frame's header and FCS around `infoLength` octets of information. */
export function rfcommOverhead(infoLength: number, withCredits: boolean, longLength = false): number {
  return 2 + (infoLength > 127 || longLength ? 2 : 1) + (withCredits ? 1 : 0) + 1;
}

export function rfcommFrameLength(frame: RfcommFrame): number {
  return rfcommOverhead(frame.info.length, frame.credits !== undefined, frame.longLength) + frame.info.length;
}

/**
 * Writes address, control, length and (when `credits` is given) the credit octet of a frame whose
 * information field of `infoLength` octets the caller writes next, then the FCS `0xff - crc`.
 * Returns the CRC register over the octets the FCS covers (for UI, continue it over the information).
 */
export function writeRfcommHeader(
  sink: ByteSink,
  type: RfcommFrameType,
  dlci: number,
  cr: boolean,
  pf: boolean,
  infoLength: number,
  credits: number | undefined,
  longLength = false,
): number {
  if (!Number.isInteger(dlci) || dlci < 0 || dlci > 63) throw new ArgumentError(`DLCI must be 0..63, got ${dlci}`);
  if (infoLength > MAX_FRAME_INFO) throw new ArgumentError(`an RFCOMM information field holds at most ${MAX_FRAME_INFO} octets, got ${infoLength}`);
  if (credits !== undefined) {
    if (!Number.isInteger(credits) || credits < 0 || credits > 255) throw new ArgumentError(`the credit octet is 0..255, got ${credits}`);
    if (type !== 'UIH' || !pf || dlci === 0) {
      throw new ArgumentError(`only a UIH with P/F = 1 on a DLCI other than 0 carries credits, not ${type} pf=${pf ? 1 : 0} on DLCI ${dlci} (RFCOMM 1.2 §6.5.2)`);
    }
  }
  const address = (dlci << 2) | (cr ? 2 : 0) | 1;
  const control = FRAME_TYPE[type] | (pf ? PF_BIT : 0);
  sink.u8(address);
  sink.u8(control);
  let crc = crcStep(crcStep(0xff, address), control);
  const covered = type !== 'UIH';
  if (infoLength > 127 || longLength) {
    const a = (infoLength & 0x7f) << 1;
    const b = infoLength >>> 7;
    sink.u8(a);
    sink.u8(b);
    if (covered) crc = crcStep(crcStep(crc, a), b);
  } else {
    const a = (infoLength << 1) | 1;
    sink.u8(a);
    if (covered) crc = crcStep(crc, a);
  }
  if (credits !== undefined) sink.u8(credits);
  return crc;
}

/** Writes the whole frame into `sink`. */
export function writeRfcommFrame(frame: RfcommFrame, sink: ByteSink): void {
  let crc = writeRfcommHeader(sink, frame.type, frame.dlci, frame.cr, frame.pf, frame.info.length, frame.credits, frame.longLength);
  sink.put(frame.info);
  if (frame.type === 'UI') crc = crc8(frame.info, 0, frame.info.length, crc);
  sink.u8(0xff - crc);
}

/** Writes the frame at `offset`; returns the number of octets written. */
export function encodeRfcommFrameInto(frame: RfcommFrame, out: Uint8Array, offset: number): number {
  const w = new ByteWriter(out, offset);
  writeRfcommFrame(frame, w);
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

/** RFCOMM frames on a DLC under credit-based flow control: a UIH with P/F = 1 on DLCI ≠ 0 carries the credit octet. */
export const rfcommFrameCodec: Codec<RfcommFrame> = defineCodec({
  name: 'RFCOMM frame',
  length: rfcommFrameLength,
  encodeInto: encodeRfcommFrameInto,
  decode: (bytes) => decodeRfcommFrame(bytes),
  describe: describeRfcommFrame,
});

/** RFCOMM frames on a DLC without credit-based flow control: no UIH carries a credit octet. */
export const rfcommFrameWithoutCreditsCodec: Codec<RfcommFrame> = defineCodec({
  name: 'RFCOMM frame without credits',
  length: rfcommFrameLength,
  encodeInto: encodeRfcommFrameInto,
  decode: (bytes) => decodeRfcommFrame(bytes, { credits: false }),
  describe: describeRfcommFrame,
});
