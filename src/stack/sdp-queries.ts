/**
 * Our SDP queries: each gets its own L2CAP channel on PSM 1 and its own SdpClient, which sends one
 * ServiceSearchAttributeRequest for all attributes (Core v5.4 Vol 3 Part B §4.7) and follows its
 * continuations; the records are parsed into services (src/sdp parse-services).
 *
 * Rules: every query ends with exactly one 'sdp-result' or 'sdp-failed'; the channel is disconnected
 * as soon as the client has its answer. A query is forgotten once it is answered and its channel is
 * gone (or it never had one).
 */
import { earliest, type BdAddr, type Uuid } from '../core/index.js';
import type { L2capManager } from '../l2cap/index.js';
import { ALL_ATTRIBUTES, SdpClient, parseServices } from '../sdp/index.js';
import type { Link } from './acl-links.js';
import type { EventQueue } from './event-queue.js';
import type { CloseDetail, L2capCloseReason, StackEvent } from './events.js';
import { PSM_SDP } from './psm.js';

interface SdpQuery {
  id: number;
  address: BdAddr;
  patterns: Uuid[];
  cid?: number;
  client?: SdpClient;
  done: boolean;
}

export class SdpQueries {
  private readonly queries = new Map<number, SdpQuery>();
  private readonly byCid = new Map<number, SdpQuery>();

  constructor(
    private readonly l2cap: L2capManager,
    private readonly events: EventQueue,
    private readonly newId: () => number,
  ) {}

  /** A query of `address` for services matching every UUID in `patterns`: its id. */
  create(address: BdAddr, patterns: Uuid[]): number {
    const id = this.newId();
    this.queries.set(id, { id, address, patterns, done: false });
    return id;
  }

  /** The link is up: opens the query's SDP channel. */
  open(link: Link, id: number, now: number): void {
    const query = this.queries.get(id);
    if (!query) return;
    const cid = this.l2cap.connect(link.handle, PSM_SDP, {}, now);
    query.cid = cid;
    this.byCid.set(cid, query);
    link.channels.add(cid);
  }

  /** The query failed before its channel opened. */
  fail(id: number, reason: L2capCloseReason, message: string, detail: CloseDetail = {}): void {
    const query = this.queries.get(id);
    if (query) this.finish(query, { type: 'sdp-failed', id, address: query.address, reason, message, ...detail });
  }

  /** Our SDP channel `cid` opened: sends the request (a channel no query owns is disconnected). */
  opened(cid: number, now: number): void {
    const query = this.byCid.get(cid);
    if (!query) {
      this.l2cap.disconnect(cid, now);
      return;
    }
    query.client = new SdpClient({});
    query.client.serviceSearchAttribute(query.patterns, now);
  }

  /** An SDU on L2CAP channel `cid`: true when it belongs to a query (and went to its client). */
  receive(cid: number, sdu: Uint8Array, now: number): boolean {
    const query = this.byCid.get(cid);
    if (!query) return false;
    query.client?.receive(sdu, now);
    return true;
  }

  /** The query's channel closed or never opened: the query fails unless it was answered. */
  closed(cid: number, reason: L2capCloseReason, message: string, detail: CloseDetail): void {
    const query = this.byCid.get(cid);
    if (!query) return;
    this.byCid.delete(cid);
    query.client?.close();
    this.queries.delete(query.id);
    this.finish(query, { type: 'sdp-failed', id: query.id, address: query.address, reason, message: `SDP channel closed before an answer: ${message}`, ...detail });
  }

  pollTimeout(): number | undefined {
    let t: number | undefined;
    for (const q of this.queries.values()) t = earliest(t, q.client?.pollTimeout());
    return t;
  }

  handleTimeout(now: number): void {
    for (const q of this.queries.values()) q.client?.handleTimeout(now);
  }

  /** Moves every client's PDUs to L2CAP and its outcome to the user; forgets finished queries. */
  pump(now: number): boolean {
    if (this.queries.size === 0) return false;
    let progress = false;
    for (const q of this.queries.values()) if (this.pumpClient(q, now)) progress = true;
    for (const [id, q] of this.queries) if (q.done && q.cid === undefined) this.queries.delete(id);
    return progress;
  }

  private pumpClient(query: SdpQuery, now: number): boolean {
    const client = query.client;
    if (!client || query.cid === undefined) return false;
    let progress = false;
    for (let pdu = client.pollTransmit(); pdu; pdu = client.pollTransmit()) {
      this.l2cap.send(query.cid, pdu);
      progress = true;
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) {
      progress = true;
      if (e.type === 'records') {
        this.finish(query, { type: 'sdp-result', id: query.id, address: query.address, services: parseServices(e.records) });
      } else if (e.type === 'error-response') {
        this.finish(query, { type: 'sdp-failed', id: query.id, address: query.address, reason: 'error', message: `the SDP server answered error 0x${e.errorCode.toString(16).padStart(4, '0')} (${e.errorName})` });
      } else if (e.type === 'failed') {
        this.finish(query, { type: 'sdp-failed', id: query.id, address: query.address, reason: e.reason === 'timeout' ? 'timeout' : 'error', message: e.message });
      } else continue;
      this.l2cap.disconnect(query.cid, now);
    }
    return progress;
  }

  private finish(query: SdpQuery, event: StackEvent): void {
    if (query.done) return;
    query.done = true;
    this.events.push(event);
  }
}
