/**
 * SDP PDUs (Core v5.4 Vol 3 Part B §4). Every PDU is
 *
 *   PDU ID (1) | TransactionID (2, big-endian) | ParameterLength (2, big-endian) | parameters
 *
 * and every multi-byte field is big-endian (§4.1). Parameters per PDU ID:
 *
 *   0x01 ErrorResponse                  ErrorCode(2) ErrorInfo(rest)                           §4.4
 *   0x02 ServiceSearchRequest           ServiceSearchPattern(DES of UUIDs)
 *                                       MaximumServiceRecordCount(2) ContinuationState          §4.5.1
 *   0x03 ServiceSearchResponse          TotalServiceRecordCount(2) CurrentServiceRecordCount(2)
 *                                       ServiceRecordHandleList(4 × current) ContinuationState  §4.5.2
 *   0x04 ServiceAttributeRequest        ServiceRecordHandle(4) MaximumAttributeByteCount(2)
 *                                       AttributeIDList(DES of uint16 IDs / uint32 ranges)
 *                                       ContinuationState                                       §4.6.1
 *   0x05 ServiceAttributeResponse       AttributeListByteCount(2) AttributeList(count bytes)
 *                                       ContinuationState                                       §4.6.2
 *   0x06 ServiceSearchAttributeRequest  ServiceSearchPattern MaximumAttributeByteCount(2)
 *                                       AttributeIDList ContinuationState                       §4.7.1
 *   0x07 ServiceSearchAttributeResponse AttributeListsByteCount(2) AttributeLists(count bytes)
 *                                       ContinuationState                                       §4.7.2
 *
 * ContinuationState (§4.3) is InfoLength(1, 0..16) followed by that many opaque bytes.
 *
 * Codec contract (src/core/codec.ts, `sdpPduCodec`): `decodeSdpPdu` is total (a value or `DecodeError`); ParameterLength must equal
 * the bytes present and every field must end exactly at the end of the parameters. Response
 * attribute bytes stay raw (a response may carry only a fragment of the byte stream; the client
 * joins them). An attribute ID list item is a number (a uint16 ID) or `{ first, last }` (a uint32
 * range), and the repr keeps the length sizes of the pattern and list, so re-encoding is byte
 * exact. PDU IDs outside 0x01..0x07 decode as `unknown`. Semantic rules (≤ 12 UUIDs, non-empty
 * pattern, ranges in order, MaximumAttributeByteCount ≥ 7) are the server's business.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, defineCodec, Uuid, hex } from '../../core/index.js';
import { MAX_CONTINUATION_STATE, SDP_PDU, sdpErrorName } from './constants.js';
import {
  type DataElement,
  type DataElementDecodeOptions,
  type LengthSize,
  dataElementLength,
  encodeDataElementInto,
  readDataElement,
} from './data-element.js';

/** A number is a 16-bit attribute ID (uint16); `{ first, last }` an inclusive range (uint32). */
export type AttributeIdItem = number | { readonly first: number; readonly last: number };

interface Pattern {
  readonly pattern: readonly Uuid[];
  readonly patternLengthSize?: LengthSize;
}
interface AttributeIds {
  readonly attributeIds: readonly AttributeIdItem[];
  readonly attributeIdsLengthSize?: LengthSize;
}
interface Header {
  readonly transactionId: number;
}
interface Continued {
  /** ContinuationState info bytes (0..16); empty when there is none. */
  readonly continuation: Uint8Array;
}

export type SdpPdu =
  | (Header & { readonly type: 'error-response'; readonly errorCode: number; readonly info: Uint8Array })
  | (Header & Pattern & Continued & { readonly type: 'service-search-request'; readonly maximumServiceRecordCount: number })
  | (Header &
      Continued & { readonly type: 'service-search-response'; readonly totalServiceRecordCount: number; readonly handles: readonly number[] })
  | (Header &
      AttributeIds &
      Continued & { readonly type: 'service-attribute-request'; readonly handle: number; readonly maximumAttributeByteCount: number })
  | (Header & Continued & { readonly type: 'service-attribute-response'; readonly attributeList: Uint8Array })
  | (Header &
      Pattern &
      AttributeIds &
      Continued & { readonly type: 'service-search-attribute-request'; readonly maximumAttributeByteCount: number })
  | (Header & Continued & { readonly type: 'service-search-attribute-response'; readonly attributeLists: Uint8Array })
  | (Header & { readonly type: 'unknown'; readonly pduId: number; readonly parameters: Uint8Array });

