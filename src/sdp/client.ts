/**
 * The SDP client (Core v5.4 Vol 3 Part B §2.4, §4), one per L2CAP channel on PSM 1. Sans-I/O:
 * requests are method calls, request PDUs leave through `pollTransmit()`, response PDUs come in
 * through `receive()`, results leave through `pollEvent()`.
 *
 * Rules:
 * - One request is on the wire at a time (a client waits for each response, §4.2); further
 *   requests wait in a queue of at most `maxQueued` (default 16), beyond which the call throws
 *   `InvalidStateError`.
 * - Every PDU sent gets the next TransactionID (16 bits, wrapping). A response whose
 *   TransactionID is not the one awaited is ignored and counted (`stats.ignored`).
 * - A response with a ContinuationState is followed by the same request carrying that state,
 *   at most `maxContinuations` times (default 64, the Bumble watchdog) and up to
 *   `maxResponseBytes` joined bytes (default 256 KiB); beyond either the request fails.
 * - An ErrorResponse ends the request with an `error-response` event carrying the ErrorCode as
 *   received (big-endian; a little-endian `02 00` from a broken server reads as 0x0200 and is
 *   reported as reserved, never silently as 0x0002).
 * - Each request on the wire has a timer (`requestTimeoutMs`, default 10 s, re-armed for each
 *   continuation); when it fires the request fails with reason `timeout` and the next one starts.
 * - Malformed responses (undecodable PDU, wrong response type, attribute lists that are not lists
 *   of ID/value pairs) fail the request with reason `malformed`. Nothing here throws on remote input.
 *
 * Time is an argument of every input (the request methods, `receive`, `handleTimeout`): a
 * request's timer counts from the `now` of the input that put it on the wire.
 */
import { ArgumentError, DecodeError, InvalidStateError, TimerSet, Uuid } from '../core/index.js';
import { decodeAttributeList, decodeAttributeLists } from './attribute-list.js';
import type { ServiceRecord } from './service-record.js';
import { MAX_PATTERN_UUIDS, sdpErrorName } from './wire/constants.js';
import { DEFAULT_MAX_NESTING } from './wire/data-element.js';
import { type AttributeIdItem, type SdpPdu, type SdpRequest, decodeSdpPdu, encodeSdpPdu } from './wire/pdu.js';

export interface SdpClientOptions {
  /** MaximumAttributeByteCount sent in attribute requests (default 0xffff). */
  readonly maxAttributeByteCount?: number;
  readonly maxContinuations?: number;
  readonly maxResponseBytes?: number;
  readonly requestTimeoutMs?: number;
  readonly maxQueued?: number;
  readonly maxNesting?: number;
}

export type SdpClientFailure = 'timeout' | 'malformed' | 'too-many-continuations' | 'too-large' | 'closed';

export type SdpClientEvent =
  | { readonly type: 'records'; readonly requestId: number; readonly records: ServiceRecord[] }
  | { readonly type: 'record'; readonly requestId: number; readonly record: ServiceRecord }
  | { readonly type: 'handles'; readonly requestId: number; readonly handles: number[]; readonly total: number }
  | { readonly type: 'error-response'; readonly requestId: number; readonly errorCode: number; readonly errorName: string }
  | { readonly type: 'failed'; readonly requestId: number; readonly reason: SdpClientFailure; readonly message: string };

export interface SdpClientStats {
  sent: number;
  received: number;
  ignored: number;
  continuations: number;
}

/** All attributes: the range 0x0000-0xFFFF. */
export const ALL_ATTRIBUTES: readonly AttributeIdItem[] = [{ first: 0x0000, last: 0xffff }];

interface Active {
  readonly id: number;
  readonly request: SdpRequest;
  transactionId: number;
  continuations: number;
  readonly chunks: Uint8Array[];
  bytes: number;
  readonly handles: number[];
  total: number;
}

export class SdpClient {
  private readonly queue: { id: number; request: SdpRequest }[] = [];
  private active: Active | undefined;
  private outbox: Uint8Array | undefined;
  private readonly events: SdpClientEvent[] = [];
  private readonly timers = new TimerSet<number>();
  private nextRequestId = 1;
  private nextTid = 1;
  /** The `now` of the input being handled. */
  private now = 0;
  readonly stats: SdpClientStats = { sent: 0, received: 0, ignored: 0, continuations: 0 };
  private readonly maxAttributeByteCount: number;
  private readonly maxContinuations: number;
  private readonly maxResponseBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxNesting: number;

