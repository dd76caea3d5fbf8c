/**
 * The SDP server (Core v5.4 Vol 3 Part B §2, §4): answers ServiceSearch, ServiceAttribute and
 * ServiceSearchAttribute requests from an `SdpDatabase`, one request PDU in, one response PDU out,
 * per L2CAP channel on PSM 1 (`channelKey`, e.g. the local CID). It never throws on remote input.
 *
 * Rules, in the order they are checked (conformance S1-S6 and the SDP robustness rows):
 * - fewer than 5 bytes, or ParameterLength ≠ the bytes present → ErrorCode 0x0004 (S2);
 * - a PDU ID that is not a request, a malformed data element (bad type/size, nesting > 32, sizes
 *   beyond the PDU: S6), an empty pattern or one of more than 12 UUIDs, an empty attribute ID list,
 *   a range with first > last, MaximumAttributeByteCount < 7, MaximumServiceRecordCount 0
 *   → 0x0003 (S1);
 * - ServiceAttributeRequest naming no record → 0x0002 (S3);
 * - a non-empty ContinuationState that is not the token this server issued on this channel for
 *   this very request (same PDU ID and parameters), or is offered again after use → 0x0005 (S4).
 *   The token is opaque (`continuation-token.ts`): the rest of the answer and its position stay
 *   here, keyed by channel, and nothing in the token is read as an offset;
 * - an answer larger than `maxResponseBytes`, or continuation state for more than `maxChannels`
 *   channels at once → 0x0006.
 * The attribute byte stream of an answer is cut into pieces of at most MaximumAttributeByteCount
 * bytes (and what fits the channel MTU), each but the last followed by a fresh token (S5).
 * ServiceSearch answers are cut the same way in whole handles. Per channel the server keeps one
 * pending answer; a new request without continuation replaces it, `forget` drops it.
 */
import { DecodeError, bytesEqual } from '../core/index.js';
import { CONTINUATION_TOKEN_LENGTH, ContinuationTokens } from './continuation-token.js';
import type { SdpDatabase } from './database.js';
import { attributeListElement, recordMatchesPattern } from './service-record.js';
import { MAX_PATTERN_UUIDS, MIN_ATTRIBUTE_BYTE_COUNT, SDP_ERROR } from './wire/constants.js';
import { DEFAULT_MAX_NESTING, type DataElement, encodeDataElement } from './wire/data-element.js';
import { type SdpPdu, type SdpRequest, SDP_HEADER_LENGTH, decodeSdpPdu, encodeSdpPdu, peekSdpHeader } from './wire/pdu.js';

export type ChannelKey = number | string;

export interface SdpServerOptions {
  /** Largest response PDU, normally the channel's L2CAP MTU toward the client (default 672). */
  readonly mtu?: number;
  /** Channels that may hold a pending continuation at once (default 32). */
  readonly maxChannels?: number;
  /** Largest complete answer (attribute byte stream) kept for continuation (default 65535). */
  readonly maxResponseBytes?: number;
  /** Nesting cap for data elements in requests (default 32). */
  readonly maxNesting?: number;
  /** UUIDs allowed in a ServiceSearchPattern (default 12, the spec maximum). */
  readonly maxPatternUuids?: number;
  /** Mixed into continuation tokens. */
  readonly tokenSeed?: number;
}

export interface SdpServerStats {
  requests: number;
  responses: number;
  errors: Record<number, number>;
}

interface Pending {
  /** PDU ID and parameters (without ContinuationState) of the request being answered. */
  readonly requestKey: Uint8Array;
  readonly token: Uint8Array;
  readonly transactionKind: 'handles' | 'attributes';
  readonly stream: Uint8Array;
  readonly total: number;
  offset: number;
}

/** The smallest MTU the server will cut answers for (L2CAP minimum, Core Vol 3 Part A §5.1). */
const MIN_MTU = 48;