export type SdpPduType = SdpPdu['type'];
export type SdpRequest = Extract<SdpPdu, { type: `${string}-request` }>;

export const SDP_HEADER_LENGTH = 5;

/** The 5-byte header, when present (for answering a PDU whose parameters cannot be trusted). */
export interface SdpHeader {
  readonly pduId: number;
  readonly transactionId: number;
  readonly parameterLength: number;
}
export function peekSdpHeader(bytes: Uint8Array): SdpHeader | undefined {
  if (bytes.length < SDP_HEADER_LENGTH) return undefined;
  return {
    pduId: bytes[0],
    transactionId: (bytes[1] << 8) | bytes[2],
    parameterLength: (bytes[3] << 8) | bytes[4],
  };
}

export function decodeSdpPdu(bytes: Uint8Array, opts: DataElementDecodeOptions = {}): SdpPdu {
  const r = new ByteReader(bytes, 'sdp', 'PDU');
  const pduId = r.u8('PDU ID');
  const transactionId = r.u16be('TransactionID');
  const parameterLength = r.u16be('ParameterLength');
  if (parameterLength !== r.remaining) r.fail(`ParameterLength ${parameterLength} but ${r.remaining} parameter byte(s) present`, 3);
  let pdu: SdpPdu;
  switch (pduId) {
    case SDP_PDU.ErrorResponse:
      pdu = { type: 'error-response', transactionId, errorCode: r.u16be('ErrorCode'), info: r.rest() };
      break;
    case SDP_PDU.ServiceSearchRequest: {
      const p = readPattern(r, opts);
      const maximumServiceRecordCount = r.u16be('MaximumServiceRecordCount');
      pdu = { type: 'service-search-request', transactionId, ...p, maximumServiceRecordCount, continuation: readContinuation(r) };
      break;
    }
    case SDP_PDU.ServiceSearchResponse: {
      const totalServiceRecordCount = r.u16be('TotalServiceRecordCount');
      const current = r.u16be('CurrentServiceRecordCount');
      r.need(current * 4, 'ServiceRecordHandleList');
      const handles: number[] = [];
      for (let i = 0; i < current; i++) handles.push(r.u32be('ServiceRecordHandle'));
      pdu = { type: 'service-search-response', transactionId, totalServiceRecordCount, handles, continuation: readContinuation(r) };
      break;
    }
    case SDP_PDU.ServiceAttributeRequest: {
      const handle = r.u32be('ServiceRecordHandle');
      const maximumAttributeByteCount = r.u16be('MaximumAttributeByteCount');
      const ids = readAttributeIds(r, opts);
      pdu = { type: 'service-attribute-request', transactionId, handle, maximumAttributeByteCount, ...ids, continuation: readContinuation(r) };
      break;
    }
    case SDP_PDU.ServiceAttributeResponse: {
      const attributeList = r.bytesN(r.u16be('AttributeListByteCount'), 'AttributeList');
      pdu = { type: 'service-attribute-response', transactionId, attributeList, continuation: readContinuation(r) };
      break;
    }
    case SDP_PDU.ServiceSearchAttributeRequest: {
      const p = readPattern(r, opts);
      const maximumAttributeByteCount = r.u16be('MaximumAttributeByteCount');
      const ids = readAttributeIds(r, opts);
      pdu = {
        type: 'service-search-attribute-request',
        transactionId,
        ...p,
        maximumAttributeByteCount,
        ...ids,
        continuation: readContinuation(r),
      };
      break;
    }
    case SDP_PDU.ServiceSearchAttributeResponse: {
      const attributeLists = r.bytesN(r.u16be('AttributeListsByteCount'), 'AttributeLists');
      pdu = { type: 'service-search-attribute-response', transactionId, attributeLists, continuation: readContinuation(r) };
      break;
    }
    default:
      pdu = { type: 'unknown', pduId, transactionId, parameters: r.rest() };
  }
  r.done();
  return pdu;
}

function readContinuation(r: ByteReader): Uint8Array {
  const at = r.offset;
  const n = r.u8('ContinuationState InfoLength');
  if (n > MAX_CONTINUATION_STATE) r.fail(`ContinuationState InfoLength ${n} exceeds ${MAX_CONTINUATION_STATE}`, at);
  return r.bytesN(n, 'ContinuationState');
}

function readSequence(r: ByteReader, what: string, opts: DataElementDecodeOptions): Extract<DataElement, { type: 'sequence' }> {
  const at = r.offset;
  const el = readDataElement(r, opts);
  if (el.type !== 'sequence') return r.fail(`${what} is a ${el.type}, not a sequence`, at);
  return el;
}

