/**
 * Pulls the RFCOMM SDUs out of a capture for replay tests: the SDUs of every L2CAP channel to
 * PSM 3 (test/support/capture-l2cap.ts), each channel one RFCOMM session.
 */
import { l2capSdusOf, type Direction } from '../../support/capture-l2cap.js';

export interface TraceSdu {
  readonly direction: Direction;
  readonly handle: number;
  /** The destination CID the SDU was sent to. */
  readonly cid: number;
  /** The RFCOMM session (one L2CAP channel on PSM 3), numbered from 1 in the order they opened. */
  readonly session: number;
  /** Who sent the L2CAP Connection Request of the session's channel. */
  readonly openedBy: Direction;
  /** The smaller of the two MTUs the channel's configuration announced (672 when one is absent). */
  readonly l2capMtu: number;
  readonly sdu: Uint8Array;
}

const PSM_RFCOMM = 3;

export function rfcommSdus(file: Uint8Array): TraceSdu[] {
  const out: TraceSdu[] = [];
  const sessions = new Map<object, number>();
  for (const { direction, handle, cid, channel, payload } of l2capSdusOf(file)) {
    if (channel.psm !== PSM_RFCOMM) continue;
    if (!sessions.has(channel)) sessions.set(channel, sessions.size + 1);
    const session = sessions.get(channel)!;
    out.push({ direction, handle, cid, session, openedBy: channel.openedBy, l2capMtu: Math.min(channel.mtu.tx, channel.mtu.rx), sdu: payload });
  }
  return out;
}
