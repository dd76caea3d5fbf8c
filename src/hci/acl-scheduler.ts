/**
 * Host → controller ACL flow control (Core v5.4 Vol 4 Part E §4.1.1, "Packet-based data flow
 * control") and the can-send-now token that carries it up to every producer (DESIGN.md rule 8).
 *
 * The controller has `Total_Num_ACL_Data_Packets` buffers of `ACL_Data_Packet_Length` octets (Read
 * Buffer Size). The host may have at most that many ACL packets outstanding; Number Of Completed
 * Packets returns buffers per handle, and so does Disconnection Complete for every packet still
 * outstanding on that handle (§7.7.5).
 *
 * Rules:
 * - Each link holds at most `maxQueuedPdus` PDUs (default 2) not yet handed to the controller in
 *   full: that is its room. A producer never puts a PDU on a link on its own: it asks with
 *   `requestSend(handle)`, and `nextSendable()` hands out one link at a time that asked and has
 *   room, in turn; the caller then produces one PDU for it (and asks again if it has more). So
 *   what the layers above produce waits in their own bounded queues, and nothing is ever dropped
 *   here: a full controller holds back the DLC, the SDP server, the signaling channel.
 * - `poll()` hands out one fragment only while a controller buffer is free; links with fragments
 *   take turns one fragment at a time (a ring), so a bulk link cannot starve the others, and the
 *   cost of a fragment does not depend on how many links exist.
 * - `completed(handle, n)` ignores unknown handles and clamps n to what that handle has outstanding
 *   (both counted in `stats`), so a buggy controller cannot inflate the credit count.
 * - fragments are at most `fragmentLength` octets: the controller's ACL_Data_Packet_Length, or
 *   the `aclFragmentSize` option when that is smaller (27..65535, `checkAclFragmentSize`). PDUs are
 *   laid out as fragments when allocated (`allocate`, an `AclTxPdu`).
 * - until `setBuffers` is called nothing is sent (and nothing can be allocated).
 */
import { ArgumentError, InvalidStateError, Ring } from '../core/index.js';
import { checkAclFragmentSize } from './acl-fragmenter.js';
import { AclTxPdu } from './acl-tx-pdu.js';

export interface AclSchedulerOptions {
  /** PDUs a link holds for the controller before it has no room (default 2). */
  readonly maxQueuedPdus?: number;
  /** Mark first fragments non-flushable (PB 0b00) instead of PB 0b10. */
  readonly nonFlushable?: boolean;
  /** Largest ACL data length per fragment, 27..65535; the controller's length caps it (default: no host limit). */
  readonly aclFragmentSize?: number;
}

export interface AclSchedulerStats {
  sent: number;
  completed: number;
  noLink: number;
  unknownHandleCompletions: number;
  overCompletions: number;
}

interface Link {
  readonly handle: number;
  readonly queue: AclTxPdu[];
  queuedBytes: number;
  /** Index of the next fragment of the PDU at the head of the queue. */
  fragment: number;
  outstanding: number;
  /** A producer asked to send on this link and has not been given its turn yet. */
  requested: boolean;
  /** In the ring of links that may send now. */
  inSendable: boolean;
  /** In the ring of links with fragments for the controller. */
  inFragments: boolean;
  removed: boolean;
}

export const DEFAULT_MAX_QUEUED_PDUS = 2;

export class AclScheduler {
  readonly maxQueuedPdus: number;
  /** The host's own fragment limit (`aclFragmentSize`), or undefined for none. */
  readonly aclFragmentSize: number | undefined;
  readonly stats: AclSchedulerStats = { sent: 0, completed: 0, noLink: 0, unknownHandleCompletions: 0, overCompletions: 0 };
  private readonly nonFlushable: boolean;
  private readonly links = new Map<number, Link>();
  private readonly sendable = new Ring<Link>();
  private readonly fragments = new Ring<Link>();
  private dataLength = 0;
  private total = 0;
  private inFlight = 0;

  constructor(options: AclSchedulerOptions = {}) {
    this.maxQueuedPdus = options.maxQueuedPdus ?? DEFAULT_MAX_QUEUED_PDUS;
    if (!Number.isInteger(this.maxQueuedPdus) || this.maxQueuedPdus < 1) throw new ArgumentError(`maxQueuedPdus must be a whole number ≥ 1, not ${this.maxQueuedPdus}`);
    this.nonFlushable = options.nonFlushable ?? false;
    this.aclFragmentSize = options.aclFragmentSize === undefined ? undefined : checkAclFragmentSize(options.aclFragmentSize);
  }

  /** The controller's ACL buffers (Read Buffer Size). */
  setBuffers(aclDataPacketLength: number, totalNumAclDataPackets: number): void {
    this.dataLength = aclDataPacketLength;
    this.total = totalNumAclDataPackets;
  }

