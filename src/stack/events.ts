/**
 * What the composed stack reports to its user (the driver and the socket layer). Every event names
 * the stack-level id of the thing it is about; ids are never reused within one Stack.
 */
import type { BdAddr, BluetoothError } from '../core/index.js';
import type { ServiceInfo } from '../sdp/index.js';
import type { SecurityEvent } from '../security/index.js';

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
  | { type: 'rfcomm-closed'; id: number; reason: RfcommCloseReason; message: string; unsent: number }
  /** The peer broke RFCOMM flow control (or N1): `bytes` of its data were dropped, a gap in what the channel received. */
  | { type: 'rfcomm-dropped'; id: number; bytes: number; message: string }
  | { type: 'l2cap-open'; id: number; address: BdAddr; psm: number; incoming: boolean; remoteMtu: number; localMtu: number }
  | { type: 'l2cap-data'; id: number; sdu: Uint8Array }
  /** A raw L2CAP channel whose `sendL2cap` was refused may send again. */
  | { type: 'l2cap-writable'; id: number }
  /** `result`: the peer's Connection Response result when it refused the channel (Core v5.4 Vol 3 Part A §4.3; 0x0002 PSM not supported, 0x0003 security block …). */
  | { type: 'l2cap-closed'; id: number; reason: L2capCloseReason; message: string; result?: number }
  | { type: 'sdp-result'; id: number; address: BdAddr; services: ServiceInfo[] }
  | { type: 'sdp-failed'; id: number; address: BdAddr; reason: L2capCloseReason; message: string }
  /** Pairing prompts and outcomes (src/security): prompts are answered with stack.answerConfirm/Passkey/Pin. */
  | { type: 'security'; event: SecurityEvent };

/** Why an RFCOMM channel closed or never opened. */
export type RfcommCloseReason = 'refused' | 'security' | 'disconnected' | 'session-closed' | 'timeout' | 'link-lost' | 'page-failed' | 'local';

/** Why an L2CAP channel (or an SDP query riding on one) closed or never opened. */
export type L2capCloseReason = 'refused' | 'security' | 'disconnected' | 'timeout' | 'link-lost' | 'page-failed' | 'local' | 'error';
