/**
 * What L2CAP sends on one link, and in which order (Core v5.4 Vol 3 Part A §3 and §7; DESIGN.md
 * rule 8). Nothing is pushed toward the controller: when the HCI gives the link its turn (it has
 * room), `L2capManager.nextTurn` produces exactly one PDU from, in this order:
 *   1. the signaling C-frames waiting on the link (bounded, `txQueueCapacity`; a peer flooding us
 *      with requests past it loses answers, reported as an 'error' event);
 *   2. the channels that have something, one PDU each in turn (a ring): an SDU queued with
 *      `send` (SDP, raw channels; bounded per channel by `sendBufferBytes`, refused beyond), or a
 *      token for a channel whose owner writes the SDU itself (`requestSend`: RFCOMM, which encodes
 *      its frame straight into the PDU).
 * SDUs given to `send` are kept by reference until their turn: the caller must not change them.
 */
import { Ring } from '../core/index.js';
import type { Channel } from './channel.js';

export class LinkOutput {
  /** Encoded signaling B-frames (header included), oldest first. */
  readonly signals = new Ring<Uint8Array>();
  /** Channels with an SDU queued or an owner waiting for a turn. */
  readonly channels = new Ring<Channel>();
  /** In the manager's FIFO of links that asked to send (`pollSendRequest`). */
  requested = false;

  get wantsToSend(): boolean {
    return this.signals.length > 0 || this.channels.length > 0;
  }
}
