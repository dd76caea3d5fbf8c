/**
 * ACL connections of one virtual controller (Core v5.4 Vol 4 Part E §7.1.5–7.1.9, §7.1.6,
 * §7.7.3–7.7.5, §7.7.19, §4.1 for data flow):
 *
 * | host command / air input          | this host gets                         | the peer's host gets             |
 * |-----------------------------------|----------------------------------------|----------------------------------|
 * | Create Connection, peer page-scans| Command Status 0x00                    | Connection Request               |
 * | … peer absent or not page-scanning| Connection Complete 0x04 after page timeout |                              |
 * | … this controller at its limit    | Command Status 0x00, Connection Complete 0x09 (Connection Limit Exceeded) |   |
 * | … the peer at its limit           | Connection Complete 0x0D (rejected, limited resources) | nothing             |
 * | Accept Connection Request (peer)  | Connection Complete 0x00               | Command Status, Connection Complete 0x00 |
 * | Reject Connection Request (peer)  | Connection Complete with the reason    | Command Status, Connection Complete with the reason |
 * | peer host silent for accept timeout | Connection Complete 0x10             | Connection Complete 0x10         |
 * | Create Connection Cancel          | Command Complete, Connection Complete 0x02 | Connection Complete 0x02 (when it had a request) |
 * | Disconnect(reason)                | Command Status, Disconnection Complete 0x16 | Disconnection Complete(reason) |
 * | ACL data                          | Number Of Completed Packets when sent  | the data, split to Host Buffer Size |
 *
 * Handles: the whole 12-bit space a connection handle may take (0x000..0xEFF, Vol 4 Part E §5.4.2),
 * each controller starting at its own offset so that two controllers rarely share one; a
 * controller holds at most `maxConnections` links (default: every handle), and a handle is reused
 * only after its link ended. Buffers: at most `aclCount` packets wait for transmission; one more is
 * dropped with Data Buffer Overflow. After a Disconnection Complete the host's packets for that handle count as completed
 * (no Number Of Completed Packets follows for them, §7.7.5). A packet sent as "first" (PB 0b00 or
 * 0b10) reaches the peer's host as 0b10, a continuation (0b01) as 0b01.
 */
import type { BdAddr } from '../../core/index.js';
import { HCI_STATUS, LINK_TYPE, MAX_CONNECTION_HANDLE, SCAN_ENABLE } from '../../hci/index.js';
import { LINK_KEY_TYPE } from '../../security/index.js';
import { EVT, SLOT_MS } from './constants.js';
import type { VirtualController } from './controller.js';
import { addr, le16, le24, pack } from './h4.js';
import { PairingSession, type PairingEnd, type PairingResult, type PairingSide } from './pairing.js';

export interface Connection {
  readonly handle: number;
  readonly peer: BdAddr;
  readonly initiator: boolean;
  linkKey: Uint8Array | undefined;
  keyType: number | undefined;
  /** Encryption_Enabled: 0 off, 1 E0, 2 AES-CCM. */
  encryption: number;
  pairing: PairingSession | undefined;
}

interface QueuedAcl {
  readonly handle: number;
  readonly pb: number;
  readonly data: Uint8Array;
}

/** Reasons Disconnect accepts (§7.1.6). */
const DISCONNECT_REASONS = new Set([0x05, 0x13, 0x14, 0x15, 0x1a, 0x29, 0x3b]);
/** Connection handles a controller may assign: 0x000..0xEFF. */
const HANDLE_SPACE = MAX_CONNECTION_HANDLE + 1;


