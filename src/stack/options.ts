/**
 * The types a `Stack` is built and fed with: its options (each layer's own options plus the caps
 * the composition adds, DESIGN.md rule 6) and the service record `advertise` takes.
 */
import type { HciHostOptions } from '../hci/index.js';
import type { L2capOptions } from '../l2cap/index.js';
import type { RfcommOptions } from '../rfcomm/index.js';
import type { DataElement } from '../sdp/index.js';
import type { SecurityManagerOptions } from '../security/index.js';

export interface StackOptions {
  hci?: HciHostOptions;
  l2cap?: L2capOptions;
  rfcomm?: RfcommOptions;
  /**
   * The L2CAP MTU offered on RFCOMM sessions (48..65535). Default: `l2cap.defaultMtu` when given,
   * else whole ACL fragments of the controller's length, about 1 KiB (956 on btvirt's 192-octet
   * buffers, 1017 on 1021; rfcomm-mtu.ts).
   */
  rfcommMtu?: number;
  /** How long a link this stack paged stays up with no channel on it (default 2000 ms). */
  linkIdleMs?: number;
  /**
   * Octets an L2CAP channel may hold queued for its link before `sendL2cap` on it refuses (default
   * 65536): a raw channel's backpressure, answered by 'l2cap-writable' (same as `l2cap.sendBufferBytes`).
   */
  l2capSendBufferBytes?: number;
  /** Cap on queued stack events beyond which new trace ('packet') events are dropped (default 65536). */
  maxEvents?: number;
  /** Pairing: IO capability, bonding, MITM, key store (default NoInputNoOutput, bonding, no MITM, in memory). */
  security?: Partial<SecurityManagerOptions>;
}

/** A service record: attribute ID → value (Core v5.4 Vol 3 Part B §2.2). */
export type SdpRecord = ReadonlyMap<number, DataElement>;
