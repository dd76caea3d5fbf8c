/**
 * Raw L2CAP channels: connection-oriented channels on any PSM other than SDP and RFCOMM, handed to
 * the user SDU by SDU under stack-level ids (Core v5.4 Vol 3 Part A §3.1, §4.2 and §4.3; the events
 * in src/stack/events.ts). Every channel ends with exactly one 'l2cap-closed'.
 *
 * Backpressure: basic-mode L2CAP has no flow control of its own, so what limits a sender is the
 * controller. An SDU waits in its L2CAP channel until the link has room toward the controller
 * (l2cap/output.ts); `send` refuses (false, nothing queued) while the channel holds
 * `l2capSendBufferBytes` or more, and 'l2cap-writable' follows once it drained to half.
 */
import { InvalidStateError, type BdAddr } from '../core/index.js';
import type { L2capManager } from '../l2cap/index.js';
import type { Link } from './acl-links.js';
import type { EventQueue } from './event-queue.js';
import type { CloseDetail, L2capCloseReason } from './events.js';

interface RawChannel {
  cid?: number;
  /** The ACL link, once the channel was asked for on it. */
  handle?: number;
  address: BdAddr;
  psm: number;
}

export class L2capRawChannels {
  private readonly byId = new Map<number, RawChannel>();
  private readonly idsByCid = new Map<number, number>();

  constructor(
    private readonly l2cap: L2capManager,
    private readonly events: EventQueue,
    private readonly newId: () => number,
  ) {}

  /** Accepts connections on `psm` (0 allocates a dynamic PSM); returns the PSM. */
  listen(psm: number, mtu?: number): number {
    const p = psm === 0 ? this.l2cap.allocatePsm() : psm;
    this.l2cap.registerPsm(p, mtu ? { mtu } : {});
    return p;
  }

  unlisten(psm: number): void {
    this.l2cap.unregisterPsm(psm);
  }

  /** An outgoing channel to `psm` on `address`: its id, answered later by 'l2cap-open' or 'l2cap-closed'. */
  create(address: BdAddr, psm: number): number {
    const id = this.newId();
    this.byId.set(id, { address, psm });
    return id;
  }

  /** The link is up and secure: sends the Connection Request. */
  open(link: Link, id: number, psm: number, mtu: number | undefined, now: number): void {
    if (!this.byId.has(id) || link.lost) return;
    const cid = this.l2cap.connect(link.handle, psm, mtu ? { mtu } : {}, now);
    Object.assign(this.byId.get(id)!, { cid, handle: link.handle });
    this.idsByCid.set(cid, id);
    link.channels.add(cid);
  }

  /** Queues one SDU; false (nothing queued, 'l2cap-writable' to follow) while the channel's queue is full. */
  send(id: number, sdu: Uint8Array): boolean {
    const raw = this.byId.get(id);
    if (raw?.cid === undefined || raw.handle === undefined) throw new InvalidStateError(`L2CAP channel ${id} is not open`);
    return this.l2cap.send(raw.cid, sdu);
  }

  /** L2CAP channel `cid` has room again after a refused `send`. */
  writable(cid: number): void {
    const id = this.idsByCid.get(cid);
    if (id !== undefined) this.events.push({ type: 'l2cap-writable', id });
  }

  /** Closes the channel (Disconnection Request once connected, else 'l2cap-closed' at once); false when there is no such channel. */
  close(id: number, now: number): boolean {
    const raw = this.byId.get(id);
    if (!raw) return false;
    if (raw.cid !== undefined) this.l2cap.disconnect(raw.cid, now);
    else this.fail(id, 'local', 'closed before the channel opened');
    return true;
  }

  /** Ends the channel: forgets it and reports 'l2cap-closed'. */
  fail(id: number, reason: L2capCloseReason, message: string, detail: CloseDetail = {}): void {
    const raw = this.byId.get(id);
    if (!raw) return;
    this.byId.delete(id);
    if (raw.cid !== undefined) this.idsByCid.delete(raw.cid);
    this.events.push({ type: 'l2cap-closed', id, reason, message, ...detail });
  }

  /** A channel on a raw PSM opened (ours, or the peer's, which gets its id here). */
  opened(cid: number, handle: number, address: BdAddr, psm: number, initiator: boolean, remoteMtu: number, localMtu: number): void {
    let id = this.idsByCid.get(cid);
    if (id === undefined) {
      id = this.newId();
      this.byId.set(id, { cid, handle, address, psm });
      this.idsByCid.set(cid, id);
    }
    this.events.push({ type: 'l2cap-open', id, address, psm, incoming: !initiator, remoteMtu, localMtu });
  }

  /** An SDU on L2CAP channel `cid`: reported as 'l2cap-data' when the channel is a raw one. */
  receive(cid: number, sdu: Uint8Array): void {
    const id = this.idsByCid.get(cid);
    if (id !== undefined) this.events.push({ type: 'l2cap-data', id, sdu });
  }

  /** An SDU of `length` octets for channel `cid` on link `handle` was dropped on the way: reported as 'l2cap-dropped' when that is a raw channel. */
  dropped(handle: number, cid: number, length: number, message: string): void {
    const id = this.idsByCid.get(cid);
    if (id !== undefined && this.byId.get(id)?.handle === handle) this.events.push({ type: 'l2cap-dropped', id, bytes: length, message: `an SDU of ${length} byte(s) was lost on the way (${message})` });
  }

  /** The L2CAP channel `cid` closed or never opened: ends the raw channel on it, if any. */
  closed(cid: number, reason: L2capCloseReason, message: string, detail: CloseDetail): void {
    const id = this.idsByCid.get(cid);
    if (id !== undefined) this.fail(id, reason, message, detail);
  }
}