  constructor(opts: SdpClientOptions = {}) {
    this.maxAttributeByteCount = opts.maxAttributeByteCount ?? 0xffff;
    if (!(this.maxAttributeByteCount >= 7 && this.maxAttributeByteCount <= 0xffff)) {
      throw new ArgumentError(`maxAttributeByteCount ${this.maxAttributeByteCount} is outside 7..65535`);
    }
    this.maxContinuations = opts.maxContinuations ?? 64;
    this.maxResponseBytes = opts.maxResponseBytes ?? 256 * 1024;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.maxQueued = opts.maxQueued ?? 16;
    this.maxNesting = opts.maxNesting ?? DEFAULT_MAX_NESTING;
  }

  /** ServiceSearchAttributeRequest: records holding every UUID of `patterns`, with the attributes in `ranges`. */
  serviceSearchAttribute(patterns: readonly Uuid[], now: number, ranges: readonly AttributeIdItem[] = ALL_ATTRIBUTES): number {
    checkPattern(patterns);
    checkRanges(ranges);
    return this.enqueue(
      {
        type: 'service-search-attribute-request',
        transactionId: 0,
        pattern: patterns,
        maximumAttributeByteCount: this.maxAttributeByteCount,
        attributeIds: ranges,
        continuation: new Uint8Array(0),
      },
      now,
    );
  }

  /** ServiceSearchRequest: handles of records holding every UUID of `patterns` (at most `maxRecords`). */
  serviceSearch(patterns: readonly Uuid[], now: number, maxRecords = 0xffff): number {
    checkPattern(patterns);
    if (!(Number.isInteger(maxRecords) && maxRecords >= 1 && maxRecords <= 0xffff)) throw new ArgumentError(`maxRecords ${maxRecords} is outside 1..65535`);
    return this.enqueue(
      { type: 'service-search-request', transactionId: 0, pattern: patterns, maximumServiceRecordCount: maxRecords, continuation: new Uint8Array(0) },
      now,
    );
  }

  /** ServiceAttributeRequest: the attributes in `ranges` of the record `handle`. */
  serviceAttribute(handle: number, now: number, ranges: readonly AttributeIdItem[] = ALL_ATTRIBUTES): number {
    if (!(Number.isInteger(handle) && handle >= 0 && handle <= 0xffffffff)) throw new ArgumentError(`record handle ${handle} is not a 32-bit value`);
    checkRanges(ranges);
    return this.enqueue(
      {
        type: 'service-attribute-request',
        transactionId: 0,
        handle,
        maximumAttributeByteCount: this.maxAttributeByteCount,
        attributeIds: ranges,
        continuation: new Uint8Array(0),
      },
      now,
    );
  }

  /** A response PDU from the server. */
  receive(pdu: Uint8Array, now: number): void {
    this.now = now;
    this.stats.received++;
    const a = this.active;
    let rsp: SdpPdu;
    try {
      rsp = decodeSdpPdu(pdu, { maxNesting: this.maxNesting });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      if (a && pdu.length >= 3 && ((pdu[1] << 8) | pdu[2]) === a.transactionId) this.fail('malformed', e.message);
      else this.stats.ignored++;
      return;
    }
    if (!a || rsp.transactionId !== a.transactionId) {
      this.stats.ignored++;
      return;
    }
    if (rsp.type === 'error-response') {
      this.finish({ type: 'error-response', requestId: a.id, errorCode: rsp.errorCode, errorName: sdpErrorName(rsp.errorCode) });
      return;
    }
    const expected = a.request.type.replace('-request', '-response');
    if (rsp.type !== expected) {
      this.fail('malformed', `expected ${expected}, got ${rsp.type}`);
      return;
    }
    if (rsp.type === 'service-search-response') {
      a.handles.push(...rsp.handles);
      a.total = rsp.totalServiceRecordCount;
      a.bytes += rsp.handles.length * 4;
    } else if (rsp.type === 'service-attribute-response' || rsp.type === 'service-search-attribute-response') {
      const piece = rsp.type === 'service-attribute-response' ? rsp.attributeList : rsp.attributeLists;
      a.chunks.push(piece);
      a.bytes += piece.length;
    }
    if (a.bytes > this.maxResponseBytes) {
      this.fail('too-large', `the answer exceeds ${this.maxResponseBytes} bytes`);
      return;
    }
    if ('continuation' in rsp && rsp.continuation.length > 0) {
      if (a.continuations >= this.maxContinuations) {
        this.fail('too-many-continuations', `the server asked for more than ${this.maxContinuations} continuations`);
        return;
      }
      a.continuations++;
      this.stats.continuations++;
      this.send(a, rsp.continuation);
      return;
    }
    this.complete(a);
  }

