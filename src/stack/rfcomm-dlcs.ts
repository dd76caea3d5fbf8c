/**
 * The RFCOMM channels (DLCs) of the stack under their ids (RfcommManager numbers its DLCs with
 * the stack's counter, so a DLC has the same id in both and nothing translates it), the events
 * RFCOMM reports about them, and the security its
 * authorisation requests wait for (RFCOMM 1.2 §5 and §6.5, TS 07.10 §5.4; src/stack/events.ts for
 * what the user hears).
 *
 * Rules:
 * - `create` gives an outgoing DLC its id at once; `open` (once link and security are ready) starts it
 *   on the link's session, or queues it there until the session is open.
 * - Security is per server channel, as in BlueZ: the session's L2CAP channel (PSM 3) needs no level
 *   of its own; a server channel with a level is set with RFCOMM's `requireAuthorization`, so the
 *   peer's SABM for it is held by RFCOMM and reported as 'dlc-authorize'. The SecurityGate brings
 *   the link to the level (pairing if needed) and the answer goes back through `authorize`, with
 *   the time: met, RFCOMM answers UA; not met, DM with F = 1 (RFCOMM 1.2 §6.5: a refused
 *   connection), so the peer's connect fails and the DLC never exists here.
 * - An incoming DLC gets its id on 'dlc-open'.
 * - Every DLC ends with exactly one 'rfcomm-closed' (`fail`), read as 'link-lost' when its link went
 *   down under it.
 */
import { InvalidStateError, ProtocolError, type BdAddr } from '../core/index.js';
import type { RfcommEvent, RfcommManager } from '../rfcomm/index.js';
import type { AclLinks, Link } from './acl-links.js';
import type { EventQueue } from './event-queue.js';
import type { CloseDetail, RfcommCloseReason } from './events.js';
import type { RfcommSessions } from './rfcomm-sessions.js';
import { L2CAP_SECURITY_BLOCK, type SecurityGate } from './security-gate.js';

interface DlcRecord {
  id: number;
  /** RFCOMM has the DLC (under the same id): an outgoing one once `start` ran, an incoming one from its 'dlc-open'. */
  started: boolean;
  address: BdAddr;
  channel: number;
  handle?: number;
}

export class RfcommDlcs {
  private readonly dlcs = new Map<number, DlcRecord>();

  constructor(
    private readonly rfcomm: RfcommManager,
    private readonly sessions: RfcommSessions,
    private readonly links: AclLinks,
    private readonly gate: SecurityGate,
    private readonly events: EventQueue,
    private readonly newId: () => number,
  ) {}

  /** An outgoing DLC to `channel` on `address`: its id, answered later by 'rfcomm-open' or 'rfcomm-closed'. */
  create(address: BdAddr, channel: number): number {
    const id = this.newId();
    this.dlcs.set(id, { id, started: false, address, channel });
    return id;
  }

