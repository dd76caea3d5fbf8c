/**
 * Remote Name Request (Core v5.4 Vol 4 Part E §7.1.19, §7.1.20; event §7.7.7). After Command Status
 * the name arrives a simulated 20 ms × timeScale later when the peer page-scans or is connected to
 * us; otherwise Remote Name Request Complete says Page Timeout (0x04) after the page timeout. Cancel
 * ends a pending request with Unknown Connection Identifier (0x02).
 */
import type { BdAddr } from '../../core/index.js';
import { HCI_STATUS, SCAN_ENABLE } from '../../hci/index.js';
import { EVT, SLOT_MS } from './constants.js';
import type { VirtualController } from './controller.js';
import { addr, pack } from './h4.js';

const NAME_EXCHANGE_MS = 20;

export class RemoteNameProcedure {
  private readonly pending = new Map<BdAddr, number>();

  constructor(private readonly c: VirtualController) {}

  request(op: number, target: BdAddr, now: number): void {
    if (this.pending.has(target)) return this.c.status(HCI_STATUS.COMMAND_DISALLOWED, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    const peer = this.c.link.find(target);
    const reachable = peer && peer !== this.c && (peer.settings.scanEnable & SCAN_ENABLE.PAGE || this.c.connections.connectionTo(target));
    if (peer && reachable) {
      this.pending.set(target, this.c.schedule(now + this.c.scaled(NAME_EXCHANGE_MS), () => this.answer(target, HCI_STATUS.SUCCESS, peer.settings.name)));
    } else {
      const timeout = this.c.scaled(this.c.settings.pageTimeoutSlots * SLOT_MS);
      this.pending.set(target, this.c.schedule(now + timeout, () => this.answer(target, HCI_STATUS.PAGE_TIMEOUT, new Uint8Array(248))));
    }
  }

  cancel(op: number, target: BdAddr): void {
    const timer = this.pending.get(target);
    if (timer === undefined) return this.c.complete(op, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, addr(target));
    this.c.complete(op, HCI_STATUS.SUCCESS, addr(target));
    this.c.scheduler.cancel(timer);
    this.answer(target, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, new Uint8Array(248));
  }

  abort(): void {
    for (const t of this.pending.values()) this.c.scheduler.cancel(t);
    this.pending.clear();
  }

  private answer(target: BdAddr, status: number, name: Uint8Array): void {
    this.pending.delete(target);
    this.c.event(EVT.REMOTE_NAME_REQUEST_COMPLETE, pack(status, addr(target), name));
  }
}
