/**
 * The RFCOMM channels (DLCs) of the stack under their stack-level ids: the map between those ids
 * and RfcommManager's dlcIds, the events RFCOMM reports about them, and the incoming DLCs held back
 * until their link meets their server channel's security level (RFCOMM 1.2 §5, TS 07.10 §5.4;
 * src/stack/events.ts for what the user hears).
 *
 * Rules:
 * - `create` gives an outgoing DLC its id at once; `open` (once link and security are ready) starts it
 *   on the link's session, or queues it there until the session is open.
 * - An incoming DLC gets its id on 'dlc-open'. With a security level on its server channel its
 *   'rfcomm-open' and data are held until the link qualifies; if pairing fails the DLC is closed and
 *   never reported.
 * - Every DLC ends with exactly one 'rfcomm-closed' (`fail`), read as 'link-lost' when its link went
 *   down under it.
 */
import type { BdAddr } from '../core/index.js';
import type { RfcommEvent, RfcommManager } from '../rfcomm/index.js';
import type { AclLinks, Link } from './acl-links.js';
import type { EventQueue } from './event-queue.js';
import type { RfcommCloseReason, StackEvent } from './events.js';
import type { RfcommSessions } from './rfcomm-sessions.js';
import { L2CAP_SECURITY_BLOCK, type SecurityGate } from './security-gate.js';

interface DlcRecord {
  id: number;
  dlcId?: number;
  address: BdAddr;
  channel: number;
  handle?: number;
}

export class RfcommDlcs {
  private readonly dlcs = new Map<number, DlcRecord>();
  private readonly idsByDlcId = new Map<number, number>();
  /** Incoming DLCs held back until their link meets the channel's security level: id → held events. */
  private readonly held = new Map<number, StackEvent[]>();

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
    this.dlcs.set(id, { id, address, channel });
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

  /** Queues bytes on an open DLC; returns how many were accepted, undefined when it is not open. */
  write(id: number, bytes: Uint8Array): number | undefined {
    const dlcId = this.dlcs.get(id)?.dlcId;
    if (dlcId === undefined) return undefined;
    return this.rfcomm.write(dlcId, bytes);
  }

  /** The user consumed n received bytes; false when the DLC is not open (nothing done). */
  consume(id: number, n: number, now: number): boolean {
    const dlcId = this.dlcs.get(id)?.dlcId;
    if (dlcId === undefined) return false;
    this.rfcomm.consume(dlcId, n, now);
    return true;
  }

  /** Closes the DLC (DISC once open, else 'rfcomm-closed' at once); false when there is no such DLC. */
  close(id: number, now: number): boolean {
    const rec = this.dlcs.get(id);
    if (!rec) return false;
    if (rec.dlcId !== undefined) this.rfcomm.close(rec.dlcId, now);
    else this.fail(id, 'local', 'closed before the channel opened');
    return true;
  }

  /** Ends the DLC: forgets it and reports 'rfcomm-closed'. */
  fail(id: number, reason: RfcommCloseReason, message: string): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    this.dlcs.delete(id);
    if (rec.dlcId !== undefined) this.idsByDlcId.delete(rec.dlcId);
    this.events.push({ type: 'rfcomm-closed', id, reason, message });
  }

  /** A session's L2CAP channel opened: starts the DLCs that waited for it. */
  sessionOpened(cid: number, handle: number, initiator: boolean, remoteMtu: number, now: number): void {
    for (const w of this.sessions.opened(cid, handle, initiator, remoteMtu, now)) this.start(cid, w.id, w.channel, now);
  }

  /** A session's L2CAP channel closed or was refused: the DLCs still waiting for it fail with why. */
  sessionClosed(cid: number, kind: 'disconnected' | 'refused', message: string, lost: boolean, result: number | undefined, now: number): void {
    const session = this.sessions.closed(cid, now);
    if (!session) return;
    const security = kind === 'refused' && result === L2CAP_SECURITY_BLOCK;
    const why = security
      ? `the peer requires a security level this link did not reach (L2CAP result 0x0003, security block): ${message}`
      : kind === 'refused'
        ? `RFCOMM refused by the peer (L2CAP result ${result}): ${message}`
        : message;
    for (const w of session.waiting) this.fail(w.id, lost ? 'link-lost' : security ? 'security' : kind === 'refused' ? 'refused' : 'session-closed', why);
  }

  handleEvent(e: RfcommEvent, now: number): void {
    switch (e.type) {
      case 'dlc-open': {
        let id = this.idsByDlcId.get(e.dlcId);
        const session = this.sessions.get(e.sessionId);
        const link = session ? this.links.get(session.handle) : undefined;
        if (id === undefined) {
          id = this.newId();
          this.dlcs.set(id, { id, dlcId: e.dlcId, address: link?.address ?? '', channel: e.serverChannel, handle: link?.handle });
          this.idsByDlcId.set(e.dlcId, id);
        }
        const rec = this.dlcs.get(id)!;
        const open: StackEvent = { type: 'rfcomm-open', id, address: rec.address, channel: e.serverChannel, incoming: e.incoming, n1: e.n1 };
        if (!e.incoming || !this.holdIncoming(id, rec.handle, e.serverChannel, open, now)) this.events.push(open);
        return;
      }
      case 'dlc-data': {
        const id = this.idsByDlcId.get(e.dlcId);
        if (id === undefined) return;
        const held = this.held.get(id);
        if (held) held.push({ type: 'rfcomm-data', id, data: e.data });
        else this.events.push({ type: 'rfcomm-data', id, data: e.data });
        return;
      }
      case 'dlc-writable': {
        const id = this.idsByDlcId.get(e.dlcId);
        if (id !== undefined) this.events.push({ type: 'rfcomm-writable', id });
        return;
      }
      case 'dlc-closed': {
        const id = this.idsByDlcId.get(e.dlcId);
        if (id === undefined) return;
        const rec = this.dlcs.get(id);
        const lost = rec?.handle !== undefined && (this.links.get(rec.handle)?.lost ?? true);
        const reason: RfcommCloseReason = lost && e.reason === 'session-closed' ? 'link-lost' : e.reason;
        const message = reason === 'link-lost' ? `the link to ${rec?.address} was lost` : e.message;
        this.fail(id, reason, message);
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
    let dlcId: number;
    try {
      dlcId = this.rfcomm.connect(sessionCid, channel, now);
    } catch (error) {
      // One DLC per server channel and session (TS 07.10 DLCI uniqueness): a second is refused.
      this.fail(id, 'refused', (error as Error).message);
      return;
    }
    rec.dlcId = dlcId;
    this.idsByDlcId.set(dlcId, id);
  }

  /** An incoming DLC on a channel with a security level: hold its events until the link qualifies. */
  private holdIncoming(id: number, handle: number | undefined, channel: number, open: StackEvent, now: number): boolean {
    const level = this.gate.channelLevel(channel);
    if (level === 'none' || handle === undefined) return false;
    this.held.set(id, [open]);
    this.gate.secure(
      handle,
      level,
      now,
      () => {
        const held = this.held.get(id) ?? [];
        this.held.delete(id);
        for (const e of held) this.events.push(e);
      },
      (_reason, t) => {
        this.held.delete(id);
        const dlcId = this.dlcs.get(id)?.dlcId;
        this.dlcs.delete(id);
        if (dlcId !== undefined) {
          this.idsByDlcId.delete(dlcId);
          this.rfcomm.close(dlcId, t);
        }
      },
    );
    return true;
  }
}