function readPattern(r: ByteReader, opts: DataElementDecodeOptions): Pattern {
  const at = r.offset;
  const seq = readSequence(r, 'ServiceSearchPattern', opts);
  const pattern = seq.items.map((it) => (it.type === 'uuid' ? it.value : r.fail(`ServiceSearchPattern holds a ${it.type}, not a UUID`, at)));
  return { pattern, patternLengthSize: seq.lengthSize };
}

function readAttributeIds(r: ByteReader, opts: DataElementDecodeOptions): AttributeIds {
  const at = r.offset;
  const seq = readSequence(r, 'AttributeIDList', opts);
  const attributeIds = seq.items.map((it): AttributeIdItem => {
    if (it.type === 'uint' && it.size === 2) return it.value;
    if (it.type === 'uint' && it.size === 4) return { first: it.value >>> 16, last: it.value & 0xffff };
    return r.fail(`AttributeIDList holds a ${it.type}${'size' in it ? it.size * 8 : ''}, not a uint16 or uint32`, at);
  });
  return { attributeIds, attributeIdsLengthSize: seq.lengthSize };
}

function patternElement(p: Pattern): DataElement {
  return { type: 'sequence', items: p.pattern.map((value) => ({ type: 'uuid', value })), lengthSize: p.patternLengthSize };
}

function attributeIdsElement(a: AttributeIds): DataElement {
  return {
    type: 'sequence',
    items: a.attributeIds.map((it): DataElement => {
      if (typeof it === 'number') return { type: 'uint', size: 2, value: it };
      if (!(it.first >= 0 && it.first <= 0xffff && it.last >= 0 && it.last <= 0xffff)) {
        throw new ArgumentError(`attribute ID range ${it.first}..${it.last} is outside 0x0000..0xffff`);
      }
      return { type: 'uint', size: 4, value: ((it.first << 16) | it.last) >>> 0 };
    }),
    lengthSize: a.attributeIdsLengthSize,
  };
}

const PDU_IDS: Record<Exclude<SdpPduType, 'unknown'>, number> = {
  'error-response': SDP_PDU.ErrorResponse,
  'service-search-request': SDP_PDU.ServiceSearchRequest,
  'service-search-response': SDP_PDU.ServiceSearchResponse,
  'service-attribute-request': SDP_PDU.ServiceAttributeRequest,
  'service-attribute-response': SDP_PDU.ServiceAttributeResponse,
  'service-search-attribute-request': SDP_PDU.ServiceSearchAttributeRequest,
  'service-search-attribute-response': SDP_PDU.ServiceSearchAttributeResponse,
};

export function sdpPduId(pdu: SdpPdu): number {
  return pdu.type === 'unknown' ? pdu.pduId : PDU_IDS[pdu.type];
}

/** The parameters as a list of parts (data elements are encoded in place). */
type Part = { u8: number } | { u16: number } | { u32: number } | { bytes: Uint8Array } | { de: DataElement };

function parts(pdu: SdpPdu): Part[] {
  const cont = (c: Uint8Array): Part[] => {
    if (c.length > MAX_CONTINUATION_STATE) throw new ArgumentError(`continuation state of ${c.length} bytes exceeds ${MAX_CONTINUATION_STATE}`);
    return [{ u8: c.length }, { bytes: c }];
  };
  switch (pdu.type) {
    case 'error-response':
      return [{ u16: pdu.errorCode }, { bytes: pdu.info }];
    case 'service-search-request':
      return [{ de: patternElement(pdu) }, { u16: pdu.maximumServiceRecordCount }, ...cont(pdu.continuation)];
    case 'service-search-response':
      return [
        { u16: pdu.totalServiceRecordCount },
        { u16: pdu.handles.length },
        ...pdu.handles.map((h) => ({ u32: h })),
        ...cont(pdu.continuation),
      ];
    case 'service-attribute-request':
      return [{ u32: pdu.handle }, { u16: pdu.maximumAttributeByteCount }, { de: attributeIdsElement(pdu) }, ...cont(pdu.continuation)];
    case 'service-attribute-response':
      return [{ u16: pdu.attributeList.length }, { bytes: pdu.attributeList }, ...cont(pdu.continuation)];
    case 'service-search-attribute-request':
      return [{ de: patternElement(pdu) }, { u16: pdu.maximumAttributeByteCount }, { de: attributeIdsElement(pdu) }, ...cont(pdu.continuation)];
    case 'service-search-attribute-response':
      return [{ u16: pdu.attributeLists.length }, { bytes: pdu.attributeLists }, ...cont(pdu.continuation)];
    case 'unknown':
      return [{ bytes: pdu.parameters }];
  }
}

