/**
 * What the conformance tester saw from the implementation under test, one item per frame of the
 * layer it belongs to: each signaling command of a C-frame (Core v5.4 Vol 3 Part A §4), each
 * B-frame on a tester channel (RFCOMM frames on PSM 3, SDP PDUs on PSM 1, raw payloads elsewhere),
 * each frame on an unknown CID, the link going up and down, and the other HCI events of the
 * tester's controller ('hci': the answers to the tester's own commands among them, Core v5.4 Vol 4
 * Part E §7.7).
 */
import { hex } from '../core/index.js';
import { decodeRfcommFrame, describeRfcommFrame } from '../rfcomm/index.js';

export type ObservedLayer = 'signaling' | 'rfcomm' | 'sdp' | 'l2cap' | 'link' | 'hci';

export interface Observed {
  layer: ObservedLayer;
  /** Stack clock (ms) when it arrived. */
  at: number;
  handle: number;
  /** The L2CAP CID it came on (0 for 'link'). */
  cid: number;
  /** The layer's bytes: a signaling command (code id len data), an RFCOMM frame, an SDP PDU, a B-frame payload; for 'link' and 'hci' the HCI event (code, length, parameters). */
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
    case 'hci':
      return describeHciEvent(bytes);
    case 'link':
      return bytes[0] === 0x03 ? 'Connection Complete' : bytes[0] === 0x05 ? 'Disconnection Complete' : `event 0x${(bytes[0] ?? 0).toString(16)}`;
    default:
      return `${bytes.length} octets`;
  }
}

const HCI_EVENT_NAMES: Record<number, string> = {
  0x01: 'Inquiry Complete',
  0x02: 'Inquiry Result',
  0x03: 'Connection Complete',
  0x04: 'Connection Request',
  0x05: 'Disconnection Complete',
  0x06: 'Authentication Complete',
  0x07: 'Remote Name Request Complete',
  0x0b: 'Read Remote Supported Features Complete',
  0x0c: 'Read Remote Version Information Complete',
  0x10: 'Hardware Error',
  0x14: 'Mode Change',
  0x1b: 'Max Slots Change',
  0x1d: 'Connection Packet Type Changed',
  0x23: 'Read Remote Extended Features Complete',
};

const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** An HCI event (code, length, parameters) in a line: Command Complete and Command Status name their opcode and status (Vol 4 Part E §7.7.14, §7.7.15). */
function describeHciEvent(e: Uint8Array): string {
  const code = e[0] ?? 0;
  if (code === 0x0e && e.length >= 5) return `Command Complete ${hex16(e[3]! | (e[4]! << 8))}${e.length >= 6 ? ` status 0x${e[5]!.toString(16).padStart(2, '0')}` : ''}`;
  if (code === 0x0f && e.length >= 6) return `Command Status ${hex16(e[4]! | (e[5]! << 8))} status 0x${e[2]!.toString(16).padStart(2, '0')}`;
  return HCI_EVENT_NAMES[code] ?? `event 0x${code.toString(16).padStart(2, '0')}`;
}
