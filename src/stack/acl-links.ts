/**
 * The ACL links of one stack: which are up, which addresses are being paged and who waits for them,
 * and when an idle link is dropped (DESIGN.md "Layers and the way data flows"; Core v5.4 Vol 4
 * Part E §7.1.5 Create Connection, §7.1.6 Disconnect, §7.7.3 Connection Complete).
 *
 * Rules:
 * - An operation that needs a link calls `withLink`: an up link serves it at once; otherwise it waits,
 *   and the address is paged once however many operations wait for it.
 * - Connection Complete with status 0: `add`, then (after L2CAP and the user heard of it) `wake` runs
 *   the waiters. With a status ≠ 0: `pageFailed` fails them with the status's meaning.
 * - A link this stack paged (or any link once `shutdown` began) with no L2CAP channel and nobody
 *   waiting for it is disconnected (reason 0x13) after `linkIdleMs`; a channel opening cancels that.
 * - Disconnection Complete: `markLost` first (so that everything closing on it reads 'link-lost'),
 *   `remove` once L2CAP has closed its channels.
 */
import { TimerSet, type BdAddr } from '../core/index.js';
import type { HciHost } from '../hci/index.js';
import type { CloseDetail } from './events.js';

export interface Link {
  handle: number;
  address: BdAddr;
  initiator: boolean;
  /** L2CAP channels (local CIDs) on this link, any PSM. */
  channels: Set<number>;
  lost: boolean;
}

/** Something waiting for a link to `address` to come up. */
interface LinkWaiter {
  address: BdAddr;
  up(link: Link, now: number): void;
  /** The page failed (`detail.hciStatus`: the controller's status, when it gave one). */
  fail(message: string, detail: CloseDetail): void;
}

/** HCI Disconnect reasons (Core v5.4 Vol 1 Part F §1.3). */
const REMOTE_USER_TERMINATED = 0x13;
const POWER_OFF = 0x15;

export class AclLinks {
  private readonly links = new Map<number, Link>();
  private readonly paging = new Set<BdAddr>();
  private waiters: LinkWaiter[] = [];
  private readonly idleTimers = new TimerSet<number>();
  private shuttingDown = false;

  constructor(
    private readonly host: HciHost,
    private linkIdleMs: number,
  ) {}

  get size(): number {
    return this.links.size;
  }

  get(handle: number): Link | undefined {
    return this.links.get(handle);
  }

  /** Runs `up` on a link to `address`, paging it first if none is up; `fail` if the page fails. */
  withLink(address: BdAddr, now: number, up: (link: Link, now: number) => void, fail: (message: string, detail: CloseDetail) => void): void {
    for (const link of this.links.values()) {
      if (link.address === address && !link.lost) {
        this.idleTimers.clear(link.handle);
        up(link, now);
        return;
      }
    }
    this.waiters.push({ address, up, fail });
    if (!this.paging.has(address)) {
      this.paging.add(address);
      this.host.createConnection(address, now);
    }
  }

  /** A link came up; its waiters run on `wake`. */
  add(handle: number, address: BdAddr, initiator: boolean): Link {
    const link: Link = { handle, address, initiator, channels: new Set(), lost: false };
    this.links.set(handle, link);
    this.paging.delete(address);
    return link;
  }

  /** Runs what waited for `link`, then arms its idle timer if nothing uses it. */
  wake(link: Link, now: number): void {
    const ready = this.waiters.filter((w) => w.address === link.address);
    this.waiters = this.waiters.filter((w) => w.address !== link.address);
    for (const w of ready) w.up(link, now);
    this.armIdle(link, now);
  }

  pageFailed(address: BdAddr, status: number): void {
    this.paging.delete(address);
    const failed = this.waiters.filter((w) => w.address === address);
    this.waiters = this.waiters.filter((w) => w.address !== address);
    const message = `could not connect to ${address}: controller status 0x${status.toString(16).padStart(2, '0')} (${hciStatusHint(status)})`;
    for (const w of failed) w.fail(message, { hciStatus: status });
  }

  /** Handles of the links up now (a copy, safe to iterate while links go down). */
  handles(): number[] {
    return [...this.links.keys()];
  }

  /** Fails everything waiting for a page, with `message` (the controller will never answer). */
  failAllPages(message: string): void {
    const failed = this.waiters;
    this.waiters = [];
    this.paging.clear();
    for (const w of failed) w.fail(message, {});
  }

  /** The link is gone: marks it lost (it stays listed until `remove`). */
  markLost(handle: number): Link | undefined {
    const link = this.links.get(handle);
    if (!link) return undefined;
    link.lost = true;
    this.idleTimers.clear(handle);
    return link;
  }

  remove(handle: number): void {
    this.links.delete(handle);
  }

  /** An L2CAP channel opened on `handle`: the link is in use. */
  channelOpened(handle: number, cid: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    link.channels.add(cid);
    this.idleTimers.clear(link.handle);
  }

  /** An L2CAP channel closed or never opened: forgets it and returns its link. */
  channelClosed(cid: number): Link | undefined {
    for (const link of this.links.values()) {
      if (link.channels.has(cid)) {
        link.channels.delete(cid);
        return link;
      }
    }
    return undefined;
  }

  /** A link this stack paged (any link once shutting down) is dropped after `linkIdleMs` with nothing on it. */
  armIdle(link: Link, now: number): void {
    if ((link.initiator || this.shuttingDown) && this.isIdle(link)) this.idleTimers.set(link.handle, now + this.linkIdleMs);
  }

  nextDeadline(): number | undefined {
    return this.idleTimers.next();
  }

  /** Disconnects the links whose idle time ran out and that are still idle. */
  handleTimeout(now: number): void {
    for (const handle of this.idleTimers.expire(now)) {
      const link = this.links.get(handle);
      if (link && this.isIdle(link)) this.host.disconnect(handle, REMOTE_USER_TERMINATED, now);
    }
  }

  /** From now on every link is disconnected as soon as no channel uses it. */
  shutdown(now: number): void {
    this.shuttingDown = true;
    this.linkIdleMs = 0;
    for (const link of this.links.values()) this.armIdle(link, now);
  }

  /** Disconnects every link (the local device is powering off). */
  disconnectAll(now: number): void {
    for (const handle of this.links.keys()) this.host.disconnect(handle, POWER_OFF, now);
  }

  private isIdle(link: Link): boolean {
    return link.channels.size === 0 && !this.waiters.some((w) => w.address === link.address);
  }
}

/** A short reading of the HCI statuses a page most often ends with (Core v5.4 Vol 1 Part F). */
function hciStatusHint(status: number): string {
  switch (status) {
    case 0x04:
      return 'Page Timeout: the device did not answer; is it on, in range and connectable?';
    case 0x09:
      return 'Connection Limit Exceeded: the local controller holds as many links as it can; close one first';
    case 0x0b:
      return 'ACL Connection Already Exists';
    case 0x0d:
    case 0x0e:
    case 0x0f:
      return 'the remote device rejected the connection';
    default:
      return 'see the HCI status table';
  }
}
