/**
 * The public types of `HciHost` (docs/layers.md, "HCI"): its options and the events it raises.
 */
import type { BdAddr, BluetoothError } from '../core/index.js';
import type { VendorPacketFormat } from './h4-framer.js';
import type { HciEvent } from './wire/event.js';

export type AcceptPolicy = 'auto' | 'manual' | 'reject';

export interface HciHostOptions {
  /** Frame vendor H4 packets (see `H4FramerOptions`); default false. */
  readonly vendorPackets?: boolean;
  readonly vendorFormats?: readonly VendorPacketFormat[];
  /** Deadline for a Command Complete/Status; default 10 000 ms. */
  readonly commandTimeoutMs?: number;
  /** When set, Host Buffer Size tells the controller the largest ACL data length the host takes (≤ 1019 on the HCI user channel). */
  readonly hostAclMtu?: number;
  /** Host_Total_Num_ACL_Data_Packets for Host Buffer Size; default 16. */
  readonly hostAclPackets?: number;
  /** Incoming ACL connections: accept (default), ask the application, or reject. */
  readonly acceptPolicy?: AcceptPolicy;
  /** Write Class of Device; default 0x001f00 (uncategorized). */
  readonly classOfDevice?: number;
  /** Write Local Name; default 'TypeScript Bluetooth'. */
  readonly localName?: string;
  /** Write Scan Enable; default 0x03 (inquiry and page scan). */
  readonly scanEnable?: number;
  /** Write Simple Pairing Mode 1 during init; default true. */
  readonly simplePairing?: boolean;
  /** Write Inquiry Mode; default 2 (results with RSSI or extended). */
  readonly inquiryMode?: number;
  /** Write Default Link Policy Settings; default role switch + sniff (0x0005). */
  readonly linkPolicy?: number;
  /** Set Event Mask, 8 octets; default: every event of the event table that can be masked. */
  readonly eventMask?: Uint8Array;
  /**
   * Largest ACL data length the host sends per ACL packet, 27..65535 (`ArgumentError` otherwise).
   * Fragments are min(controller's ACL_Data_Packet_Length, aclFragmentSize) octets; default: the
   * controller's length. For tests of small fragments on a controller with a fixed buffer size.
   */
  readonly aclFragmentSize?: number;
  /** Largest ACL data length the H4 framer accepts; default 4096. */
  readonly maxAclDataLength?: number;
  /** Largest reassembled L2CAP PDU (MTU + 4); default 65539. */
  readonly maxL2capPduLength?: number;
  /** Octets of L2CAP PDUs queued per link; default 4 MiB. */
  readonly maxQueuedBytesPerLink?: number;
  /** Commands waiting for a credit; default 256. */
  readonly maxQueuedCommands?: number;
  /** Remembered inquiry responses (page scan mode, clock offset) for paging; default 64. */
  readonly inquiryCacheSize?: number;
}

export interface InquiryOptions {
  /** Inquiry_Length in 1.28 s units, 1..48; default 8. */
  readonly durationUnits?: number;
  /** Num_Responses, 0 = unlimited; default 0. */
  readonly maxResponses?: number;
  /** LAP; default the GIAC 0x9E8B33. */
  readonly lap?: number;
}

export type HostEvent =
  | { readonly type: 'ready'; readonly address: BdAddr }
  | { readonly type: 'connection-request'; readonly address: BdAddr; readonly classOfDevice: number }
  | { readonly type: 'connection-complete'; readonly status: number; readonly handle: number; readonly address: BdAddr; readonly initiator: boolean }
  | { readonly type: 'disconnected'; readonly handle: number; readonly reason: number }
  | { readonly type: 'l2cap-pdu'; readonly handle: number; readonly pdu: Uint8Array }
  | { readonly type: 'inquiry-result'; readonly address: BdAddr; readonly classOfDevice: number; readonly rssi?: number; readonly name?: string }
  | { readonly type: 'inquiry-complete'; readonly status: number }
  | { readonly type: 'remote-name'; readonly address: BdAddr; readonly status: number; readonly name: string }
  | { readonly type: 'command-complete'; readonly token: number; readonly opcode: number; readonly status: number; readonly event: HciEvent }
  | { readonly type: 'security'; readonly event: HciEvent }
  /** `fatal`: the H4 byte stream broke framing; nothing more can be read from it (close the transport). */
  | { readonly type: 'error'; readonly error: BluetoothError; readonly fatal?: boolean }
  | { readonly type: 'packet'; readonly direction: 'tx' | 'rx'; readonly bytes: Uint8Array };

export interface HciHostStats {
  rxPackets: number;
  txPackets: number;
  ignoredEvents: number;
  aclUnknownHandle: number;
  commandTimeouts: number;
}
