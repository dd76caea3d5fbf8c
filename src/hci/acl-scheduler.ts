/**
 * Host → controller ACL flow control (Core v5.4 Vol 4 Part E §4.1.1, "Packet-based data flow
 * control"). The controller has `Total_Num_ACL_Data_Packets` buffers of `ACL_Data_Packet_Length`
 * octets (Read Buffer Size). The host may have at most that many ACL packets outstanding; Number
 * Of Completed Packets returns buffers per handle, and so does Disconnection Complete for every
 * packet still outstanding on that handle (§7.7.5).
 *
 * Rules:
 * - `poll()` hands out one fragment only while a buffer is free; links take turns one fragment at
 *   a time (round robin), so a bulk link cannot starve the others.
 * - `completed(handle, n)` ignores unknown handles and clamps n to what that handle has outstanding
 *   (both counted in `stats`), so a buggy controller cannot inflate the credit count.
 * - each link queues at most `maxQueuedBytes` octets of PDUs (default 4 MiB); `enqueue` refuses
 *   (returns false, `stats.overflows`) a PDU that would pass the cap, and any PDU for a handle it
 *   does not know (`stats.noLink`).
 * - fragments are at most `fragmentLength` octets: the controller's ACL_Data_Packet_Length, or
 *   the `aclFragmentSize` option when that is smaller (27..65535, `checkAclFragmentSize`).
 * - until `setBuffers` is called nothing is sent.
 */
import { BoundedQueue } from '../core/index.js';
import { aclFragment, aclFragmentCount, checkAclFragmentSize } from './acl-fragmenter.js';
import type { AclPacket } from './wire/acl.js';

export interface AclSchedulerOptions {
  /** Octets of queued PDUs per link (default 4 MiB). */
  readonly maxQueuedBytes?: number;
  /** Mark first fragments non-flushable (PB 0b00) instead of PB 0b10. */
  readonly nonFlushable?: boolean;
  /** Largest ACL data length per fragment, 27..65535; the controller's length caps it (default: no host limit). */
  readonly aclFragmentSize?: number;
}

export interface AclSchedulerStats {
  sent: number;
  completed: number;
  overflows: number;
  noLink: number;
  unknownHandleCompletions: number;
  overCompletions: number;
}

interface Link {
  readonly queue: BoundedQueue<Uint8Array>;
  queuedBytes: number;
  /** Index of the next fragment of the PDU at the head of the queue. */
  fragment: number;
  outstanding: number;
}

export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class AclScheduler {
  readonly maxQueuedBytes: number;
  /** The host's own fragment limit (`aclFragmentSize`), or undefined for none. */
  readonly aclFragmentSize: number | undefined;
  readonly stats: AclSchedulerStats = { sent: 0, completed: 0, overflows: 0, noLink: 0, unknownHandleCompletions: 0, overCompletions: 0 };
  private readonly nonFlushable: boolean;
  private readonly links = new Map<number, Link>();
  private order: number[] = [];
  private cursor = 0;
  private dataLength = 0;
  private total = 0;
  private inFlight = 0;

  constructor(options: AclSchedulerOptions = {}) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
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
    this.links.set(handle, { queue: new BoundedQueue(Number.MAX_SAFE_INTEGER), queuedBytes: 0, fragment: 0, outstanding: 0 });
    this.order.push(handle);
  }

  /** Drops the link's queue and gives back its outstanding buffers (the controller flushed them). */
  removeLink(handle: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    this.inFlight -= link.outstanding;
    this.links.delete(handle);
    const i = this.order.indexOf(handle);
    this.order.splice(i, 1);
    if (this.cursor > i) this.cursor--;
    if (this.cursor >= this.order.length) this.cursor = 0;
  }

  hasLink(handle: number): boolean {
    return this.links.has(handle);
  }

  queuedBytes(handle: number): number {
    return this.links.get(handle)?.queuedBytes ?? 0;
  }

  /** Queues a whole L2CAP PDU; false when the link is unknown or its queue would pass the cap. */
  enqueue(handle: number, pdu: Uint8Array): boolean {
    const link = this.links.get(handle);
    if (!link) {
      this.stats.noLink++;
      return false;
    }
    if (link.queuedBytes + pdu.length > this.maxQueuedBytes) {
      this.stats.overflows++;
      return false;
    }
    if (pdu.length === 0) return true;
    link.queue.push(pdu);
    link.queuedBytes += pdu.length;
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

  /** The next fragment to send, when a controller buffer is free and some link has data. */
  poll(): AclPacket | undefined {
    const size = this.fragmentLength;
    if (size === 0 || this.inFlight >= this.total) return undefined;
    for (let tried = 0; tried < this.order.length; tried++) {
      const handle = this.order[this.cursor];
      this.cursor = (this.cursor + 1) % this.order.length;
      const link = this.links.get(handle)!;
      const pdu = link.queue.peek();
      if (!pdu) continue;
      const packet = aclFragment(handle, pdu, size, link.fragment, this.nonFlushable);
      link.fragment++;
      if (link.fragment >= aclFragmentCount(pdu.length, size)) {
        link.queue.shift();
        link.queuedBytes -= pdu.length;
        link.fragment = 0;
      }
      link.outstanding++;
      this.inFlight++;
      this.stats.sent++;
      return packet;
    }
    return undefined;
  }
}
