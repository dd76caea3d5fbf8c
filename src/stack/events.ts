/**
 * What the composed stack reports to its user (the driver and the socket layer). Every event names
 * the stack-level id of the thing it is about; ids are never reused within one Stack.
 */
import type { BdAddr, BluetoothError } from '../core/index.js';
import type { ServiceInfo } from '../sdp/index.js';
import type { SecurityEvent, SecurityFailure } from '../security/index.js';

export type StackEvent =
  | { type: 'ready'; address: BdAddr }
  | { type: 'packet'; direction: 'tx' | 'rx'; bytes: Uint8Array }
  /**
   * `fatal`: the transport is gone or its byte stream is unusable; every link and channel has ended.
   * `handle`: the ACL link the error concerns (its data did not fit together, say).
   */
  | { type: 'error'; error: BluetoothError; fatal?: boolean; handle?: number }
  /** `timedOut`: no Command Complete/Status came within the HCI command timeout (`status` is then 0x1f). */
  | { type: 'command-complete'; token: number; opcode: number; status: number; timedOut?: true }
  | { type: 'link-up'; handle: number; address: BdAddr; initiator: boolean }
  | { type: 'link-down'; handle: number; address: BdAddr; reason: number }
  | { type: 'inquiry-result'; address: BdAddr; classOfDevice: number; rssi?: number; name?: string }
  | { type: 'inquiry-complete'; status: number }
  | { type: 'remote-name'; address: BdAddr; status: number; name: string }
  | { type: 'rfcomm-open'; id: number; address: BdAddr; channel: number; incoming: boolean; n1: number }
  | { type: 'rfcomm-data'; id: number; data: Uint8Array }
  | { type: 'rfcomm-writable'; id: number }
  /** The peer's MSC command on an open RFCOMM channel: V.24 signals (`V24` bits) and a break's length in ms. */
  | { type: 'rfcomm-signals'; id: number; signals: number; breakMs?: number }
  /** `unsent`: bytes written on the channel that never left (it closed with them queued). */
  | ({ type: 'rfcomm-closed'; id: number; reason: RfcommCloseReason; message: string; unsent: number } & CloseDetail)
  /** `bytes` of the peer's data were dropped, a gap in what the channel received: it broke RFCOMM flow control (or N1), or its frame was lost on the way. */
  | { type: 'rfcomm-dropped'; id: number; bytes: number; message: string }
  | { type: 'l2cap-open'; id: number; address: BdAddr; psm: number; incoming: boolean; remoteMtu: number; localMtu: number }
  | { type: 'l2cap-data'; id: number; sdu: Uint8Array }
  /** An SDU for the channel was lost on the way (its ACL fragments did not fit together): `bytes` long, one SDU missing from what it received. */
  | { type: 'l2cap-dropped'; id: number; bytes: number; message: string }
  /** A raw L2CAP channel whose `sendL2cap` was refused may send again. */
  | { type: 'l2cap-writable'; id: number }
  | ({ type: 'l2cap-closed'; id: number; reason: L2capCloseReason; message: string } & CloseDetail)
  | { type: 'sdp-result'; id: number; address: BdAddr; services: ServiceInfo[] }
  | ({ type: 'sdp-failed'; id: number; address: BdAddr; reason: L2capCloseReason; message: string } & CloseDetail)
  /** Pairing prompts and outcomes (src/security): prompts are answered with stack.answerConfirm/Passkey/Pin. */
  | { type: 'security'; event: SecurityEvent };

/**
 * Why a channel ended, as codes beside its `reason` and the words of its `message`; each field is
 * there only when it applies, so a program (or a test) reads the cause without parsing English.
 */
export interface CloseDetail {
  /**
   * The timer that expired: RFCOMM 'T1' (no answer to a SABM or DISC) or 'T2' (to a multiplexer
   * command; RFCOMM 1.2 §5.3), L2CAP 'RTX' (to a signaling request, ERTX included) or
   * 'configuration' (Core v5.4 Vol 3 Part A §6.2).
   */
  timer?: 'T1' | 'T2' | 'RTX' | 'configuration';
  /** The peer's RFCOMM frame that refused or closed it: 'DM' or 'DISC' (TS 07.10 §5.3.3–5.3.4), on the channel's DLCI or on DLCI 0. */
  frame?: 'DM' | 'DISC';
  /**
   * The HCI status behind it (Core v5.4 Vol 1 Part F): the page's (Connection Complete or the
   * Command Status of Create Connection; 0x04 Page Timeout, 0x09 Connection Limit Exceeded …), or
   * the security procedure's (Authentication Complete, Simple Pairing Complete, Encryption Change).
   */
  hciStatus?: number;
  /** The peer's L2CAP Connection Response result when it refused (Core v5.4 Vol 3 Part A §4.3; 0x0002 PSM not supported, 0x0003 security block …). */
  l2capResult?: number;
  /** Why the link did not reach the security level the channel needs (src/security failure-reasons.ts). */
  securityFailure?: SecurityFailure;
}

/** The CloseDetail fields of `from` (an event, say) that are set, and nothing else. */
export function closeDetailOf(from: CloseDetail): CloseDetail {
  const detail: CloseDetail = {};
  if (from.timer !== undefined) detail.timer = from.timer;
  if (from.frame !== undefined) detail.frame = from.frame;
  if (from.hciStatus !== undefined) detail.hciStatus = from.hciStatus;
  if (from.l2capResult !== undefined) detail.l2capResult = from.l2capResult;
  if (from.securityFailure !== undefined) detail.securityFailure = from.securityFailure;
  return detail;
}

/** Why an RFCOMM channel closed or never opened. */
export type RfcommCloseReason = 'refused' | 'security' | 'disconnected' | 'session-closed' | 'timeout' | 'link-lost' | 'page-failed' | 'local';

/** Why an L2CAP channel (or an SDP query riding on one) closed or never opened. */
export type L2capCloseReason = 'refused' | 'security' | 'disconnected' | 'timeout' | 'link-lost' | 'page-failed' | 'local' | 'error';