export class ConnectionManager {
  private readonly byHandle = new Map<number, Connection>();
  /** The same links by peer address (one link per peer), looked up for every packet from the air. */
  private readonly byPeer = new Map<BdAddr, Connection>();
  private page: { target: BdAddr; timer: number | undefined } | undefined;
  private readonly incoming = new Map<BdAddr, { from: VirtualController; timer: number }>();
  private tx: QueuedAcl[] = [];
  /** The batch sent last time, reused as the next queue (a packet's worth of garbage less per transmit). */
  private sent: QueuedAcl[] = [];
  /**
   * The handles of one transmission and how many packets each sent, in order of first packet:
   * `[0, completed)` of two arrays that keep their storage, not a Map cleared per transmission
   * (clearing a Map gives it a new table each time, and one round trip in seven of the echo
   * benchmark paid ≈8 µs for it; emptying an array by length drops its storage likewise).
   */
  private readonly completedHandles: number[] = [];
  private readonly completedCounts: number[] = [];
  private completed = 0;
  private readonly transmitNow = (now: number): void => this.transmit(now);
  private txTimer: number | undefined;
  /** Where the search for a free handle starts: after the last one given (set at the first link). */
  private nextHandle: number | undefined;

  constructor(private readonly c: VirtualController) {}

  /** True when this controller holds as many links as it may. */
  get full(): boolean {
    return this.byHandle.size >= this.c.maxConnections;
  }

  get all(): Connection[] {
    return [...this.byHandle.values()];
  }
  get(handle: number): Connection | undefined {
    return this.byHandle.get(handle);
  }
  connectionTo(peer: BdAddr): Connection | undefined {
    return this.byPeer.get(peer);
  }
  /** ACL buffers the host currently occupies. */
  get buffersInUse(): number {
    return this.tx.length;
  }

  // ---- paging ----

  createConnection(op: number, target: BdAddr, now: number): void {
    if (this.page) return this.c.status(HCI_STATUS.COMMAND_DISALLOWED, op);
    if (this.connectionTo(target)) return this.c.status(HCI_STATUS.CONNECTION_ALREADY_EXISTS, op);
    if (target === this.c.address) return this.c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    if (this.full) return this.connectionComplete(HCI_STATUS.CONNECTION_LIMIT_EXCEEDED, 0, target);
    this.page = { target, timer: undefined };
    const peer = this.c.link.find(target);
    if (peer && peer.connections.incomingPage(this.c, now)) return;
    const timeout = this.c.scaled(this.c.settings.pageTimeoutSlots * SLOT_MS);
    this.page.timer = this.c.schedule(now + timeout, (t) => this.pageFailed(target, HCI_STATUS.PAGE_TIMEOUT, t));
  }

  cancelCreateConnection(op: number, target: BdAddr, now: number): void {
    if (this.connectionTo(target)) return this.c.complete(op, HCI_STATUS.CONNECTION_ALREADY_EXISTS, addr(target));
    if (!this.page || this.page.target !== target) return this.c.complete(op, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, addr(target));
    this.c.complete(op, HCI_STATUS.SUCCESS, addr(target));
    this.c.link.find(target)?.connections.pageWithdrawn(this.c.address, now);
    this.pageFailed(target, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, now);
  }

  acceptConnection(op: number, from: BdAddr, now: number): void {
    const pending = this.incoming.get(from);
    if (!pending) return this.c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    this.establish(from, now);
  }

  rejectConnection(op: number, from: BdAddr, reason: number, now: number): void {
    const pending = this.incoming.get(from);
    if (!pending) return this.c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
    if (reason < 0x0d || reason > 0x0f) return this.c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    this.refuse(from, reason, now);
  }

  /** A peer pages us. False when we do not answer (not page-scanning, already linked or paged). */
  incomingPage(from: VirtualController, now: number): boolean {
    if (!(this.c.settings.scanEnable & SCAN_ENABLE.PAGE)) return false;
    if (this.connectionTo(from.address) || this.incoming.has(from.address)) return false;
    if (this.full) {
      // No room for another link: the link manager refuses without asking our host.
      from.connections.pageFailed(this.c.address, HCI_STATUS.CONNECTION_REJECTED_LIMITED_RESOURCES, now);
      return true;
    }
    const timeout = this.c.settings.acceptTimeoutSlots * SLOT_MS;
    const timer = this.c.schedule(now + timeout, (t) => this.refuse(from.address, HCI_STATUS.CONNECTION_ACCEPT_TIMEOUT_EXCEEDED, t));
    this.incoming.set(from.address, { from, timer });
    if (this.c.settings.autoAccept) {
      this.establish(from.address, now);
    } else {
      this.c.event(EVT.CONNECTION_REQUEST, pack(addr(from.address), le24(from.settings.classOfDevice), LINK_TYPE.ACL));
    }
    return true;
  }