export class SdpServer {
  private readonly pending = new Map<ChannelKey, Pending>();
  private readonly tokens: ContinuationTokens;
  readonly stats: SdpServerStats = { requests: 0, responses: 0, errors: {} };
  private readonly mtu: number;
  private readonly maxChannels: number;
  private readonly maxResponseBytes: number;
  private readonly maxNesting: number;
  private readonly maxPatternUuids: number;

  constructor(
    readonly database: SdpDatabase,
    opts: SdpServerOptions = {},
  ) {
    this.mtu = Math.max(MIN_MTU, opts.mtu ?? 672);
    this.maxChannels = opts.maxChannels ?? 32;
    this.maxResponseBytes = opts.maxResponseBytes ?? 0xffff;
    this.maxNesting = opts.maxNesting ?? DEFAULT_MAX_NESTING;
    this.maxPatternUuids = opts.maxPatternUuids ?? MAX_PATTERN_UUIDS;
    this.tokens = new ContinuationTokens(opts.tokenSeed);
  }

  /** Answers one request PDU received on `channelKey`; `mtu` overrides the option for this answer. */
  handle(channelKey: ChannelKey, request: Uint8Array, mtu = this.mtu): Uint8Array {
    this.stats.requests++;
    const header = peekSdpHeader(request);
    const tid = header?.transactionId ?? (request.length >= 3 ? (request[1] << 8) | request[2] : 0);
    if (!header || header.parameterLength !== request.length - SDP_HEADER_LENGTH) {
      return this.error(channelKey, tid, SDP_ERROR.InvalidPduSize);
    }
    let pdu: SdpPdu;
    try {
      pdu = decodeSdpPdu(request, { maxNesting: this.maxNesting });
    } catch (e) {
      if (e instanceof DecodeError) return this.error(channelKey, tid, SDP_ERROR.InvalidRequestSyntax);
      throw e;
    }
    if (
      pdu.type !== 'service-search-request' &&
      pdu.type !== 'service-attribute-request' &&
      pdu.type !== 'service-search-attribute-request'
    ) {
      return this.error(channelKey, tid, SDP_ERROR.InvalidRequestSyntax);
    }
    if (!this.wellFormed(pdu)) return this.error(channelKey, tid, SDP_ERROR.InvalidRequestSyntax);
    if (pdu.type === 'service-attribute-request' && !this.database.get(pdu.handle)) {
      return this.error(channelKey, tid, SDP_ERROR.InvalidServiceRecordHandle);
    }
    const requestKey = Uint8Array.of(request[0], ...request.subarray(SDP_HEADER_LENGTH, request.length - 1 - pdu.continuation.length));
    const safeMtu = Math.max(MIN_MTU, mtu);
    if (pdu.continuation.length > 0) return this.continueAnswer(channelKey, pdu, requestKey, safeMtu);
    this.pending.delete(channelKey);
    const answer = this.answer(pdu);
    if (answer.stream.length > this.maxResponseBytes) return this.error(channelKey, tid, SDP_ERROR.InsufficientResources);
    return this.respond(channelKey, pdu, { requestKey, token: new Uint8Array(0), ...answer, offset: 0 }, safeMtu);
  }

  /** Drops the pending answer of a channel (call when the L2CAP channel closes). */
  forget(channelKey: ChannelKey): void {
    this.pending.delete(channelKey);
  }

  /** Channels currently holding a pending answer. */
  get pendingChannels(): number {
    return this.pending.size;
  }

  private wellFormed(pdu: SdpRequest): boolean {
    if ('pattern' in pdu && (pdu.pattern.length === 0 || pdu.pattern.length > this.maxPatternUuids)) return false;
    if (pdu.type === 'service-search-request') return pdu.maximumServiceRecordCount > 0;
    if (pdu.maximumAttributeByteCount < MIN_ATTRIBUTE_BYTE_COUNT) return false;
    if (pdu.attributeIds.length === 0) return false;
    return pdu.attributeIds.every((it) => typeof it === 'number' || it.first <= it.last);
  }