  /** The link is up and secure: starts the DLC on the link's session (opening it if needed). */
  open(link: Link, id: number, channel: number, now: number): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    rec.handle = link.handle;
    const session = this.sessions.ofLink(link, now);
    if (session.open) this.start(session.cid, id, channel, now);
    else session.waiting.push({ id, channel });
  }

  /** An SDU on L2CAP channel `cid`: false when no RFCOMM session rides on it. */
  receive(cid: number, sdu: Uint8Array, now: number): boolean {
    return this.sessions.receive(cid, sdu, now);
  }

  /** Queues bytes on an open DLC; returns how many were accepted, undefined when it is not open. */
  write(id: number, bytes: Uint8Array): number | undefined {
    if (!this.dlcs.get(id)?.started) return undefined;
    return this.rfcomm.write(id, bytes);
  }

  /** The user consumed n received bytes; true when RFCOMM has a frame to send for it (credits, MSC FC). */
  consume(id: number, n: number, now: number): boolean {
    return this.dlcs.get(id)?.started === true && this.rfcomm.consume(id, n, now);
  }

  /** Sends our V.24 signals (and a break) on an open DLC; throws InvalidStateError when it is not open. */
  setSignals(id: number, signals: number, breakMs: number | undefined, now: number): void {
    if (!this.dlcs.get(id)?.started) throw new InvalidStateError(`RFCOMM channel ${id} is not open`);
    this.rfcomm.setSignals(id, signals, now, breakMs);
  }

  /** Closes the DLC (DISC once open, else 'rfcomm-closed' at once); false when there is no such DLC. */
  close(id: number, now: number): boolean {
    const rec = this.dlcs.get(id);
    if (!rec) return false;
    if (rec.started) this.rfcomm.close(id, now);
    else this.fail(id, 'local', 'closed before the channel opened');
    return true;
  }

  /** Ends the DLC: forgets it and reports 'rfcomm-closed' (with the bytes written that never left). */
  fail(id: number, reason: RfcommCloseReason, message: string, unsent = 0, detail: CloseDetail = {}): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    this.dlcs.delete(id);
    this.events.push({ type: 'rfcomm-closed', id, reason, message, unsent, ...detail });
  }

  /** A session's L2CAP channel opened (`l2capMtu`: the smaller of its two MTUs): starts the DLCs that waited for it. */
  sessionOpened(cid: number, handle: number, initiator: boolean, l2capMtu: number, now: number): void {
    for (const w of this.sessions.opened(cid, handle, initiator, l2capMtu, now)) this.start(cid, w.id, w.channel, now);
  }

  /** A session's L2CAP channel closed or was refused: the DLCs still waiting for it fail with why. */
  sessionClosed(cid: number, kind: 'disconnected' | 'refused' | 'timeout', message: string, lost: boolean, detail: CloseDetail, now: number): void {
    const session = this.sessions.closed(cid, now);
    if (!session) return;
    const result = detail.l2capResult;
    const security = kind === 'refused' && result === L2CAP_SECURITY_BLOCK;
    const why = security
      ? `the peer requires a security level this link did not reach (L2CAP result 0x0003, security block): ${message}`
      : kind === 'timeout'
        ? `the L2CAP channel for RFCOMM was not set up: the peer did not answer (${message})`
        : kind === 'refused' && result === undefined
          ? `the L2CAP channel for RFCOMM was not set up (the peer rejected the request): ${message}`
          : kind === 'refused'
            ? `RFCOMM refused by the peer (L2CAP result ${result}): ${message}`
            : message;
    const reason: RfcommCloseReason = lost ? 'link-lost' : security ? 'security' : kind === 'disconnected' ? 'session-closed' : kind;
    for (const w of session.waiting) this.fail(w.id, reason, why, 0, lost ? {} : detail);
  }

  handleEvent(e: RfcommEvent, now: number): void {
    switch (e.type) {
      case 'dlc-open': {
        const id = e.dlcId;
        let rec = this.dlcs.get(id);
        if (!rec) {
          const session = this.sessions.get(e.sessionId);
          const link = session ? this.links.get(session.handle) : undefined;
          rec = { id, started: true, address: link?.address ?? '', channel: e.serverChannel, handle: link?.handle };
          this.dlcs.set(id, rec);
        }
        this.events.push({ type: 'rfcomm-open', id, address: rec.address, channel: e.serverChannel, incoming: e.incoming, n1: e.n1 });
        return;
      }
      case 'dlc-data': {
        const id = e.dlcId;
        if (this.dlcs.has(id)) this.events.push({ type: 'rfcomm-data', id, data: e.data });
        return;
      }
      case 'dlc-writable': {
        const id = e.dlcId;
        if (this.dlcs.has(id)) this.events.push({ type: 'rfcomm-writable', id });
        return;
      }
      case 'dlc-signals': {
        const id = e.dlcId;
        if (!this.dlcs.has(id)) return;
        this.events.push(e.breakMs === undefined ? { type: 'rfcomm-signals', id, signals: e.signals } : { type: 'rfcomm-signals', id, signals: e.signals, breakMs: e.breakMs });
        return;
      }
      case 'dlc-dropped': {
        const id = e.dlcId;
        if (this.dlcs.has(id)) this.events.push({ type: 'rfcomm-dropped', id, bytes: e.bytes, message: e.message });
        return;
      }
      case 'session-error':
        this.events.push({ type: 'error', error: new ProtocolError(`RFCOMM session on L2CAP channel 0x${e.sessionId.toString(16)}: ${e.message}`) });
        return;
      case 'dlc-closed': {
        const id = e.dlcId;
        const rec = this.dlcs.get(id);
        if (!rec) return;
        const lost = rec.handle !== undefined && (this.links.get(rec.handle)?.lost ?? true);
        const reason: RfcommCloseReason = lost && e.reason === 'session-closed' ? 'link-lost' : e.reason;
        const message = reason === 'link-lost' ? `the link to ${rec.address} was lost${e.unsent > 0 ? `; ${e.unsent} byte(s) written were never sent` : ''}` : e.message;
        this.fail(id, reason, message, e.unsent, reason === 'link-lost' ? {} : { ...(e.timer === undefined ? {} : { timer: e.timer }), ...(e.frame === undefined ? {} : { frame: e.frame }) });
        return;
      }
      case 'dlc-authorize': {
        const session = this.sessions.get(e.sessionId);
        if (!session) return;
        const answer = (granted: boolean, t: number): void => {
          this.rfcomm.authorize(e.sessionId, e.request, granted, t);
        };
        this.gate.secure(session.handle, this.gate.channelLevel(e.serverChannel), now, (t) => answer(true, t), (_reason, _detail, t) => answer(false, t));
        return;
      }
      case 'session-closed':
        this.sessions.disconnect(e.sessionId, now);
        return;
    }
  }

  private start(sessionCid: number, id: number, channel: number, now: number): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    try {
      this.rfcomm.connect(sessionCid, channel, now, id);
    } catch (error) {
      // One DLC per server channel and session (TS 07.10 DLCI uniqueness): a second is refused.
      this.fail(id, 'refused', (error as Error).message);
      return;
    }
    rec.started = true;
  }
}