  /** ACL_Data_Packet_Length as the controller announced it (0 before `setBuffers`). */
  get aclDataLength(): number {
    return this.dataLength;
  }
  /** The data length of every fragment but a PDU's last: min(controller's length, `aclFragmentSize`). */
  get fragmentLength(): number {
    return this.aclFragmentSize === undefined ? this.dataLength : Math.min(this.dataLength, this.aclFragmentSize);
  }
  get totalBuffers(): number {
    return this.total;
  }
  get freeBuffers(): number {
    return Math.max(0, this.total - this.inFlight);
  }
  get outstanding(): number {
    return this.inFlight;
  }

  addLink(handle: number): void {
    if (this.links.has(handle)) return;
    this.links.set(handle, { handle, queue: [], queuedBytes: 0, fragment: 0, outstanding: 0, requested: false, inSendable: false, inFragments: false, removed: false });
  }

  /** Drops the link's queue and gives back its outstanding buffers (the controller flushed them). */
  removeLink(handle: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    this.inFlight -= link.outstanding;
    link.removed = true;
    link.queue.length = 0;
    this.links.delete(handle);
  }

  hasLink(handle: number): boolean {
    return this.links.has(handle);
  }

  /** Octets of PDUs queued on the link and not yet handed to the controller in full. */
  queuedBytes(handle: number): number {
    return this.links.get(handle)?.queuedBytes ?? 0;
  }

  /** Whether the link can take another PDU now. */
  hasRoom(handle: number): boolean {
    const link = this.links.get(handle);
    return link !== undefined && link.queue.length < this.maxQueuedPdus;
  }

  /** A producer on the link has something to send: the link gets a turn from `nextSendable` once it has room. */
  requestSend(handle: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    link.requested = true;
    this.offerTurn(link);
  }

  /** The next link that asked to send and has room now (its request is then used up), or undefined. */
  nextSendable(): number | undefined {
    for (let link = this.sendable.shift(); link; link = this.sendable.shift()) {
      link.inSendable = false;
      if (link.removed || !link.requested) continue;
      if (link.queue.length >= this.maxQueuedPdus) continue;
      link.requested = false;
      return link.handle;
    }
    return undefined;
  }

  /** A PDU laid out in fragments for `handle`; write its octets, then `enqueue` it. */
  allocate(handle: number, length: number): AclTxPdu {
    const size = this.fragmentLength;
    if (size === 0) throw new InvalidStateError('no ACL buffers known yet: wait for the controller to be ready (Read Buffer Size)');
    return new AclTxPdu(handle, length, size, this.nonFlushable);
  }

  /** Queues a whole PDU on its link; false (counted) when the link is unknown. Never drops: callers send only on their turn. */
  enqueue(pdu: AclTxPdu): boolean {
    if (!pdu.complete) throw new ArgumentError(`an L2CAP PDU for handle 0x${pdu.handle.toString(16)} was queued before all its ${pdu.length} octets were written`);
    const link = this.links.get(pdu.handle);
    if (!link) {
      this.stats.noLink++;
      return false;
    }
    link.queue.push(pdu);
    link.queuedBytes += pdu.length;
    if (!link.inFragments) {
      link.inFragments = true;
      this.fragments.push(link);
    }
    return true;
  }

  /** Number Of Completed Packets for one handle. */
  completed(handle: number, count: number): void {
    const link = this.links.get(handle);
    if (!link) {
      this.stats.unknownHandleCompletions++;
      return;
    }
    const n = Math.min(count, link.outstanding);
    if (n < count) this.stats.overCompletions++;
    link.outstanding -= n;
    this.inFlight -= n;
    this.stats.completed += n;
  }

  /** The next fragment (a whole H4 ACL packet, a view) to send, when a buffer is free and some link has data. */
  poll(): Uint8Array | undefined {
    if (this.fragmentLength === 0 || this.inFlight >= this.total) return undefined;
    for (let link = this.fragments.shift(); link; link = this.fragments.shift()) {
      link.inFragments = false;
      const pdu = link.queue[0];
      if (link.removed || !pdu) continue;
      const bytes = pdu.fragment(link.fragment++);
      if (link.fragment >= pdu.fragments) {
        link.queue.shift();
        link.queuedBytes -= pdu.length;
        link.fragment = 0;
        this.offerTurn(link);
      }
      if (link.queue.length > 0) {
        link.inFragments = true;
        this.fragments.push(link);
      }
      link.outstanding++;
      this.inFlight++;
      this.stats.sent++;
      return bytes;
    }
    return undefined;
  }

  /** Puts a link that asked and has room in the ring of links that may send. */
  private offerTurn(link: Link): void {
    if (link.requested && !link.inSendable && link.queue.length < this.maxQueuedPdus) {
      link.inSendable = true;
      this.sendable.push(link);
    }
  }
}
