/**
 * Statistics of the L2CAP layer (DESIGN.md rule 7: every dropped or refused input is counted).
 * Counters are plain numbers that only grow; `snapshot` copies them for callers.
 *
 * Drop reasons:
 *   malformed-frame  basic-frame length field ≠ recombined size, or shorter than the header
 *   unknown-handle   a PDU for a handle that is not up
 *   unknown-cid      a B-frame for a CID with no channel on that link
 *   fixed-cid        a frame on a fixed channel this stack does not serve (connectionless 0x0002, reserved)
 *   not-open         a B-frame for a channel that is not OPEN
 *   over-mtu         a B-frame larger than the channel's local (receive) MTU
 *   queue-full       an output dropped because the transmit or event queue was at its cap
 */
export const DROP_REASONS = ['malformed-frame', 'unknown-handle', 'unknown-cid', 'fixed-cid', 'not-open', 'over-mtu', 'queue-full'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface TrafficStats {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  drops: Record<DropReason, number>;
}

export interface SignalingStats {
  commandsIn: number;
  commandsOut: number;
  /** Command Rejects we sent, by reason. */
  rejectsSent: { notUnderstood: number; mtuExceeded: number; invalidCid: number };
  /** C-frames larger than our MTUsig. */
  oversizedFrames: number;
  /** Complete commands whose data did not decode for their code. */
  malformedCommands: number;
  /** Truncated tails of C-frames. */
  truncatedCommands: number;
  unknownCommands: number;
  /** Responses whose identifier matched no pending request, and requests with identifier 0. */
  ignoredCommands: number;
  /** Our requests that got no response in time (RTX/ERTX). */
  timeouts: number;
  /** Configuration Requests we re-sent after RTX expiry. */
  retransmissions: number;
}

export interface LinkStats extends TrafficStats {
  signaling: SignalingStats;
  channelsOpened: number;
  /** Incoming Connection Requests refused (unknown PSM, bad or used SCID, no resources). */
  connectionsRefused: number;
}

export function newTrafficStats(): TrafficStats {
  const drops = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) drops[r] = 0;
  return { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, drops };
}

export function newLinkStats(): LinkStats {
  return {
    ...newTrafficStats(),
    signaling: {
      commandsIn: 0,
      commandsOut: 0,
      rejectsSent: { notUnderstood: 0, mtuExceeded: 0, invalidCid: 0 },
      oversizedFrames: 0,
      malformedCommands: 0,
      truncatedCommands: 0,
      unknownCommands: 0,
      ignoredCommands: 0,
      timeouts: 0,
      retransmissions: 0,
    },
    channelsOpened: 0,
    connectionsRefused: 0,
  };
}

/** A deep copy, so that callers cannot change the live counters. */
export function snapshot<T>(stats: T): T {
  return structuredClone(stats);
}