  /** The paging peer cancelled. */
  pageWithdrawn(from: BdAddr, _now: number): void {
    const pending = this.incoming.get(from);
    if (!pending) return;
    this.c.scheduler.cancel(pending.timer);
    this.incoming.delete(from);
    this.connectionComplete(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, 0, from);
  }

  /** Our page to `target` succeeded: the peer's host accepted. */
  pageAccepted(target: BdAddr, _now: number): void {
    if (!this.page || this.page.target !== target) return;
    this.c.scheduler.cancel(this.page.timer);
    this.page = undefined;
    const conn = this.add(target, true);
    if (conn) this.connectionComplete(HCI_STATUS.SUCCESS, conn.handle, target);
    else this.connectionComplete(HCI_STATUS.CONNECTION_LIMIT_EXCEEDED, 0, target);
  }

  /** Our page to `target` ended without a link. */
  pageFailed(target: BdAddr, status: number, _now: number): void {
    if (!this.page || this.page.target !== target) return;
    this.c.scheduler.cancel(this.page.timer);
    this.page = undefined;
    this.connectionComplete(status, 0, target);
  }

  private establish(from: BdAddr, now: number): void {
    const pending = this.incoming.get(from);
    if (!pending) return;
    this.c.scheduler.cancel(pending.timer);
    this.incoming.delete(from);
    const conn = this.add(from, false);
    if (!conn) {
      // Our host accepted, but the last free handle went meanwhile.
      this.connectionComplete(HCI_STATUS.CONNECTION_LIMIT_EXCEEDED, 0, from);
      pending.from.connections.pageFailed(this.c.address, HCI_STATUS.CONNECTION_REJECTED_LIMITED_RESOURCES, now);
      return;
    }
    pending.from.connections.pageAccepted(this.c.address, now);
    if (!pending.from.connections.connectionTo(this.c.address)) {
      this.byHandle.delete(conn.handle);
      this.byPeer.delete(conn.peer);
      return;
    }
    this.connectionComplete(HCI_STATUS.SUCCESS, conn.handle, from);
  }

  private refuse(from: BdAddr, status: number, now: number): void {
    const pending = this.incoming.get(from);
    if (!pending) return;
    this.c.scheduler.cancel(pending.timer);
    this.incoming.delete(from);
    this.connectionComplete(status, 0, from);
    pending.from.connections.pageFailed(this.c.address, status, now);
  }

  private connectionComplete(status: number, handle: number, peer: BdAddr): void {
    this.c.event(EVT.CONNECTION_COMPLETE, pack(status, le16(handle), addr(peer), LINK_TYPE.ACL, 0));
  }

  /** A new link, or undefined when no handle is free (then the controller is at its limit). */
  private add(peer: BdAddr, initiator: boolean): Connection | undefined {
    const handle = this.allocateHandle();
    if (handle === undefined) return undefined;
    const conn: Connection = { handle, peer, initiator, linkKey: undefined, keyType: undefined, encryption: 0, pairing: undefined };
    this.byHandle.set(conn.handle, conn);
    this.byPeer.set(peer, conn);
    return conn;
  }

  /** The next free handle after the last one given, over 0x000..0xEFF; undefined when all are taken. */
  private allocateHandle(): number | undefined {
    if (this.full) return undefined;
    // Each controller starts at its own 0x100 block (by attach order), so two rarely share a handle.
    const start = (this.nextHandle ??= 1 + (this.c.link.indexOf(this.c) % 14) * 0x100);
    for (let i = 0; i < HANDLE_SPACE; i++) {
      const h = (start + i) % HANDLE_SPACE;
      if (!this.byHandle.has(h)) {
        this.nextHandle = (h + 1) % HANDLE_SPACE;
        return h;
      }
    }
    return undefined;
  }

