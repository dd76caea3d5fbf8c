/**
 * The peer's SDP channels to our SDP server: incoming L2CAP channels on PSM 1, each request answered
 * by the SdpServer and cut to the peer's MTU (Core v5.4 Vol 3 Part B §4).
 */
import type { L2capManager } from '../l2cap/index.js';
import type { SdpServer } from '../sdp/index.js';

export class SdpServerChannels {
  /** Local CID → the peer's MTU (responses are cut to it). */
  private readonly mtus = new Map<number, number>();

  constructor(
    private readonly server: SdpServer,
    private readonly l2cap: L2capManager,
  ) {}

  opened(cid: number, remoteMtu: number): void {
    this.mtus.set(cid, remoteMtu);
  }

  /** A request on L2CAP channel `cid`: true when the channel is ours (and the response went out). */
  receive(cid: number, sdu: Uint8Array): boolean {
    if (!this.mtus.has(cid)) return false;
    this.l2cap.send(cid, this.server.handle(cid, sdu, this.mtus.get(cid)));
    return true;
  }

  closed(cid: number): void {
    if (this.mtus.delete(cid)) this.server.forget(cid);
  }
}
