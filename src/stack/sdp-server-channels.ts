/**
 * The peer's SDP channels to our SDP server: incoming L2CAP channels on PSM 1, each request answered
 * by the SdpServer and cut to the peer's MTU (Core v5.4 Vol 3 Part B §4). A peer that sends
 * requests faster than the link takes the answers fills the channel's send buffer; an answer that
 * does not fit is dropped and reported as an 'error' event.
 */
import { ProtocolError } from '../core/index.js';
import { CHANNEL_STATE, type L2capManager } from '../l2cap/index.js';
import type { SdpServer } from '../sdp/index.js';
import type { EventQueue } from './event-queue.js';

export class SdpServerChannels {
  /** Local CID → the peer's MTU (responses are cut to it). */
  private readonly mtus = new Map<number, number>();

  constructor(
    private readonly server: SdpServer,
    private readonly l2cap: L2capManager,
    private readonly events: EventQueue,
  ) {}

  opened(cid: number, remoteMtu: number): void {
    this.mtus.set(cid, remoteMtu);
  }

  /**
   * A request on L2CAP channel `cid`: true when the channel is ours (and the response went out). A
   * request that L2CAP delivered just before the channel closed (its link went down, or the peer's
   * Disconnection Request came in the same burst) is dropped unanswered: its close follows.
   */
  receive(cid: number, sdu: Uint8Array): boolean {
    if (!this.mtus.has(cid)) return false;
    const state = this.l2cap.channelInfo(cid)?.state;
    if (state !== CHANNEL_STATE.OPEN && state !== CHANNEL_STATE.CONFIG) return true;
    if (!this.l2cap.send(cid, this.server.handle(cid, sdu, this.mtus.get(cid)))) {
      this.events.push({ type: 'error', error: new ProtocolError(`SDP: the peer on L2CAP channel 0x${cid.toString(16)} sends requests faster than the link takes the answers; one answer was dropped`) });
    }
    return true;
  }

  closed(cid: number): void {
    if (this.mtus.delete(cid)) this.server.forget(cid);
  }
}