  // ---- disconnection ----

  disconnect(op: number, handle: number, reason: number, now: number): void {
    const conn = this.byHandle.get(handle);
    if (!conn) return this.c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
    if (!DISCONNECT_REASONS.has(reason)) return this.c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    this.flush(handle, now);
    this.remove(conn);
    this.c.event(EVT.DISCONNECTION_COMPLETE, pack(HCI_STATUS.SUCCESS, le16(handle), HCI_STATUS.CONNECTION_TERMINATED_BY_LOCAL_HOST));
    this.c.link.find(conn.peer)?.connections.remoteDisconnected(this.c.address, reason, now);
  }

  /** The link to `peer` ended from the other side (or was lost) with `reason`. */
  remoteDisconnected(peer: BdAddr, reason: number, _now: number): void {
    const conn = this.connectionTo(peer);
    if (!conn) return;
    this.remove(conn);
    this.c.event(EVT.DISCONNECTION_COMPLETE, pack(HCI_STATUS.SUCCESS, le16(conn.handle), reason));
  }

  /** Reset or power-off: every link and page ends; peers get `reasonForPeers`, our host nothing. */
  dropAll(now: number, reasonForPeers: number): void {
    const conns = this.all;
    this.byHandle.clear();
    this.byPeer.clear();
    this.tx.length = 0;
    this.txTimer = undefined;
    for (const conn of conns) this.c.link.find(conn.peer)?.connections.remoteDisconnected(this.c.address, reasonForPeers, now);
    if (this.page) this.c.link.find(this.page.target)?.connections.pageWithdrawn(this.c.address, now);
    this.page = undefined;
    const incoming = [...this.incoming.values()];
    this.incoming.clear();
    for (const p of incoming) p.from.connections.pageFailed(this.c.address, HCI_STATUS.PAGE_TIMEOUT, now);
  }

  private remove(conn: Connection): void {
    this.byHandle.delete(conn.handle);
    this.byPeer.delete(conn.peer);
    conn.pairing = undefined;
    for (let i = this.tx.length - 1; i >= 0; i--) if (this.tx[i].handle === conn.handle) this.tx.splice(i, 1);
  }

  // ---- ACL data ----

  hostAcl(handle: number, pb: number, data: Uint8Array, now: number): void {
    if (!this.byHandle.has(handle)) {
      this.c.stats.droppedAclUnknownHandle++;
      return;
    }
    if (data.length > this.c.aclSize) {
      this.c.stats.droppedAclOversized++;
      return;
    }
    if (this.tx.length >= this.c.aclCount) {
      this.c.stats.dataBufferOverflows++;
      this.c.event(EVT.DATA_BUFFER_OVERFLOW, pack(LINK_TYPE.ACL));
      return;
    }
    this.tx.push({ handle, pb, data });
    if (this.txTimer === undefined) this.txTimer = this.c.schedule(now + this.c.aclAirTimeMs, this.transmitNow);
  }

  /** Sends every queued packet and returns the buffers with Number Of Completed Packets. */
  private transmit(now: number): void {
    this.txTimer = undefined;
    const batch = this.tx;
    this.tx = this.sent;
    this.sent = batch;
    const handles = this.completedHandles;
    const counts = this.completedCounts;
    for (const p of batch) {
      this.send(p, now);
      let i = 0;
      while (i < this.completed && handles[i] !== p.handle) i++;
      if (i < this.completed) counts[i]++;
      else {
        handles[i] = p.handle;
        counts[i] = 1;
        this.completed++;
      }
    }
    // Popped, not emptied by length: the array keeps its storage for the next queue.
    while (batch.length > 0) batch.pop();
    for (let i = 0; i < this.completed; i++) {
      if (this.byHandle.has(handles[i])) this.c.completedPackets(handles[i], counts[i]);
    }
    this.completed = 0;
  }

