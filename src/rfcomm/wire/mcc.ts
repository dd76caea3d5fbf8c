/**
 * Multiplexer control commands (TS 07.10 §5.4.6.3, as used by RFCOMM 1.2 §5.5 and §6.5),
 * carried in UIH frames on DLCI 0.
 *
 * Layout: | type (1) | length (1..3, EA) | value |
 * - type octet: bit 0 EA (must be 1: RFCOMM uses one type octet), bit 1 C/R (1 command,
 *   0 response, whichever side sends it), bits 2–7 the type code.
 * - length: EA-terminated octets of 7 bits each, least significant first (1 octet ≤ 127,
 *   2 octets ≤ 16383, 3 octets beyond). The encoder writes the fewest octets.
 * - value by type (codes as 6-bit values, octet = code << 2 | C/R << 1 | 1):
 *   PN 0x20 (8): DLCI, I (bits 0–3) and CL (bits 4–7), priority (6 bits), T1, N1 (u16le), NA, K (3 bits)
 *   MSC 0x38 (2 or 3): DLCI octet (EA, 1, DLCI), V.24 signals, optional break octet (bit 0 EA,
 *     bit 1 B1 = 1 when the octet encodes a break, bits 2–3 unused, bits 4–7 its length in 200 ms)
 *   RPN 0x24 (1 = query, or 8): DLCI octet, baud, line settings, flow control, XON, XOFF, mask (u16le)
 *   RLS 0x14 (2): DLCI octet, line status
 *   Test 0x08 (any): the pattern
 *   FCon 0x28 / FCoff 0x18 (0)
 *   NSC 0x04 (1): the type octet of the command not supported
 *   Anything else (PSC 0x10, CLD 0x30, SNC 0x34, unassigned) decodes as `unknown`, value kept raw.
 * Reserved bits (PN DLCI bits 6–7, priority bits 6–7, K bits 3–7) are ignored on decode, written 0.
 *
 * Contract (src/core/codec.ts, `mccCodec`): decoding is total; the length must match the octets that follow exactly and a known
 * type must have a value of its size, else DecodeError. Out-of-range fields on encode throw
 * ArgumentError.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec, hex } from '../../core/index.js';

/** 6-bit type codes (TS 07.10 §5.4.6.3). */
export const MCC_TYPE = {
  PN: 0x20,
  PSC: 0x10,
  CLD: 0x30,
  Test: 0x08,
  FCon: 0x28,
  FCoff: 0x18,
  MSC: 0x38,
  NSC: 0x04,
  RPN: 0x24,
  RLS: 0x14,
  SNC: 0x34,
} as const;

/** V.24 signal bits of the MSC control octet (TS 07.10 §5.4.6.3.7). */
export const V24 = {
  EA: 0x01,
  FC: 0x02,
  RTC: 0x04,
  RTR: 0x08,
  IC: 0x40,
  DV: 0x80,
} as const;
/** The signals every stack sends on a new DLC: EA, RTC, RTR, DV. */
export const V24_DEFAULT = 0x8d;

/** B1 of the MSC break octet: the octet encodes a break signal (TS 07.10 §5.4.6.3.7). */
export const MSC_BREAK_B1 = 0x02;
/** The unit of the break length (bits 4–7 of the break octet). */
export const MSC_BREAK_UNIT_MS = 200;

/** The longest break an MSC break octet can signal: 15 units of 200 ms. */
export const MSC_BREAK_MAX_MS = 15 * MSC_BREAK_UNIT_MS;

/** The MSC break octet for a break of `ms` (rounded to 200 ms units, at least one): EA, B1, length. */
export function mscBreakOctet(ms: number): number {
  const units = Math.min(15, Math.max(1, Math.round(ms / MSC_BREAK_UNIT_MS)));
  return (units << 4) | MSC_BREAK_B1 | V24.EA;
}

/** The length in ms of the break an MSC break octet signals; undefined with no octet or B1 = 0. */
export function mscBreakMs(breakSignal: number | undefined): number | undefined {
  if (breakSignal === undefined || (breakSignal & MSC_BREAK_B1) === 0) return undefined;
  return (breakSignal >>> 4) * MSC_BREAK_UNIT_MS;
}