  pollTransmit(): Uint8Array | undefined {
    const out = this.outbox;
    this.outbox = undefined;
    return out;
  }

  pollEvent(): SdpClientEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): number | undefined {
    return this.timers.next();
  }

  handleTimeout(now: number): void {
    this.now = now;
    for (const id of this.timers.expire(now)) {
      if (this.active?.id === id) this.fail('timeout', `no SDP response within ${this.requestTimeoutMs} ms`);
    }
  }

  /** Fails every request (active and queued) with reason `closed`: call when the channel goes away. */
  close(): void {
    if (this.active) this.fail('closed', 'the SDP channel closed', false);
    for (const q of this.queue.splice(0)) this.events.push({ type: 'failed', requestId: q.id, reason: 'closed', message: 'the SDP channel closed' });
    this.outbox = undefined;
  }

  /** Requests not yet answered (active and queued). */
  get outstanding(): number {
    return this.queue.length + (this.active ? 1 : 0);
  }

  private enqueue(request: SdpRequest, now: number): number {
    this.now = now;
    if (this.queue.length >= this.maxQueued) throw new InvalidStateError(`${this.maxQueued} SDP requests are already queued: wait for their results`);
    const id = this.nextRequestId++;
    this.queue.push({ id, request });
    if (!this.active) this.startNext();
    return id;
  }

  private startNext(): void {
    const q = this.queue.shift();
    if (!q) return;
    this.active = { id: q.id, request: q.request, transactionId: 0, continuations: 0, chunks: [], bytes: 0, handles: [], total: 0 };
    this.send(this.active, new Uint8Array(0));
  }

  private send(a: Active, continuation: Uint8Array): void {
    a.transactionId = this.nextTid;
    this.nextTid = (this.nextTid + 1) & 0xffff;
    this.outbox = encodeSdpPdu({ ...a.request, transactionId: a.transactionId, continuation });
    this.stats.sent++;
    this.timers.set(a.id, this.now + this.requestTimeoutMs);
  }

  private complete(a: Active): void {
    if (a.request.type === 'service-search-request') {
      this.finish({ type: 'handles', requestId: a.id, handles: a.handles, total: a.total });
      return;
    }
    const joined = new Uint8Array(a.bytes);
    let o = 0;
    for (const c of a.chunks) {
      joined.set(c, o);
      o += c.length;
    }
    try {
      const opts = { maxNesting: this.maxNesting };
      if (a.request.type === 'service-attribute-request') {
        this.finish({ type: 'record', requestId: a.id, record: decodeAttributeList(joined, opts) });
      } else {
        this.finish({ type: 'records', requestId: a.id, records: decodeAttributeLists(joined, opts) });
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.fail('malformed', e.message);
    }
  }

  private fail(reason: SdpClientFailure, message: string, next = true): void {
    const a = this.active;
    if (!a) return;
    this.finish({ type: 'failed', requestId: a.id, reason, message }, next);
  }

  private finish(ev: SdpClientEvent, next = true): void {
    if (this.active) this.timers.clear(this.active.id);
    this.active = undefined;
    this.events.push(ev);
    if (next) this.startNext();
  }
}

function checkPattern(patterns: readonly Uuid[]): void {
  if (patterns.length < 1 || patterns.length > MAX_PATTERN_UUIDS) {
    throw new ArgumentError(`a search pattern holds 1..${MAX_PATTERN_UUIDS} UUIDs, not ${patterns.length}`);
  }
}

function checkRanges(ranges: readonly AttributeIdItem[]): void {
  if (ranges.length === 0) throw new ArgumentError('an attribute ID list needs at least one ID or range');
  for (const r of ranges) {
    const ok = typeof r === 'number' ? r >= 0 && r <= 0xffff : r.first >= 0 && r.first <= r.last && r.last <= 0xffff;
    if (!ok) throw new ArgumentError(`attribute ID item ${JSON.stringify(r)} is not an ID or an ascending range in 0x0000..0xffff`);
  }
}
