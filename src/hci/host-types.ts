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
  /** L2CAP PDUs a link holds for the controller before its producers must wait for their turn; default 2. */
  readonly maxQueuedPdusPerLink?: number;
  /**
   * The transport is a byte stream (H4 over a unix socket, TCP or a UART), where lost or changed
   * bytes can desynchronise the packet framing. Each packet is then delivered only once the bytes
   * after it begin a plausible packet (an indicator a controller sends, an ACL handle that is up, a
   * known event code) or the chunk ended with it; otherwise the stream is declared desynchronised:
   * that packet is not delivered and a fatal error ends every link; so does a packet left unfinished
   * when no byte has come for 5 s (the bytes that would finish it were lost). Default false
   * (transports that keep packet boundaries: the virtual controller, the HCI user channel).
   */
  readonly byteStream?: boolean;
  /**
   * What ACL fragments that do not fit together (a continuation with no start, a new start while a
   * PDU is unfinished, too many octets) do. `'drop'` (the default) is what Core Vol 3 Part A §7.2
   * asks of a receiver (docs/conformance.md H1–H3): the fragments are dropped, an 'error' event says
   * so, and the link goes on. `'end-link'` puts the integrity of the data first: on a byte stream
   * such fragments usually mean bytes were lost on the way (btvirt drops what a host reads late), so
   * nothing more is delivered from that link and it is disconnected, rather than let an RFCOMM
   * stream carry a silent gap.
   */
  readonly aclDamage?: 'drop' | 'end-link';
  /** Raise 'packet' events for every H4 packet in and out (trace sinks); default false. */
  readonly tracePackets?: boolean;
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
  /** A PDU for channel `cid` (its destination CID) was dropped part-way (fragments that did not fit): `length` octets of SDU lost, `head` the first of them that arrived. */
  | { readonly type: 'l2cap-pdu-dropped'; readonly handle: number; readonly cid: number; readonly length: number; readonly head: Uint8Array; readonly message: string }
  | { readonly type: 'inquiry-result'; readonly address: BdAddr; readonly classOfDevice: number; readonly rssi?: number; readonly name?: string }
  | { readonly type: 'inquiry-complete'; readonly status: number }
  | { readonly type: 'remote-name'; readonly address: BdAddr; readonly status: number; readonly name: string }
  /** `event`: the Command Complete/Status; absent when none came within the command timeout (status is then 0x1f, Unspecified Error). */
  | { readonly type: 'command-complete'; readonly token: number; readonly opcode: number; readonly status: number; readonly event?: HciEvent }
  | { readonly type: 'security'; readonly event: HciEvent }
  /** `fatal`: the H4 byte stream broke framing; nothing more can be read from it (close the transport). `handle`: the link it concerns. */
  | { readonly type: 'error'; readonly error: BluetoothError; readonly fatal?: boolean; readonly handle?: number }
  | { readonly type: 'packet'; readonly direction: 'tx' | 'rx'; readonly bytes: Uint8Array };

export interface HciHostStats {
  rxPackets: number;
  txPackets: number;
  ignoredEvents: number;
  aclUnknownHandle: number;
  /** ACL packets that reassembly could not use (a continuation with nothing before it, a PDU cut short by a new start, too long, over the cap). */
  aclAnomalies: number;
  /** ACL packets dropped on a link ended for damage (byte streams), while its Disconnect completes. */
  aclAfterDamage: number;
  commandTimeouts: number;
}