/** RPN parameter mask bits (TS 07.10 §5.4.6.3.9). */
export const RPN_MASK = {
  BIT_RATE: 0x0001,
  DATA_BITS: 0x0002,
  STOP_BITS: 0x0004,
  PARITY: 0x0008,
  PARITY_TYPE: 0x0010,
  XON_CHAR: 0x0020,
  XOFF_CHAR: 0x0040,
  XON_XOFF_INPUT: 0x0100,
  XON_XOFF_OUTPUT: 0x0200,
  RTR_INPUT: 0x0400,
  RTR_OUTPUT: 0x0800,
  RTC_INPUT: 0x1000,
  RTC_OUTPUT: 0x2000,
} as const;
export const RPN_MASK_ALL = 0x3f7f;

/** CL values in PN (RFCOMM 1.2 §5.5.3): 0xF offers credit-based flow control, 0xE accepts it. */
export const PN_CL = { NONE: 0x0, CBFC_REQUEST: 0xf, CBFC_RESPONSE: 0xe } as const;

export interface RpnParams {
  /** Baud rate code (0 = 2400 … 3 = 9600 … 7 = 115200, 8 = 230400). */
  readonly baudRate: number;
  /** Data bits (bits 0–1), stop bits (2), parity (3), parity type (4–5). */
  readonly lineSettings: number;
  readonly flowControl: number;
  readonly xon: number;
  readonly xoff: number;
  readonly mask: number;
}

/** 9600 baud, 8 data bits, 1 stop bit, no parity, no flow control, XON 0x11, XOFF 0x13. */
export const RPN_DEFAULT: RpnParams = { baudRate: 0x03, lineSettings: 0x03, flowControl: 0x00, xon: 0x11, xoff: 0x13, mask: RPN_MASK_ALL };

export type Mcc =
  | {
      readonly type: 'PN';
      readonly cr: boolean;
      readonly dlci: number;
      /** I: frame type for information (0 = UIH). */
      readonly frameType: number;
      /** CL: convergence layer (0xF/0xE = credit-based flow control). */
      readonly cl: number;
      readonly priority: number;
      readonly ackTimer: number;
      readonly n1: number;
      readonly maxRetransmissions: number;
      /** K: initial credits under CBFC (0..7). */
      readonly k: number;
    }
  | { readonly type: 'MSC'; readonly cr: boolean; readonly dlci: number; readonly signals: number; readonly breakSignal?: number }
  | { readonly type: 'RPN'; readonly cr: boolean; readonly dlci: number; readonly params?: RpnParams }
  | { readonly type: 'RLS'; readonly cr: boolean; readonly dlci: number; readonly lineStatus: number }
  | { readonly type: 'Test'; readonly cr: boolean; readonly pattern: Uint8Array }
  | { readonly type: 'FCon'; readonly cr: boolean }
  | { readonly type: 'FCoff'; readonly cr: boolean }
  | { readonly type: 'NSC'; readonly cr: boolean; readonly commandType: number }
  | { readonly type: 'unknown'; readonly cr: boolean; readonly code: number; readonly value: Uint8Array };
export type MccType = Mcc['type'];

/** The type octet of an MCC (code, C/R and EA bits). */
export function mccTypeOctet(mcc: Mcc): number {
  return (mccCode(mcc) << 2) | (mcc.cr ? 2 : 0) | 1;
}

function mccCode(mcc: Mcc): number {
  return mcc.type === 'unknown' ? mcc.code : MCC_TYPE[mcc.type];
}

const NAME_BY_CODE = new Map<number, Exclude<MccType, 'unknown'>>([
  [MCC_TYPE.PN, 'PN'],
  [MCC_TYPE.MSC, 'MSC'],
  [MCC_TYPE.RPN, 'RPN'],
  [MCC_TYPE.RLS, 'RLS'],
  [MCC_TYPE.Test, 'Test'],
  [MCC_TYPE.FCon, 'FCon'],
  [MCC_TYPE.FCoff, 'FCoff'],
  [MCC_TYPE.NSC, 'NSC'],
]);

function dlciOctet(dlci: number): number {
  return (dlci << 2) | 0x03;
}

function valueLength(mcc: Mcc): number {
  switch (mcc.type) {
    case 'PN':
      return 8;
    case 'MSC':
      return mcc.breakSignal === undefined ? 2 : 3;
    case 'RPN':
      return mcc.params ? 8 : 1;
    case 'RLS':
      return 2;
    case 'Test':
      return mcc.pattern.length;
    case 'FCon':
    case 'FCoff':
      return 0;
    case 'NSC':
      return 1;
    case 'unknown':
      return mcc.value.length;
  }
}

