/**
 * What the conformance tester saw from the implementation under test, one item per frame of the
 * layer it belongs to: each signaling command of a C-frame (Core v5.4 Vol 3 Part A §4), each
 * B-frame on a tester channel (RFCOMM frames on PSM 3, SDP PDUs on PSM 1, raw payloads elsewhere),
 * each frame on an unknown CID, and the HCI events that matter to a script (link up and down).
 */
import { hex } from '../core/index.js';
import { decodeRfcommFrame, describeRfcommFrame } from '../rfcomm/index.js';

export type ObservedLayer = 'signaling' | 'rfcomm' | 'sdp' | 'l2cap' | 'link';

export interface Observed {
  layer: ObservedLayer;
  /** Stack clock (ms) when it arrived. */
  at: number;
  handle: number;
  /** The L2CAP CID it came on (0 for 'link'). */
  cid: number;
  /** The layer's bytes: a signaling command (code id len data), an RFCOMM frame, an SDP PDU, a B-frame payload; for 'link' the HCI event. */
  bytes: Uint8Array;
  /** A one-line reading of the frame. */
  summary: string;
}

/** Spaced hex of an observation's bytes. */
export function observedHex(o: Observed): string {
  return hex(o.bytes, ' ');
}

const SIGNAL_NAMES: Record<number, string> = {
  0x01: 'Command Reject',
  0x02: 'Connection Request',
  0x03: 'Connection Response',
  0x04: 'Configuration Request',
  0x05: 'Configuration Response',
  0x06: 'Disconnection Request',
  0x07: 'Disconnection Response',
  0x08: 'Echo Request',
  0x09: 'Echo Response',
  0x0a: 'Information Request',
  0x0b: 'Information Response',
};

const SDP_NAMES: Record<number, string> = {
  0x01: 'ErrorResponse',
  0x02: 'ServiceSearchRequest',
  0x03: 'ServiceSearchResponse',
  0x04: 'ServiceAttributeRequest',
  0x05: 'ServiceAttributeResponse',
  0x06: 'ServiceSearchAttributeRequest',
  0x07: 'ServiceSearchAttributeResponse',
};

export function summarize(layer: ObservedLayer, bytes: Uint8Array): string {
  switch (layer) {
    case 'signaling':
      return `${SIGNAL_NAMES[bytes[0] ?? -1] ?? `code 0x${(bytes[0] ?? 0).toString(16)}`} id ${bytes[1] ?? '?'}`;
    case 'rfcomm':
      try {
        return describeRfcommFrame(decodeRfcommFrame(bytes));
      } catch (err) {
        return `undecodable RFCOMM frame (${(err as Error).message})`;
      }
    case 'sdp':
      return `${SDP_NAMES[bytes[0] ?? -1] ?? `PDU 0x${(bytes[0] ?? 0).toString(16)}`} tid ${bytes.length >= 3 ? (bytes[1]! << 8) | bytes[2]! : '?'}`;
    case 'link':
      return bytes[0] === 0x03 ? 'Connection Complete' : bytes[0] === 0x05 ? 'Disconnection Complete' : `event 0x${(bytes[0] ?? 0).toString(16)}`;
    default:
      return `${bytes.length} octets`;
  }
}
