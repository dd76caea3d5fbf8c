/**
 * Builders of frames exactly as asked, wrong ones included, for the conformance tester: every
 * length field, flag and check octet may be given instead of computed. Layouts: HCI command and
 * ACL Core v5.4 Vol 4 Part E §5.4.1, §5.4.2; L2CAP basic frame and C-frame Vol 3 Part A §3.1, §4; RFCOMM TS 07.10 §5.2 with
 * RFCOMM 1.2 §6.5.2 (credit octet); MCC TS 07.10 §5.4.6.1; SDP PDU Vol 3 Part B §4.2.
 */
import { ArgumentError, fromHex } from '../core/index.js';
import { computeFcs } from '../rfcomm/index.js';

/** Hex with any spacing, or bytes. */
export type Bytes = string | Uint8Array;

export function bytesOf(b: Bytes): Uint8Array {
  return typeof b === 'string' ? fromHex(b.replace(/\s+/g, '')) : b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const le16 = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
const be16 = (v: number): Uint8Array => Uint8Array.of((v >>> 8) & 0xff, v & 0xff);

export interface AclSpec {
  handle: number;
  /** Packet boundary flag (2 first automatically-flushable fragment, 1 continuation, 0 first non-flushable); default 2. */
  pb?: number;
  /** Broadcast flag, default 0. */
  bc?: number;
  data: Bytes;
  /** The data total length field; default the data's length. */
  length?: number;
}

/** One H4 ACL packet (indicator 0x02 first). */
export function aclPacket(spec: AclSpec): Uint8Array {
  const data = bytesOf(spec.data);
  const word = (spec.handle & 0x0fff) | ((spec.pb ?? 2) & 3) << 12 | ((spec.bc ?? 0) & 3) << 14;
  return concat(Uint8Array.of(0x02), le16(word), le16(spec.length ?? data.length), data);
}

export interface HciCommandSpec {
  /** OGF << 10 | OCF (Core v5.4 Vol 4 Part E §5.4.1); any 16-bit value, unknown and vendor ones included. */
  opcode: number;
  params?: Bytes;
  /** The parameter total length field; default the parameters' length. */
  length?: number;
}

/** One H4 HCI command packet (indicator 0x01 first): opcode, parameter total length, parameters. */
export function hciCommand(spec: HciCommandSpec): Uint8Array {
  if (!Number.isInteger(spec.opcode) || spec.opcode < 0 || spec.opcode > 0xffff) throw new ArgumentError(`an HCI opcode is 16 bits: ${spec.opcode}`);
  const params = bytesOf(spec.params ?? '');
  return concat(Uint8Array.of(0x01), le16(spec.opcode), Uint8Array.of((spec.length ?? params.length) & 0xff), params);
}

export interface L2capFrameSpec {
  cid: number;
  payload: Bytes;
  /** The length field; default the payload's length. */
  length?: number;
}

/** An L2CAP basic frame (B-frame, or a C-frame on CID 0x0001): length, CID, payload. */
export function l2capFrame(spec: L2capFrameSpec): Uint8Array {
  const payload = bytesOf(spec.payload);
  return concat(le16(spec.length ?? payload.length), le16(spec.cid), payload);
}

export interface SignalSpec {
  code: number;
  identifier: number;
  data: Bytes;
  /** The command's length field; default the data's length. */
  length?: number;
}

/** One signaling command (code, identifier, length, data), to be carried in a C-frame. */
export function signalCommand(spec: SignalSpec): Uint8Array {
  const data = bytesOf(spec.data);
  return concat(Uint8Array.of(spec.code & 0xff, spec.identifier & 0xff), le16(spec.length ?? data.length), data);
}

/** RFCOMM frame types: the control octet without the P/F bit (TS 07.10 §5.2.1.3). */
export const RFCOMM_CONTROL = { SABM: 0x2f, UA: 0x63, DM: 0x0f, DISC: 0x43, UIH: 0xef } as const;

export interface RfcommFrameSpec {
  /** The whole address octet; or give `dlci` (with `cr`, EA is set). */
  address?: number;
  dlci?: number;
  /** Command/response bit of the address, default 1. */
  cr?: 0 | 1;
  /** A frame type name or the control octet without P/F. */
  control: keyof typeof RFCOMM_CONTROL | number;
  pf?: 0 | 1;
  info?: Bytes;
  /** The credit octet (UIH with P/F = 1); absent: none. */
  credit?: number;
  /** The length value written; default the information length. */
  length?: number;
  /** Force the two-octet length form even below 128. */
  longLength?: boolean;
  /** 'right' (default), 'wrong' (the right one inverted), or the octet to write. */
  fcs?: 'right' | 'wrong' | number;
  /** What the FCS covers when computed: the frame type's span (default), or always address+control+length. */
  fcsSpan?: 'type' | 'with-length' | 'without-length';
}

export function rfcommAddress(dlci: number, cr: 0 | 1): number {
  return ((dlci & 0x3f) << 2) | (cr << 1) | 1;
}

/** An RFCOMM frame (TS 07.10 §5.2.1): address, control, length, [credit], information, FCS. */
export function rfcommFrame(spec: RfcommFrameSpec): Uint8Array {
  const address = spec.address ?? rfcommAddress(spec.dlci ?? 0, spec.cr ?? 1);
  const ctrlBase = typeof spec.control === 'number' ? spec.control : RFCOMM_CONTROL[spec.control];
  const control = (ctrlBase & ~0x10) | ((spec.pf ?? 0) << 4);
  const info = spec.info === undefined ? new Uint8Array(0) : bytesOf(spec.info);
  const length = spec.length ?? info.length;
  const lengthBytes = length > 127 || spec.longLength ? Uint8Array.of((length << 1) & 0xfe, (length >>> 7) & 0xff) : Uint8Array.of(((length << 1) | 1) & 0xff);
  const header = concat(Uint8Array.of(address, control), lengthBytes);
  const uih = (ctrlBase & ~0x10) === RFCOMM_CONTROL.UIH;
  const span = spec.fcsSpan ?? 'type';
  const covered = span === 'with-length' || (span === 'type' && !uih) ? header : header.subarray(0, 2);
  const right = computeFcs(covered);
  const fcs = spec.fcs === undefined || spec.fcs === 'right' ? right : spec.fcs === 'wrong' ? right ^ 0xff : spec.fcs;
  const credit = spec.credit === undefined ? new Uint8Array(0) : Uint8Array.of(spec.credit & 0xff);
  return concat(header, credit, info, Uint8Array.of(fcs & 0xff));
}

/** MCC type octets (TS 07.10 §5.4.6.3), without EA and C/R. */
export const MCC = { PN: 0x80, TEST: 0x20, FCON: 0xa0, FCOFF: 0x60, MSC: 0xe0, NSC: 0x10, RPN: 0x90, RLS: 0x50 } as const;

export interface MccSpec {
  /** A type name, or the type octet without EA and C/R (a raw octet with `rawType`). */
  type: keyof typeof MCC | number;
  /** 1 command (default), 0 response. */
  cr?: 0 | 1;
  value?: Bytes;
  /** The length value written; default the value's length. */
  length?: number;
  /** `type` is the whole type octet as sent. */
  rawType?: boolean;
}

/** One multiplexer control command (type, length, value), the information of a UIH on DLCI 0. */
export function mcc(spec: MccSpec): Uint8Array {
  const base = typeof spec.type === 'number' ? spec.type : MCC[spec.type];
  const type = spec.rawType ? base : (base & 0xfc) | ((spec.cr ?? 1) << 1) | 1;
  const value = spec.value === undefined ? new Uint8Array(0) : bytesOf(spec.value);
  const length = spec.length ?? value.length;
  const lengthBytes = length > 127 ? Uint8Array.of((length << 1) & 0xfe, (length >>> 7) & 0xff) : Uint8Array.of(((length << 1) | 1) & 0xff);
  return concat(Uint8Array.of(type), lengthBytes, value);
}

export interface SdpPduSpec {
  pduId: number;
  transactionId: number;
  parameters: Bytes;
  /** The ParameterLength field; default the parameters' length. */
  parameterLength?: number;
}

/** An SDP PDU (Core Vol 3 Part B §4.2): PDU ID, TransactionID, ParameterLength, parameters, big-endian. */
export function sdpPdu(spec: SdpPduSpec): Uint8Array {
  const p = bytesOf(spec.parameters);
  return concat(Uint8Array.of(spec.pduId & 0xff), be16(spec.transactionId), be16(spec.parameterLength ?? p.length), p);
}