function lengthOctetCount(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : 3;
}

export function mccLength(mcc: Mcc): number {
  const n = valueLength(mcc);
  return 1 + lengthOctetCount(n) + n;
}

function checkRange(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new ArgumentError(`MCC field ${name} must be 0..${max}, got ${v}`);
}

export function encodeMccInto(mcc: Mcc, out: Uint8Array, offset: number): number {
  if (mcc.type === 'unknown') checkRange('code', mcc.code, 63);
  const n = valueLength(mcc);
  if (n >= 1 << 21) throw new ArgumentError(`an MCC value holds fewer than 2097152 octets, got ${n}`);
  const w = new ByteWriter(out, offset);
  w.u8(mccTypeOctet(mcc));
  let rest = n;
  for (let i = lengthOctetCount(n); i > 1; i--) {
    w.u8((rest & 0x7f) << 1);
    rest >>>= 7;
  }
  w.u8((rest << 1) | 1);
  switch (mcc.type) {
    case 'PN':
      checkRange('dlci', mcc.dlci, 63);
      checkRange('frameType', mcc.frameType, 15);
      checkRange('cl', mcc.cl, 15);
      checkRange('priority', mcc.priority, 63);
      checkRange('ackTimer', mcc.ackTimer, 255);
      checkRange('n1', mcc.n1, 0xffff);
      checkRange('maxRetransmissions', mcc.maxRetransmissions, 255);
      checkRange('k', mcc.k, 7);
      w.u8(mcc.dlci).u8(mcc.frameType | (mcc.cl << 4)).u8(mcc.priority).u8(mcc.ackTimer).u16le(mcc.n1).u8(mcc.maxRetransmissions).u8(mcc.k);
      break;
    case 'MSC':
      checkRange('dlci', mcc.dlci, 63);
      checkRange('signals', mcc.signals, 255);
      w.u8(dlciOctet(mcc.dlci)).u8(mcc.signals);
      if (mcc.breakSignal !== undefined) {
        checkRange('breakSignal', mcc.breakSignal, 255);
        w.u8(mcc.breakSignal);
      }
      break;
    case 'RPN':
      checkRange('dlci', mcc.dlci, 63);
      w.u8(dlciOctet(mcc.dlci));
      if (mcc.params) {
        const p = mcc.params;
        for (const [name, v] of [['baudRate', p.baudRate], ['lineSettings', p.lineSettings], ['flowControl', p.flowControl], ['xon', p.xon], ['xoff', p.xoff]] as const) checkRange(name, v, 255);
        checkRange('mask', p.mask, 0xffff);
        w.u8(p.baudRate).u8(p.lineSettings).u8(p.flowControl).u8(p.xon).u8(p.xoff).u16le(p.mask);
      }
      break;
    case 'RLS':
      checkRange('dlci', mcc.dlci, 63);
      checkRange('lineStatus', mcc.lineStatus, 255);
      w.u8(dlciOctet(mcc.dlci)).u8(mcc.lineStatus);
      break;
    case 'Test':
      w.put(mcc.pattern);
      break;
    case 'FCon':
    case 'FCoff':
      break;
    case 'NSC':
      checkRange('commandType', mcc.commandType, 255);
      w.u8(mcc.commandType);
      break;
    case 'unknown':
      w.put(mcc.value);
      break;
  }
  return w.offset - offset;
}

export function encodeMcc(mcc: Mcc): Uint8Array {
  const out = new Uint8Array(mccLength(mcc));
  encodeMccInto(mcc, out, 0);
  return out;
}

function needLength(r: ByteReader, type: MccType, n: number, allowed: readonly number[]): void {
  if (!allowed.includes(n)) r.fail(`${type} value is ${allowed.join(' or ')} octet(s), got ${n}`, 1);
}

