/**
 * Test-only: the SDP PDUs of a capture (the L2CAP channels on PSM 1, Core v5.4 Vol 3 Part B
 * §4.1; the side that opened the channel is the client) and the RFCOMM DLC openings (a SABM on a
 * DLCI other than 0, TS 07.10 §5.3.1, on a channel to PSM 3).
 */
import { l2capSdusOf, type Direction } from '../../support/capture-l2cap.js';

export interface CapturedSdpPdu {
  readonly frame: number;
  /** Identifies the L2CAP channel: handle and the order it opened in. */
  readonly channel: string;
  readonly fromClient: boolean;
  readonly bytes: Uint8Array;
}

/** An RFCOMM SABM for a DLC (not DLCI 0): which side sent it and the server channel it opens. */
export interface CapturedRfcommOpen {
  readonly frame: number;
  readonly direction: Direction;
  readonly serverChannel: number;
}

const SDP_PSM = 0x0001;
const RFCOMM_PSM = 0x0003;
/** SABM control field with the P/F bit cleared. */
const SABM = 0x2f;

export function sdpPdusOfCapture(file: Uint8Array): CapturedSdpPdu[] {
  return scanCapture(file).sdp;
}

/** The SDP PDUs and the RFCOMM DLC openings of a capture. */
export function scanCapture(file: Uint8Array): { sdp: CapturedSdpPdu[]; rfcommOpens: CapturedRfcommOpen[] } {
  const sdp: CapturedSdpPdu[] = [];
  const rfcommOpens: CapturedRfcommOpen[] = [];
  for (const { frame, direction, handle, channel, payload } of l2capSdusOf(file)) {
    if (channel.psm === SDP_PSM) {
      sdp.push({ frame, channel: `${handle}/${channel.ordinal}`, fromClient: direction === channel.openedBy, bytes: payload });
    } else if (channel.psm === RFCOMM_PSM && payload.length >= 2 && (payload[1] & ~0x10) === SABM && payload[0] >> 2 !== 0) {
      rfcommOpens.push({ frame, direction, serverChannel: payload[0] >> 3 });
    }
  }
  return { sdp, rfcommOpens };
}