function partLength(p: Part): number {
  if ('u8' in p) return 1;
  if ('u16' in p) return 2;
  if ('u32' in p) return 4;
  if ('bytes' in p) return p.bytes.length;
  return dataElementLength(p.de);
}

export function sdpPduLength(pdu: SdpPdu): number {
  return SDP_HEADER_LENGTH + parts(pdu).reduce((n, p) => n + partLength(p), 0);
}

export function encodeSdpPdu(pdu: SdpPdu): Uint8Array {
  const out = new Uint8Array(sdpPduLength(pdu));
  encodeSdpPduInto(pdu, out, 0);
  return out;
}

/** Writes `pdu` at `offset`; returns the number of octets written (src/core/codec.ts). */
export function encodeSdpPduInto(pdu: SdpPdu, out: Uint8Array, offset: number): number {
  const ps = parts(pdu);
  const parameterLength = ps.reduce((n, p) => n + partLength(p), 0);
  if (parameterLength > 0xffff) throw new ArgumentError(`SDP parameters of ${parameterLength} bytes exceed 65535`);
  const w = new ByteWriter(out, offset);
  w.u8(sdpPduId(pdu)).u16be(pdu.transactionId).u16be(parameterLength);
  for (const p of ps) {
    if ('u8' in p) w.u8(p.u8);
    else if ('u16' in p) w.u16be(p.u16);
    else if ('u32' in p) w.u32be(p.u32);
    else if ('bytes' in p) w.put(p.bytes);
    else w.offset += encodeDataElementInto(p.de, out, w.offset);
  }
  return w.offset - offset;
}

function describeIds(ids: readonly AttributeIdItem[]): string {
  const h = (n: number) => '0x' + n.toString(16).padStart(4, '0');
  return ids.map((it) => (typeof it === 'number' ? h(it) : `${h(it.first)}-${h(it.last)}`)).join(',');
}

const contText = (c: Uint8Array) => (c.length ? ` cont=${hex(c)}` : '');

/** One line, e.g. `SSA-Req tid=1 uuids=[0x1101] max=672 ids=0x0000-0xffff`. */
export function describeSdpPdu(pdu: SdpPdu): string {
  const tid = `tid=${pdu.transactionId}`;
  switch (pdu.type) {
    case 'error-response':
      return `Error-Rsp ${tid} code=0x${pdu.errorCode.toString(16).padStart(4, '0')} (${sdpErrorName(pdu.errorCode)})`;
    case 'service-search-request':
      return `SS-Req ${tid} uuids=[${pdu.pattern.join(',')}] max=${pdu.maximumServiceRecordCount}${contText(pdu.continuation)}`;
    case 'service-search-response':
      return `SS-Rsp ${tid} total=${pdu.totalServiceRecordCount} handles=[${pdu.handles.map((h) => '0x' + h.toString(16)).join(',')}]${contText(pdu.continuation)}`;
    case 'service-attribute-request':
      return `SA-Req ${tid} handle=0x${pdu.handle.toString(16)} max=${pdu.maximumAttributeByteCount} ids=${describeIds(pdu.attributeIds)}${contText(pdu.continuation)}`;
    case 'service-attribute-response':
      return `SA-Rsp ${tid} bytes=${pdu.attributeList.length}${contText(pdu.continuation)}`;
    case 'service-search-attribute-request':
      return `SSA-Req ${tid} uuids=[${pdu.pattern.join(',')}] max=${pdu.maximumAttributeByteCount} ids=${describeIds(pdu.attributeIds)}${contText(pdu.continuation)}`;
    case 'service-search-attribute-response':
      return `SSA-Rsp ${tid} bytes=${pdu.attributeLists.length}${contText(pdu.continuation)}`;
    case 'unknown':
      return `SDP pdu=0x${pdu.pduId.toString(16).padStart(2, '0')} ${tid} len=${pdu.parameters.length}`;
  }
}

export const sdpPduCodec: Codec<SdpPdu> = defineCodec({
  name: 'SDP PDU',
  length: sdpPduLength,
  encodeInto: encodeSdpPduInto,
  decode: (bytes) => decodeSdpPdu(bytes),
  describe: describeSdpPdu,
});