export function decodeMcc(bytes: Uint8Array): Mcc {
  const r = new ByteReader(bytes, 'rfcomm', 'MCC');
  const typeOctet = r.u8('type');
  if ((typeOctet & 1) === 0) r.fail('type octet EA bit is 0 (RFCOMM uses one type octet)', 0);
  const cr = (typeOctet & 2) !== 0;
  const code = typeOctet >>> 2;
  let n = 0;
  for (let i = 0; ; i++) {
    if (i === 3) r.fail('length field longer than 3 octets');
    const b = r.u8('length');
    n |= (b >>> 1) << (7 * i);
    if (b & 1) break;
  }
  if (n !== r.remaining) r.fail(`length field says ${n} octet(s), ${r.remaining} follow`, 1);
  const type = NAME_BY_CODE.get(code);
  switch (type) {
    case 'PN': {
      needLength(r, type, n, [8]);
      const dlci = r.u8() & 0x3f;
      const il = r.u8();
      const priority = r.u8() & 0x3f;
      const ackTimer = r.u8();
      const n1 = r.u16le();
      const maxRetransmissions = r.u8();
      const k = r.u8() & 0x07;
      return { type, cr, dlci, frameType: il & 0x0f, cl: il >>> 4, priority, ackTimer, n1, maxRetransmissions, k };
    }
    case 'MSC': {
      needLength(r, type, n, [2, 3]);
      const dlci = r.u8() >>> 2;
      const signals = r.u8();
      return n === 3 ? { type, cr, dlci, signals, breakSignal: r.u8() } : { type, cr, dlci, signals };
    }
    case 'RPN': {
      needLength(r, type, n, [1, 8]);
      const dlci = r.u8() >>> 2;
      if (n === 1) return { type, cr, dlci };
      const params: RpnParams = { baudRate: r.u8(), lineSettings: r.u8(), flowControl: r.u8(), xon: r.u8(), xoff: r.u8(), mask: r.u16le() };
      return { type, cr, dlci, params };
    }
    case 'RLS':
      needLength(r, type, n, [2]);
      return { type, cr, dlci: r.u8() >>> 2, lineStatus: r.u8() };
    case 'Test':
      return { type, cr, pattern: r.rest() };
    case 'FCon':
    case 'FCoff':
      needLength(r, type, n, [0]);
      return { type, cr };
    case 'NSC':
      needLength(r, type, n, [1]);
      return { type, cr, commandType: r.u8() };
    default:
      return { type: 'unknown', cr, code, value: r.rest() };
  }
}

/** One line, e.g. `PN cmd dlci=2 cl=0xf prio=7 n1=127 k=7`. */
export function describeMcc(mcc: Mcc): string {
  const dir = mcc.cr ? 'cmd' : 'rsp';
  switch (mcc.type) {
    case 'PN':
      return `PN ${dir} dlci=${mcc.dlci} i=${mcc.frameType} cl=0x${mcc.cl.toString(16)} prio=${mcc.priority} t1=${mcc.ackTimer} n1=${mcc.n1} na=${mcc.maxRetransmissions} k=${mcc.k}`;
    case 'MSC': {
      const flags = (Object.entries(V24) as [string, number][]).filter(([name, bit]) => name !== 'EA' && mcc.signals & bit).map(([name]) => name);
      const brk = mcc.breakSignal !== undefined ? ` break=0x${mcc.breakSignal.toString(16).padStart(2, '0')}` : '';
      return `MSC ${dir} dlci=${mcc.dlci} signals=0x${mcc.signals.toString(16).padStart(2, '0')}[${flags.join(',')}]${brk}`;
    }
    case 'RPN':
      return mcc.params
        ? `RPN ${dir} dlci=${mcc.dlci} baud=${mcc.params.baudRate} line=0x${mcc.params.lineSettings.toString(16)} fc=0x${mcc.params.flowControl.toString(16)} xon=0x${mcc.params.xon.toString(16)} xoff=0x${mcc.params.xoff.toString(16)} mask=0x${mcc.params.mask.toString(16).padStart(4, '0')}`
        : `RPN ${dir} dlci=${mcc.dlci} query`;
    case 'RLS':
      return `RLS ${dir} dlci=${mcc.dlci} status=0x${mcc.lineStatus.toString(16).padStart(2, '0')}`;
    case 'Test':
      return `Test ${dir} len=${mcc.pattern.length}`;
    case 'FCon':
    case 'FCoff':
      return `${mcc.type} ${dir}`;
    case 'NSC':
      return `NSC ${dir} type=0x${mcc.commandType.toString(16).padStart(2, '0')}`;
    case 'unknown':
      return `MCC 0x${mcc.code.toString(16).padStart(2, '0')} ${dir} len=${mcc.value.length}${mcc.value.length ? ' ' + hex(mcc.value.subarray(0, 16)) : ''}`;
  }
}

export const mccCodec: Codec<Mcc> = defineCodec({
  name: 'RFCOMM multiplexer control command',
  length: mccLength,
  encodeInto: encodeMccInto,
  decode: decodeMcc,
  describe: describeMcc,
});
