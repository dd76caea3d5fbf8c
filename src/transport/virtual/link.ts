/**
 * The "air" between virtual controllers: a registry by BD_ADDR through which controllers page,
 * inquire and carry ACL data, with fault injection for tests:
 * - `dropNextAcl(n)`: the next n ACL packets put on the air are lost;
 * - `setDropRate(p)`: each ACL packet is lost with probability p, decided by a PRNG seeded from the
 *   link's `seed` (reproducible, no Math.random);
 * - `setDelay(ms)`: ACL packets arrive ms later than sent (order kept);
 * - `loseConnection(a, b, now)`: the ACL link between a and b ends as by supervision timeout: both
 *   hosts get Disconnection Complete with reason Connection Timeout (0x08).
 * A lost packet is still "sent" for its sender (Number Of Completed Packets counts it); only the
 * receiver misses it, as after a baseband failure. The link holds no clock: every call carries `now`.
 */
import { ArgumentError, parseBdAddr, type BdAddr } from '../../core/index.js';
import { HCI_STATUS } from '../../hci/index.js';
import type { VirtualController } from './controller.js';
import { Prng } from './prng.js';

export interface VirtualLinkOptions {
  /** Seed of the PRNG behind drop decisions, numeric comparison values, passkeys and link keys. */
  seed?: number;
}

export interface VirtualLinkStats {
  aclCarried: number;
  aclDropped: number;
}

/** Addresses the link hands out: 00:AA:01:01:00:01, …:02, … */
const ADDRESS_PREFIX = '00:AA:01:01';

export class VirtualLink {
  readonly prng: Prng;
  readonly stats: VirtualLinkStats = { aclCarried: 0, aclDropped: 0 };
  private readonly controllers = new Map<BdAddr, VirtualController>();
  private readonly indices = new Map<VirtualController, number>();
  private attachedCount = 0;
  private dropNext = 0;
  private dropRate = 0;
  private delayMs = 0;

  constructor(options: VirtualLinkOptions = {}) {
    this.prng = new Prng(options.seed ?? 0x5eed);
  }

  /** Registers a controller (done by its constructor). */
  attach(controller: VirtualController): void {
    if (this.controllers.has(controller.address)) {
      throw new ArgumentError(`a virtual controller with address ${controller.address} is already on this link`);
    }
    this.controllers.set(controller.address, controller);
    this.indices.set(controller, this.attachedCount++);
  }

  detach(controller: VirtualController): void {
    if (this.controllers.get(controller.address) === controller) this.controllers.delete(controller.address);
  }

  find(address: BdAddr): VirtualController | undefined {
    return this.controllers.get(address);
  }

  /** Every attached controller, in attach order. */
  all(): VirtualController[] {
    return [...this.controllers.values()];
  }

  /** The order in which a controller attached (spreads connection handles between controllers). */
  indexOf(controller: VirtualController): number {
    return this.indices.get(controller) ?? 0;
  }

  /** The lowest free `00:AA:01:01:HH:LL`, starting at …:00:01. */
  allocateAddress(): BdAddr {
    for (let n = 1; n <= 0xffff; n++) {
      const a = parseBdAddr(`${ADDRESS_PREFIX}:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`);
      if (!this.controllers.has(a)) return a;
    }
    throw new ArgumentError('no free virtual address left on this link');
  }

  // ---- faults ----

  dropNextAcl(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new ArgumentError(`dropNextAcl needs a count ≥ 0, not ${count}`);
    this.dropNext = count;
  }

  setDropRate(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new ArgumentError(`drop rate ${probability} is outside 0..1`);
    this.dropRate = probability;
  }

  setDelay(ms: number): void {
    if (!(ms >= 0)) throw new ArgumentError(`delay ${ms} ms is negative`);
    this.delayMs = ms;
  }

  /** Ends the ACL link between two controllers as a supervision timeout would. False when there was none. */
  loseConnection(a: BdAddr, b: BdAddr, now: number): boolean {
    const ca = this.find(parseBdAddr(a));
    const cb = this.find(parseBdAddr(b));
    if (!ca || !cb || !ca.connections.connectionTo(cb.address)) return false;
    ca.connections.remoteDisconnected(cb.address, HCI_STATUS.CONNECTION_TIMEOUT, now);
    cb.connections.remoteDisconnected(ca.address, HCI_STATUS.CONNECTION_TIMEOUT, now);
    return true;
  }

  // ---- used by controllers ----

  /** Puts one ACL packet on the air from `from` to `to`, subject to the faults. */
  carryAcl(from: VirtualController, to: VirtualController, pb: number, data: Uint8Array, now: number): void {
    if (this.dropNext > 0) {
      this.dropNext--;
      this.stats.aclDropped++;
      return;
    }
    if (this.dropRate > 0 && this.prng.next() < this.dropRate) {
      this.stats.aclDropped++;
      return;
    }
    this.stats.aclCarried++;
    if (this.delayMs === 0) to.receiveAir(from.address, pb, data, now);
    else to.deliver(now + this.delayMs, now, (t) => to.receiveAir(from.address, pb, data, t));
  }
}