  private answer(pdu: SdpRequest): Pick<Pending, 'transactionKind' | 'stream' | 'total'> {
    if (pdu.type === 'service-search-request') {
      const handles: number[] = [];
      for (const [h, rec] of this.database.records()) {
        if (handles.length >= pdu.maximumServiceRecordCount) break;
        if (recordMatchesPattern(rec, pdu.pattern)) handles.push(h);
      }
      const stream = new Uint8Array(handles.length * 4);
      handles.forEach((h, i) => stream.set([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff], i * 4));
      return { transactionKind: 'handles', stream, total: handles.length };
    }
    if (pdu.type === 'service-attribute-request') {
      const list = attributeListElement(this.database.get(pdu.handle)!, pdu.attributeIds);
      return { transactionKind: 'attributes', stream: encodeDataElement(list), total: 0 };
    }
    const lists: DataElement[] = [];
    for (const [, rec] of this.database.records()) {
      if (!recordMatchesPattern(rec, pdu.pattern)) continue;
      const list = attributeListElement(rec, pdu.attributeIds);
      if (list.type === 'sequence' && list.items.length > 0) lists.push(list);
    }
    return { transactionKind: 'attributes', stream: encodeDataElement({ type: 'sequence', items: lists }), total: 0 };
  }

  private continueAnswer(channelKey: ChannelKey, pdu: SdpRequest, requestKey: Uint8Array, mtu: number): Uint8Array {
    const p = this.pending.get(channelKey);
    if (!p || !bytesEqual(p.token, pdu.continuation) || !bytesEqual(p.requestKey, requestKey)) {
      this.pending.delete(channelKey);
      return this.error(channelKey, pdu.transactionId, SDP_ERROR.InvalidContinuationState);
    }
    return this.respond(channelKey, pdu, p, mtu);
  }

  /** Sends the next piece of `p` and keeps or drops the pending state. */
  private respond(channelKey: ChannelKey, pdu: SdpRequest, p: Pending, mtu: number): Uint8Array {
    const room = mtu - SDP_HEADER_LENGTH - 1 - CONTINUATION_TOKEN_LENGTH;
    const left = p.stream.length - p.offset;
    let take: number;
    if (p.transactionKind === 'handles') {
      take = Math.min(left, Math.floor((room - 4) / 4) * 4);
    } else {
      take = Math.min(left, room - 2, pdu.type === 'service-search-request' ? left : pdu.maximumAttributeByteCount);
    }
    const piece = p.stream.slice(p.offset, p.offset + take);
    const done = p.offset + take >= p.stream.length;
    let token: Uint8Array = new Uint8Array(0);
    if (done) {
      this.pending.delete(channelKey);
    } else {
      if (!this.pending.has(channelKey) && this.pending.size >= this.maxChannels) {
        return this.error(channelKey, pdu.transactionId, SDP_ERROR.InsufficientResources);
      }
      token = this.tokens.issue(p.requestKey);
      this.pending.set(channelKey, { ...p, token, offset: p.offset + take });
    }
    this.stats.responses++;
    const tid = pdu.transactionId;
    if (pdu.type === 'service-search-request') {
      const handles: number[] = [];
      for (let i = 0; i < piece.length; i += 4) handles.push(((piece[i] << 24) | (piece[i + 1] << 16) | (piece[i + 2] << 8) | piece[i + 3]) >>> 0);
      return encodeSdpPdu({ type: 'service-search-response', transactionId: tid, totalServiceRecordCount: p.total, handles, continuation: token });
    }
    if (pdu.type === 'service-attribute-request') {
      return encodeSdpPdu({ type: 'service-attribute-response', transactionId: tid, attributeList: piece, continuation: token });
    }
    return encodeSdpPdu({ type: 'service-search-attribute-response', transactionId: tid, attributeLists: piece, continuation: token });
  }

  private error(channelKey: ChannelKey, transactionId: number, errorCode: number): Uint8Array {
    this.stats.errors[errorCode] = (this.stats.errors[errorCode] ?? 0) + 1;
    if (errorCode !== SDP_ERROR.InsufficientResources) this.pending.delete(channelKey);
    return encodeSdpPdu({ type: 'error-response', transactionId, errorCode, info: new Uint8Array(0) });
  }
}
