/**
 * The RFCOMM sessions of the stack: at most one L2CAP channel on PSM 3 per link that this stack
 * opens, each carrying one RfcommManager session (multiplexer) named by the channel's local CID
 * (RFCOMM 1.2 §5; docs/layers.md "RFCOMM"). A peer may open its own session on the same link; it is
 * served, but our DLCs go on the first session the link got.
 *
 * Rules: a DLC asked for before its session is open waits in the session's `waiting` list (RfcommDlcs
 * starts them from `opened`); the session's L2CAP channel closing takes the session down
 * (`sessionDown`) and hands the waiting list back through `closed`.
 */
import type { L2capManager } from '../l2cap/index.js';
import type { RfcommManager } from '../rfcomm/index.js';
import type { Link } from './acl-links.js';
import { PSM_RFCOMM } from './psm.js';

export interface RfcommSession {
  readonly handle: number;
  readonly cid: number;
  open: boolean;
  /** DLCs (stack id, server channel) to start once the session is open. */
  waiting: { id: number; channel: number }[];
}

export class RfcommSessions {
  private readonly byHandle = new Map<number, RfcommSession>();
  private readonly byCid = new Map<number, RfcommSession>();

  constructor(
    private readonly l2cap: L2capManager,
    private readonly rfcomm: RfcommManager,
    /** The MTU our RFCOMM sessions offer (the PSM 3 registration's, for the ones we open too). */
    private readonly mtu: () => number | undefined,
  ) {}

  get(cid: number): RfcommSession | undefined {
    return this.byCid.get(cid);
  }

  /** The session our DLCs on `link` use, connecting its L2CAP channel (PSM 3) if there is none. */
  ofLink(link: Link, now: number): RfcommSession {
    let session = this.byHandle.get(link.handle);
    if (!session) {
      const mtu = this.mtu();
      const cid = this.l2cap.connect(link.handle, PSM_RFCOMM, mtu === undefined ? {} : { mtu }, now);
      session = { handle: link.handle, cid, open: false, waiting: [] };
      this.byHandle.set(link.handle, session);
      this.byCid.set(cid, session);
      link.channels.add(cid);
    }
    return session;
  }

  /** The L2CAP channel of a session (ours or the peer's) opened: starts RFCOMM on it, `l2capMtu`
   * being the smaller of the channel's two MTUs, and returns the DLCs that waited for it. */
  opened(cid: number, handle: number, initiator: boolean, l2capMtu: number, now: number): { id: number; channel: number }[] {
    let session = this.byCid.get(cid);
    if (!session) {
      session = { handle, cid, open: false, waiting: [] };
      this.byCid.set(cid, session);
      if (!this.byHandle.has(handle)) this.byHandle.set(handle, session);
    }
    session.open = true;
    this.rfcomm.sessionUp(cid, { initiator, l2capMtu }, now);
    const waiting = session.waiting;
    session.waiting = [];
    return waiting;
  }

  /** An SDU on L2CAP channel `cid`: true when it belongs to a session (and went to RFCOMM). */
  receive(cid: number, sdu: Uint8Array, now: number): boolean {
    if (!this.byCid.has(cid)) return false;
    this.rfcomm.receive(cid, sdu, now);
    return true;
  }

  /** A PDU for L2CAP channel `cid` on link `handle` was cut short on the way (`head`: its first SDU octets): true when a session rides on it (and RFCOMM heard of it). */
  frameLost(handle: number, cid: number, head: Uint8Array, now: number): boolean {
    if (this.byCid.get(cid)?.handle !== handle) return false;
    this.rfcomm.frameLost(cid, head, now);
    return true;
  }

  /** RFCOMM closed the session (DISC on DLCI 0 done): disconnects its L2CAP channel. */
  disconnect(cid: number, now: number): void {
    const session = this.byCid.get(cid);
    if (session) this.l2cap.disconnect(session.cid, now);
  }

  /** The session's L2CAP channel closed or never opened: takes the session down and returns it. */
  closed(cid: number, now: number): RfcommSession | undefined {
    const session = this.byCid.get(cid);
    if (!session) return undefined;
    this.byCid.delete(cid);
    if (this.byHandle.get(session.handle) === session) this.byHandle.delete(session.handle);
    if (session.open) this.rfcomm.sessionDown(cid, now);
    return session;
  }
}