  /** Sends a handle's queued packets before it disconnects (no completion reported). */
  private flush(handle: number, now: number): void {
    for (let i = 0; i < this.tx.length; ) {
      if (this.tx[i].handle === handle) this.send(this.tx.splice(i, 1)[0], now);
      else i++;
    }
  }

  private send(p: QueuedAcl, now: number): void {
    const conn = this.byHandle.get(p.handle);
    const peer = conn && this.c.link.find(conn.peer);
    if (peer) this.c.link.carryAcl(this.c, peer, p.pb, p.data, now);
  }

  /** ACL data from `from` over the air, split to the host's ACL length when it set one. */
  airAcl(from: BdAddr, pb: number, data: Uint8Array, _now: number): void {
    const conn = this.connectionTo(from);
    if (!conn) return;
    const first = pb === 0b01 ? 0b01 : 0b10;
    const limit = this.c.settings.hostAclLength ?? data.length;
    if (data.length <= limit || limit <= 0) return this.c.acl(conn.handle, first, data);
    for (let off = 0; off < data.length; off += limit) {
      this.c.acl(conn.handle, off === 0 ? first : 0b01, data.subarray(off, Math.min(off + limit, data.length)));
    }
  }

  // ---- security ----

  authenticate(op: number, handle: number, _now: number): void {
    const conn = this.byHandle.get(handle);
    if (!conn) return this.c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
    const peer = this.c.link.find(conn.peer);
    const peerConn = peer?.connections.connectionTo(this.c.address);
    if (!peer || !peerConn || conn.pairing || peerConn.pairing) return this.c.status(HCI_STATUS.COMMAND_DISALLOWED, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    const session = new PairingSession(endOf(this.c, conn), endOf(peer, peerConn), this.c.link.prng, (r) => {
      finishPairing(conn, r);
      finishPairing(peerConn, r);
    });
    conn.pairing = session;
    peerConn.pairing = session;
    session.start();
  }

  /** The pairing with `peer` and our side in it, for the host's replies. */
  pairingWith(peer: BdAddr): { session: PairingSession; side: PairingSide } | undefined {
    const conn = this.connectionTo(peer);
    if (!conn?.pairing) return undefined;
    return { session: conn.pairing, side: conn.pairing.sideOf(this.c.address) };
  }

  setEncryption(op: number, handle: number, enable: number, _now: number): void {
    const conn = this.byHandle.get(handle);
    if (!conn) return this.c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
    if (enable > 1) return this.c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
    const peer = this.c.link.find(conn.peer);
    const peerConn = peer?.connections.connectionTo(this.c.address);
    if (!peer || !peerConn || conn.pairing || !conn.linkKey) return this.c.status(HCI_STATUS.COMMAND_DISALLOWED, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    const p256 = conn.keyType === LINK_KEY_TYPE.AUTHENTICATED_COMBINATION_KEY_P256 || conn.keyType === LINK_KEY_TYPE.UNAUTHENTICATED_COMBINATION_KEY_P256;
    const mode = enable ? (p256 ? 0x02 : 0x01) : 0x00;
    conn.encryption = mode;
    peerConn.encryption = mode;
    this.c.event(EVT.ENCRYPTION_CHANGE, pack(HCI_STATUS.SUCCESS, le16(conn.handle), mode));
    peer.event(EVT.ENCRYPTION_CHANGE, pack(HCI_STATUS.SUCCESS, le16(peerConn.handle), mode));
  }
}

function endOf(c: VirtualController, conn: Connection): PairingEnd {
  return {
    address: c.address,
    handle: conn.handle,
    sspHost: c.settings.sspMode,
    scHost: c.settings.scHost,
    emit: (code, params) => c.event(code, params),
  };
}

function finishPairing(conn: Connection, r: PairingResult): void {
  conn.pairing = undefined;
  if (r.status === HCI_STATUS.SUCCESS && r.key) {
    conn.linkKey = r.key;
    conn.keyType = r.keyType;
  }
}
