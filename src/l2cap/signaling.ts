/**
 * Per-link signaling bookkeeping (Core v5.4 Vol 3 Part A §4, §6.2): request identifiers and the
 * requests that await a response.
 *
 * Identifiers are 1..255 (0 is never used), allocated round-robin per link, skipping those still
 * pending; at most `maxOutstanding` requests wait at once (allocation returns undefined beyond).
 * A response is matched to a pending request by identifier and by code (any request accepts a
 * Command Reject); a response that matches nothing is ignored by the caller.
 * A request is re-sent with the same identifier, so that a late answer to the first copy matches.
 */
import { SIGNAL_CODE } from './wire/constants.js';
import { type L2capSignal, isResponseCode, signalCode } from './wire/signal.js';

export interface PendingRequest {
  readonly identifier: number;
  readonly code: number;
  /** The local CID the request concerns (connection, configuration, disconnection). */
  readonly cid: number | undefined;
  /** The encoded C-frame, for re-sending. */
  readonly frame: Uint8Array;
  /** Current RTX delay in ms (doubles at each re-send). */
  delayMs: number;
  retransmissions: number;
  /** A pending response arrived: now under ERTX. */
  extended: boolean;
}

const RESPONSE_TO: Readonly<Record<string, number>> = {
  'connection-response': SIGNAL_CODE.CONNECTION_REQUEST,
  'configuration-response': SIGNAL_CODE.CONFIGURATION_REQUEST,
  'disconnection-response': SIGNAL_CODE.DISCONNECTION_REQUEST,
  'echo-response': SIGNAL_CODE.ECHO_REQUEST,
  'information-response': SIGNAL_CODE.INFORMATION_REQUEST,
};

export function isResponse(s: L2capSignal): boolean {
  return isResponseCode(signalCode(s));
}

export class SignalingLink {
  private next = 1;
  readonly pending = new Map<number, PendingRequest>();

  constructor(private readonly maxOutstanding: number) {}

  allocateIdentifier(): number | undefined {
    if (this.pending.size >= Math.min(this.maxOutstanding, 255)) return undefined;
    for (let i = 0; i < 255; i++) {
      const id = this.next;
      this.next = id === 255 ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
    return undefined;
  }

  /** The pending request this response answers, if any. */
  match(response: L2capSignal): PendingRequest | undefined {
    const p = this.pending.get(response.identifier);
    if (!p) return undefined;
    if (response.type === 'command-reject' || RESPONSE_TO[response.type] === p.code) return p;
    return undefined;
  }

  /** Pending requests about one channel. */
  forChannel(cid: number): PendingRequest[] {
    return [...this.pending.values()].filter((p) => p.cid === cid);
  }
}
