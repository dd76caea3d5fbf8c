/**
 * `HciHost`: the host side of HCI for one controller (docs/layers.md, "HCI"). Sans-I/O: bytes in
 * through `receive`, H4 packets out through `pollTransmit`, events through `pollEvent`, one
 * deadline through `pollTimeout`/`handleTimeout`. Drain `pollTransmit` and `pollEvent` after every
 * input; `pollTransmit` itself raises the `packet` event of what it returns.
 *
 * Init (`start`): Reset, Read Local Version Information, Read Local Supported Features, Read Local
 * Supported Commands, Read BD_ADDR, Read Buffer Size, [Host Buffer Size], Set Event Mask,
 * Write Simple Pairing Mode 1, Write Inquiry Mode 2, Write Class of Device, Write Local Name,
 * Write Scan Enable, Write Default Link Policy Settings, then `ready`. A failing or timed-out init
 * command raises `error` and the sequence goes on.
 *
 * Transitions:
 *   createConnection → Create Connection; Command Status ≠ 0 or Connection Complete → 'connection-complete'
 *   Connection Request (ACL) → accept as peripheral | 'connection-request' | reject (acceptPolicy);
 *     non-ACL requests are rejected (0x0D)
 *   Connection Complete (ACL, success) → link added to the scheduler and reassembler
 *   Disconnection Complete → link removed (its outstanding buffers freed), 'disconnected'
 *   (a link's states and their table: connection-state.ts; `stateHistory()` records the changes)
 *   ACL in → known handle: reassembled into 'l2cap-pdu' (a view of the received bytes when the PDU
 *     came in one fragment); unknown handle: dropped and counted (on a byte stream it cannot get
 *     that far: see `byteStream`); a fragment reassembly cannot use → dropped, counted and
 *     reported as a (non-fatal) 'error' naming the handle, and as 'l2cap-pdu-dropped' naming the
 *     channel when the dropped PDU's L2CAP header had arrived (or, with `aclDamage: 'end-link'`,
 *     the link disconnected)
 *   requestSend(handle) → the link gets a turn from nextSendable() once it has room; the caller
 *     writes one PDU into allocatePdu(handle, length) and queues it with queuePdu; PDUs leave in
 *     fragments of min(ACL_Data_Packet_Length, aclFragmentSize) octets while the controller has
 *     free buffers (acl-scheduler.ts)
 *   Number Of Completed Packets → ACL buffer credits back (clamped)
 *   Inquiry Result / with RSSI / Extended → 'inquiry-result' (EIR name parsed); Inquiry Complete,
 *     or Inquiry Cancel completing, → 'inquiry-complete'
 *   Remote Name Request Complete → 'remote-name'
 *   Pairing and encryption events → 'security' (the pairing state machine lives above)
 *   Hardware Error, Data Buffer Overflow, framing errors, command timeouts, failures of commands
 *     the host sent itself → 'error'
 *   Any other event, or a malformed one → ignored and counted (H5)
 */
import { ArgumentError, type BdAddr, bdAddrFromBytes, BluetoothError, ControllerError, DecodeError, earliest, fromUtf8, InvalidStateError, parseBdAddr, ProtocolError, Ring, type StateRecord, TimeoutError, utf8, view } from '../core/index.js';
import { AclReassembler } from './acl-reassembler.js';
import { AclScheduler } from './acl-scheduler.js';
import { CommandFlow, type QueuedCommand } from './command-flow.js';
import { CONNECTION_EVENT, CONNECTION_STATE, type ConnectionEvent, type ConnectionState, newConnectionMachine } from './connection-state.js';
import { H4Framer } from './h4-framer.js';
import type { AcceptPolicy, HciHostOptions, HciHostStats, HostEvent, InquiryOptions } from './host-types.js';
import { defaultEventMask } from './event-mask.js';
import { ACL_PACKET_TYPES, EVENT_CODE, GIAC_LAP, LINK_TYPE, ROLE } from './wire/constants.js';
import type { HciCommand } from './wire/command.js';
import { eirName } from './wire/eir.js';
import { COMMAND_COMPLETE_CODE, commandReturns, completionStatus, eventSpecByCode, type HciEvent } from './wire/event.js';
import { decodeHciPacket, H4_INDICATOR } from './wire/packet.js';
import type { AclTxPdu } from './acl-tx-pdu.js';
import { hciStatusError, HCI_STATUS } from './wire/status-codes.js';

/**
 * With `byteStream`: when no byte has come for this long while a packet is unfinished, the rest
 * never will (a controller writes a packet at once; 1 KiB takes 90 ms at 115200 baud), so the stream
 * lost bytes. Long enough that a busy host's late read is not mistaken for a loss.
 */
const PARTIAL_PACKET_TIMEOUT_MS = 5000;

/** Why the host sent a command: decides what its completion raises. */
type Origin = 'init' | 'host' | 'user' | 'connect' | 'name' | 'inquiry' | 'inquiry-cancel';

interface Link {
  readonly address: BdAddr;
  readonly initiator: boolean;
}

/** A link's state, written only by the connection machine (connection-state.ts). */
interface LinkState {
  state: ConnectionState;
}

interface CacheEntry {
  readonly pageScanRepetitionMode: number;
  readonly clockOffset: number;
}

const SECURITY_EVENTS: ReadonlySet<string> = new Set([
  'Link Key Request',
  'Link Key Notification',
  'IO Capability Request',
  'IO Capability Response',
  'User Confirmation Request',
  'User Passkey Request',
  'User Passkey Notification',
  'PIN Code Request',
  'Simple Pairing Complete',
  'Authentication Complete',
  'Encryption Change',
  'Remote OOB Data Request',
  'Return Link Keys',
]);

const DEFAULT_PAGE_SCAN_REPETITION_MODE = 0x02;
const CLOCK_OFFSET_VALID = 0x8000;

export class HciHost {
  private readonly framer: H4Framer;
  private readonly reassembler: AclReassembler;
  private readonly scheduler: AclScheduler;
  private readonly flow: CommandFlow<Origin>;
  /** A ring, not an array emptied by length: emptying an array by length drops its storage, and the next event would allocate it again. */
  private readonly events = new Ring<HostEvent>();
  private readonly links = new Map<number, Link>();
  /** Links whose ACL data stopped fitting together (byte streams only): disconnecting, nothing more delivered. */
  private readonly damaged = new Set<number>();
  private readonly outgoing = new Set<BdAddr>();
  private readonly inquiryCache = new Map<BdAddr, CacheEntry>();
  private readonly acceptPolicy: AcceptPolicy;
  private readonly options: HciHostOptions;
  private initRemaining = 0;
  private started = false;
  private isReady = false;
  private inquiring = false;
  private now = 0;
  /** The connection state machine (connection-state.ts) and its history. */
  private readonly machine = newConnectionMachine();
  /** The state of every handle that is up, by handle. */
  private readonly linkStates = new Map<number, LinkState>();
  /** With `byteStream`: when the latest bytes came while the framer holds a packet begun and not yet whole. */
  private partialSince: number | undefined;
  private bdAddr: BdAddr | undefined;
  private localCommands: Uint8Array | undefined;
  readonly stats: HciHostStats = { rxPackets: 0, txPackets: 0, ignoredEvents: 0, aclUnknownHandle: 0, aclAnomalies: 0, aclAfterDamage: 0, commandTimeouts: 0 };
  /** Raise 'packet' events (option `tracePackets`; a trace sink turns it on). */
  tracePackets: boolean;

  constructor(options: HciHostOptions = {}) {
    this.options = options;
    this.acceptPolicy = options.acceptPolicy ?? 'auto';
    this.tracePackets = options.tracePackets ?? false;
    this.framer = new H4Framer({
      vendorPackets: options.vendorPackets,
      vendorFormats: options.vendorFormats,
      maxDataLength: options.maxAclDataLength,
      plausible: options.byteStream ? (b, at) => this.implausible(b, at) : undefined,
    });
    this.reassembler = new AclReassembler({ maxPduLength: options.maxL2capPduLength });
    this.scheduler = new AclScheduler({ maxQueuedPdus: options.maxQueuedPdusPerLink, aclFragmentSize: options.aclFragmentSize });
    this.flow = new CommandFlow(options.commandTimeoutMs ?? 10_000, options.maxQueuedCommands);
  }

  /** The controller's BD_ADDR, once Read BD_ADDR completed. */
  get address(): BdAddr | undefined {
    return this.bdAddr;
  }
  /**
   * Supported_Commands (64 octets, Vol 4 Part E §6.27) from Read Local Supported Commands; undefined
   * before it completed or when the controller refused it. `isCommandSupported` reads a bit.
   */
  get supportedCommands(): Uint8Array | undefined {
    return this.localCommands;
  }
  /** ACL_Data_Packet_Length from Read Buffer Size (0 before). */
  get aclMtu(): number {
    return this.scheduler.aclDataLength;
  }
  /** The largest ACL data length the host sends: min(`aclMtu`, option `aclFragmentSize`) (0 before Read Buffer Size). */
  get aclFragmentSize(): number {
    return this.scheduler.fragmentLength;
  }
  /** Total_Num_ACL_Data_Packets from Read Buffer Size (0 before). */
  get aclCount(): number {
    return this.scheduler.totalBuffers;
  }
  get ready(): boolean {
    return this.isReady;
  }
  /** Open ACL links by handle. */
  connections(): ReadonlyMap<number, Readonly<Link>> {
    return this.links;
  }
  /** The state of link `handle` (connection-state.ts): CLOSED once it is gone, or when it never was. */
  connectionState(handle: number): ConnectionState {
    return this.linkStates.get(handle)?.state ?? CONNECTION_STATE.CLOSED;
  }
  /** The latest connection state changes and undefined edges, oldest first (connection-state.ts). */
  stateHistory(): StateRecord<ConnectionState, ConnectionEvent>[] {
    return this.machine.history();
  }
  /** Counters of every layer part, for diagnostics. */
  allStats() {
    return {
      host: this.stats,
      framer: { packets: this.framer.packets, discardedBytes: this.framer.discardedBytes, discardedPackets: this.framer.discardedPackets },
      reassembly: this.reassembler.stats,
      scheduler: this.scheduler.stats,
    };
  }

  start(now: number): void {
    if (this.started) throw new InvalidStateError('HciHost.start called twice: create a new HciHost to start again');
    this.started = true;
    this.now = now;
    const o = this.options;
    const init: HciCommand[] = [
      { name: 'Reset' },
      { name: 'Read Local Version Information' },
      { name: 'Read Local Supported Features' },
      { name: 'Read Local Supported Commands' },
      { name: 'Read BD_ADDR' },
      { name: 'Read Buffer Size' },
    ];
    if (o.hostAclMtu !== undefined) {
      init.push({
        name: 'Host Buffer Size',
        hostAclDataPacketLength: o.hostAclMtu,
        hostSynchronousDataPacketLength: 0,
        hostTotalNumAclDataPackets: o.hostAclPackets ?? 16,
        hostTotalNumSynchronousDataPackets: 0,
      });
    }
    init.push({ name: 'Set Event Mask', eventMask: o.eventMask ?? defaultEventMask() });
    if (o.simplePairing ?? true) init.push({ name: 'Write Simple Pairing Mode', simplePairingMode: 1 });
    init.push(
      { name: 'Write Inquiry Mode', inquiryMode: o.inquiryMode ?? 2 },
      { name: 'Write Class of Device', classOfDevice: o.classOfDevice ?? 0x001f00 },
      { name: 'Write Local Name', localName: o.localName ?? 'TypeScript Bluetooth' },
      { name: 'Write Scan Enable', scanEnable: o.scanEnable ?? 0x03 },
      { name: 'Write Default Link Policy Settings', defaultLinkPolicySettings: o.linkPolicy ?? 0x0005 },
    );
    this.initRemaining = init.length;
    for (const c of init) this.flow.submit(c, 'init');
  }

  receive(h4Bytes: Uint8Array, now: number): void {
    this.now = now;
    this.framer.push(h4Bytes);
    for (let item = this.framer.poll(); item !== undefined; item = this.framer.poll()) {
      if (item instanceof BluetoothError) this.emit({ type: 'error', error: item, fatal: true });
      else this.handlePacket(item);
    }
    // Silence is measured from the latest bytes: a stream that keeps coming is not stuck.
    this.partialSince = this.options.byteStream && this.framer.pending > 0 ? now : undefined;
  }

  /** The next H4 packet for the controller: a command when one may go, else an ACL fragment (a view of its PDU's buffer). */
  pollTransmit(): Uint8Array | undefined {
    const cmd = this.flow.poll(this.now);
    let bytes: Uint8Array | undefined;
    if (cmd) {
      bytes = new Uint8Array(1 + cmd.bytes.length);
      bytes[0] = H4_INDICATOR.COMMAND;
      bytes.set(cmd.bytes, 1);
    } else {
      bytes = this.scheduler.poll();
    }
    if (bytes) {
      this.stats.txPackets++;
      if (this.tracePackets) this.emit({ type: 'packet', direction: 'tx', bytes });
    }
    return bytes;
  }

  pollEvent(): HostEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): number | undefined {
    return earliest(this.flow.nextDeadline(), this.partialSince === undefined ? undefined : this.partialSince + PARTIAL_PACKET_TIMEOUT_MS);
  }

  handleTimeout(now: number): void {
    this.now = now;
    if (this.partialSince !== undefined && now >= this.partialSince + PARTIAL_PACKET_TIMEOUT_MS) {
      this.partialSince = undefined;
      const pending = this.framer.pending;
      this.emit({ type: 'error', error: this.framer.abandon(`no byte came for ${PARTIAL_PACKET_TIMEOUT_MS} ms in the middle of a packet (${pending} octets of it came): the stream is desynchronised (bytes were lost)`), fatal: true });
    }
    for (const c of this.flow.expire(now)) {
      this.stats.commandTimeouts++;
      this.emit({ type: 'error', error: new TimeoutError(`HCI command ${c.command.name}`, `no Command Complete/Status for ${c.command.name} within ${this.flow.timeoutMs} ms: the controller is not responding (check the transport, or reset the controller)`) });
      this.failed(c, HCI_STATUS.UNSPECIFIED_ERROR, true);
    }
  }

  /** Sends any command; its Command Complete or Command Status raises 'command-complete' with the returned token. */
  sendCommand(cmd: HciCommand, now: number): number {
    this.now = now;
    return this.flow.submit(cmd, 'user');
  }

  createConnection(addr: BdAddr, now: number): number {
    const address = parseBdAddr(addr);
    this.now = now;
    const cached = this.inquiryCache.get(address);
    this.outgoing.add(address);
    return this.flow.submit(
      {
        name: 'Create Connection',
        bdaddr: address,
        packetType: ACL_PACKET_TYPES,
        pageScanRepetitionMode: cached?.pageScanRepetitionMode ?? DEFAULT_PAGE_SCAN_REPETITION_MODE,
        reserved: 0,
        clockOffset: cached ? cached.clockOffset | CLOCK_OFFSET_VALID : 0,
        allowRoleSwitch: 1,
      },
      'connect',
    );
  }

  /** Accepts a pending incoming connection (acceptPolicy 'manual'); role 0x01 stays peripheral. */
  acceptConnection(addr: BdAddr, now: number, role: number = ROLE.REMAIN_PERIPHERAL): number {
    this.now = now;
    return this.flow.submit({ name: 'Accept Connection Request', bdaddr: parseBdAddr(addr), role }, 'host');
  }

  rejectConnection(addr: BdAddr, reason: number, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Reject Connection Request', bdaddr: parseBdAddr(addr), reason }, 'host');
  }

  disconnect(handle: number, reason: number, now: number): number {
    if (!this.links.has(handle)) throw new InvalidStateError(`no ACL link with handle 0x${handle.toString(16)} to disconnect`);
    this.now = now;
    const token = this.flow.submit({ name: 'Disconnect', handle, reason }, 'host');
    this.transition(handle, CONNECTION_EVENT.DISCONNECT);
    return token;
  }

  startInquiry(opts: InquiryOptions, now: number): number {
    const durationUnits = opts.durationUnits ?? 8;
    if (!Number.isInteger(durationUnits) || durationUnits < 1 || durationUnits > 0x30) {
      throw new ArgumentError(`inquiry duration must be 1..48 units of 1.28 s, got ${durationUnits}`);
    }
    this.now = now;
    this.inquiring = true;
    return this.flow.submit({ name: 'Inquiry', lap: opts.lap ?? GIAC_LAP, inquiryLength: durationUnits, numResponses: opts.maxResponses ?? 0 }, 'inquiry');
  }

  cancelInquiry(now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Inquiry Cancel' }, 'inquiry-cancel');
  }

  remoteNameRequest(addr: BdAddr, now: number): number {
    const address = parseBdAddr(addr);
    this.now = now;
    const cached = this.inquiryCache.get(address);
    return this.flow.submit(
      {
        name: 'Remote Name Request',
        bdaddr: address,
        pageScanRepetitionMode: cached?.pageScanRepetitionMode ?? DEFAULT_PAGE_SCAN_REPETITION_MODE,
        reserved: 0,
        clockOffset: cached ? cached.clockOffset | CLOCK_OFFSET_VALID : 0,
      },
      'name',
    );
  }

  /** Octets of L2CAP frames queued on link `handle` and not yet handed to the controller in full. */
  queuedBytes(handle: number): number {
    return this.scheduler.queuedBytes(handle);
  }

  /** Whether link `handle` can take another PDU now. */
  hasRoom(handle: number): boolean {
    return this.scheduler.hasRoom(handle);
  }

  /** A producer on link `handle` has a PDU to send: the link gets a turn from `nextSendable` once it has room. */
  requestSend(handle: number): void {
    this.scheduler.requestSend(handle);
  }

  /** The next link whose turn it is to send one PDU (it asked and has room), or undefined. */
  nextSendable(): number | undefined {
    return this.scheduler.nextSendable();
  }

  /** An L2CAP PDU of `length` octets for link `handle`, laid out as the H4 ACL packets that carry it: write it, then `queuePdu`. */
  allocatePdu(handle: number, length: number): AclTxPdu {
    return this.scheduler.allocate(handle, length);
  }

  /** Queues a written PDU on its link; false (counted) when the link is not up. */
  queuePdu(pdu: AclTxPdu): boolean {
    return this.scheduler.enqueue(pdu);
  }

  /**
   * Queues a whole L2CAP frame given as bytes (copied once into its ACL packets); false (counted)
   * when the link is unknown. It is queued even when the link has no room: for tools and tests
   * that pace themselves; the stack's producers wait for their turn instead.
   */
  sendL2cap(handle: number, pdu: Uint8Array): boolean {
    if (!this.scheduler.hasLink(handle)) {
      this.scheduler.stats.noLink++;
      return false;
    }
    const out = this.scheduler.allocate(handle, pdu.length);
    out.put(pdu);
    return this.scheduler.enqueue(out);
  }

  // Security command helpers: the pairing state machine above decides; these only send.

  replyLinkKey(addr: BdAddr, linkKey: Uint8Array, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Link Key Request Reply', bdaddr: parseBdAddr(addr), linkKey }, 'host');
  }

  negativeLinkKey(addr: BdAddr, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Link Key Request Negative Reply', bdaddr: parseBdAddr(addr) }, 'host');
  }

  ioCapabilityReply(addr: BdAddr, caps: { ioCapability: number; oobDataPresent?: number; authenticationRequirements: number }, now: number): number {
    this.now = now;
    return this.flow.submit(
      { name: 'IO Capability Request Reply', bdaddr: parseBdAddr(addr), ioCapability: caps.ioCapability, oobDataPresent: caps.oobDataPresent ?? 0, authenticationRequirements: caps.authenticationRequirements },
      'host',
    );
  }

  ioCapabilityNegativeReply(addr: BdAddr, reason: number, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'IO Capability Request Negative Reply', bdaddr: parseBdAddr(addr), reason }, 'host');
  }

  userConfirmationReply(addr: BdAddr, accept: boolean, now: number): number {
    this.now = now;
    const bdaddr = parseBdAddr(addr);
    return this.flow.submit(accept ? { name: 'User Confirmation Request Reply', bdaddr } : { name: 'User Confirmation Request Negative Reply', bdaddr }, 'host');
  }

  /** Replies with a passkey (0..999999), or refuses when `passkey` is undefined. */
  userPasskeyReply(addr: BdAddr, passkey: number | undefined, now: number): number {
    this.now = now;
    const bdaddr = parseBdAddr(addr);
    if (passkey === undefined) return this.flow.submit({ name: 'User Passkey Request Negative Reply', bdaddr }, 'host');
    if (!Number.isInteger(passkey) || passkey < 0 || passkey > 999_999) throw new ArgumentError(`a passkey is 0..999999, got ${passkey}`);
    return this.flow.submit({ name: 'User Passkey Request Reply', bdaddr, numericValue: passkey }, 'host');
  }

  /** Replies with a legacy PIN (1..16 octets, a string is UTF-8), or refuses when `pin` is undefined. */
  pinCodeReply(addr: BdAddr, pin: string | Uint8Array | undefined, now: number): number {
    this.now = now;
    const bdaddr = parseBdAddr(addr);
    if (pin === undefined) return this.flow.submit({ name: 'PIN Code Request Negative Reply', bdaddr }, 'host');
    const b = typeof pin === 'string' ? utf8(pin) : pin;
    if (b.length < 1 || b.length > 16) throw new ArgumentError(`a PIN is 1..16 octets, got ${b.length}`);
    const pinCode = new Uint8Array(16);
    pinCode.set(b);
    return this.flow.submit({ name: 'PIN Code Request Reply', bdaddr, pinCodeLength: b.length, pinCode }, 'host');
  }

  authenticationRequested(handle: number, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Authentication Requested', handle }, 'host');
  }

  setConnectionEncryption(handle: number, enable: boolean, now: number): number {
    this.now = now;
    return this.flow.submit({ name: 'Set Connection Encryption', handle, encryptionEnable: enable ? 1 : 0 }, 'host');
  }

  private emit(ev: HostEvent): void {
    this.events.push(ev);
  }

  /**
   * With `byteStream`: why the header at `b[at]` cannot begin a packet from this controller, or
   * undefined. A controller sends events and ACL data on links it reported (no SCO or ISO: this host
   * never accepts such links), so anything else means the framing slipped.
   */
  private implausible(b: Uint8Array, at: number): string | undefined {
    const indicator = b[at];
    if (indicator === H4_INDICATOR.EVENT) {
      const code = b[at + 1];
      if (code === COMMAND_COMPLETE_CODE || code === EVENT_CODE.LE_META || code === EVENT_CODE.VENDOR || eventSpecByCode(code)) return undefined;
      return `event code 0x${code.toString(16).padStart(2, '0')} is not one a controller sends`;
    }
    if (indicator === H4_INDICATOR.ACL) {
      const handle = (b[at + 1] | (b[at + 2] << 8)) & 0x0fff;
      return this.links.has(handle) ? undefined : `ACL data for handle 0x${handle.toString(16)}, which is not up`;
    }
    return `packet indicator 0x${indicator.toString(16).padStart(2, '0')} is not one a controller sends this host`;
  }

  private handlePacket(bytes: Uint8Array): void {
    this.stats.rxPackets++;
    if (this.tracePackets) this.emit({ type: 'packet', direction: 'rx', bytes });
    // The two packets of every transfer, read in place: ACL data and Number Of Completed Packets.
    if (bytes[0] === H4_INDICATOR.ACL && bytes.length >= 5 && (bytes[3] | (bytes[4] << 8)) === bytes.length - 5) {
      const flags = bytes[1] | (bytes[2] << 8);
      this.handleAcl(flags & 0x0fff, (flags >>> 12) & 0b11, (flags >>> 14) & 0b11, view(bytes, 5, bytes.length));
      return;
    }
    if (bytes[0] === H4_INDICATOR.EVENT && bytes[1] === EVENT_CODE.NUMBER_OF_COMPLETED_PACKETS && bytes.length === 4 + 4 * bytes[3] && bytes[2] === bytes.length - 3) {
      for (let i = 0, at = 4; i < bytes[3]; i++, at += 4) this.scheduler.completed((bytes[at] | (bytes[at + 1] << 8)) & 0x0fff, bytes[at + 2] | (bytes[at + 3] << 8));
      return;
    }
    let packet;
    try {
      packet = decodeHciPacket(bytes);
    } catch (e) {
      if (!(e instanceof BluetoothError)) throw e;
      this.stats.ignoredEvents++;
      return;
    }
    if (packet.type === 'event') this.handleEvent(packet.event);
  }

  private handleAcl(handle: number, pb: number, bc: number, data: Uint8Array): void {
    if (!this.links.has(handle)) {
      this.stats.aclUnknownHandle++;
      this.emit({ type: 'error', error: new DecodeError('hci', 'ACL data', 0, `ACL data for handle 0x${handle.toString(16)}, which is not up: dropped`) });
      return;
    }
    if (this.damaged.has(handle)) {
      this.stats.aclAfterDamage++;
      return;
    }
    const pdu = this.reassembler.pushFragment(handle, pb, bc, data);
    const anomaly = this.reassembler.anomaly;
    if (anomaly) {
      this.stats.aclAnomalies++;
      if (this.options.aclDamage === 'end-link') return this.endDamagedLink(handle, anomaly);
      const message = `handle 0x${handle.toString(16)}: ${anomaly}`;
      this.emit({ type: 'error', error: new DecodeError('hci', 'ACL data', 0, message), handle });
      const lost = this.reassembler.lost;
      if (lost) this.emit({ type: 'l2cap-pdu-dropped', handle, cid: lost.cid, length: lost.length, head: lost.head, message });
    }
    if (pdu) this.emit({ type: 'l2cap-pdu', handle, pdu });
  }

  /**
   * With `aclDamage: 'end-link'`: ACL fragments that do not fit together mean bytes were lost or
   * changed on the way (or a peer broke fragmentation: the host cannot tell which). Nothing more is delivered
   * from that link, and it is disconnected, so that neither end takes a stream with a gap in it
   * for a whole one.
   */
  private endDamagedLink(handle: number, anomaly: string): void {
    this.damaged.add(handle);
    this.reassembler.remove(handle);
    const message = `handle 0x${handle.toString(16)}: ${anomaly}; bytes were lost or changed on the way, so the link is disconnected rather than deliver a stream with a gap (aclDamage: 'end-link')`;
    this.emit({ type: 'error', error: new DecodeError('hci', 'ACL data', 0, message), handle });
    this.flow.submit({ name: 'Disconnect', handle, reason: HCI_STATUS.REMOTE_USER_TERMINATED_CONNECTION }, 'host');
    if (this.links.has(handle)) this.transition(handle, CONNECTION_EVENT.DISCONNECT);
  }

  /**
   * The only writer of a link's state (connection-state.ts): a handle that is not up starts from
   * CLOSED, one that reaches CLOSED is forgotten; an undefined edge becomes an 'error' event.
   */
  private transition(handle: number, event: ConnectionEvent): void {
    const link = this.linkStates.get(handle) ?? { state: CONNECTION_STATE.CLOSED };
    const fault = this.machine.transition(link, handle, event, this.now);
    if (fault) this.emit({ type: 'error', error: new ProtocolError(fault.message), handle });
    if (link.state === CONNECTION_STATE.CLOSED) this.linkStates.delete(handle);
    else this.linkStates.set(handle, link);
  }

  /**
   * A Connection Complete for a handle that is up: the controller reused the handle without a
   * Disconnection Complete for the old link (btvirt does when a client reconnects). The old link
   * ends as lost (reason 0x08, connection timeout) before the new one is taken.
   */
  private replaceLink(handle: number, address: BdAddr): void {
    const old = this.links.get(handle)!;
    this.emit({
      type: 'error',
      error: new ProtocolError(`Connection Complete for handle 0x${handle.toString(16)} (${address}), which is already up (${old.address}) with no Disconnection Complete: the old link ends as lost`),
      handle,
    });
    this.links.delete(handle);
    this.transition(handle, CONNECTION_EVENT.HANDLE_REUSED);
    this.damaged.delete(handle);
    this.scheduler.removeLink(handle);
    this.reassembler.remove(handle);
    this.emit({ type: 'disconnected', handle, reason: HCI_STATUS.CONNECTION_TIMEOUT });
  }

  private handleEvent(ev: HciEvent): void {
    switch (ev.name) {
      case 'Command Complete':
      case 'Command Status':
        this.handleCompletion(ev);
        return;
      case 'Number Of Completed Packets':
        for (const h of ev.handles) this.scheduler.completed(h.handle & 0x0fff, h.numCompletedPackets);
        return;
      case 'Connection Request':
        this.handleConnectionRequest(ev.bdaddr, ev.classOfDevice, ev.linkType);
        return;
      case 'Connection Complete': {
        if (ev.linkType !== LINK_TYPE.ACL) return;
        const initiator = this.outgoing.delete(ev.bdaddr);
        const handle = ev.handle & 0x0fff;
        if (ev.status === HCI_STATUS.SUCCESS) {
          if (this.links.has(handle)) this.replaceLink(handle, ev.bdaddr);
          this.links.set(handle, { address: ev.bdaddr, initiator });
          this.transition(handle, CONNECTION_EVENT.CONNECTION_COMPLETE);
          this.scheduler.addLink(handle);
        }
        this.emit({ type: 'connection-complete', status: ev.status, handle, address: ev.bdaddr, initiator });
        return;
      }
      case 'Disconnection Complete': {
        const handle = ev.handle & 0x0fff;
        if (ev.status !== HCI_STATUS.SUCCESS) {
          this.emit({ type: 'error', error: hciStatusError(ev.status, `Disconnect of handle 0x${handle.toString(16)}`) });
          if (this.links.has(handle)) this.transition(handle, CONNECTION_EVENT.DISCONNECT_FAILED);
          return;
        }
        this.damaged.delete(handle);
        if (!this.links.delete(handle)) return;
        this.transition(handle, CONNECTION_EVENT.DISCONNECTION_COMPLETE);
        this.scheduler.removeLink(handle);
        this.reassembler.remove(handle);
        this.emit({ type: 'disconnected', handle, reason: ev.reason });
        return;
      }
      case 'Inquiry Result':
        for (const r of ev.responses) this.inquiryResult(r.bdaddr, r.pageScanRepetitionMode, r.clockOffset, r.classOfDevice, undefined, undefined);
        return;
      case 'Inquiry Result with RSSI':
        for (const r of ev.responses) this.inquiryResult(r.bdaddr, r.pageScanRepetitionMode, r.clockOffset, r.classOfDevice, r.rssi, undefined);
        return;
      case 'Extended Inquiry Result':
        this.inquiryResult(ev.bdaddr, ev.pageScanRepetitionMode, ev.clockOffset, ev.classOfDevice, ev.rssi, eirName(ev.extendedInquiryResponse));
        return;
      case 'Inquiry Complete':
        this.inquiring = false;
        this.emit({ type: 'inquiry-complete', status: ev.status });
        return;
      case 'Remote Name Request Complete':
        this.emit({ type: 'remote-name', address: ev.bdaddr, status: ev.status, name: ev.remoteName });
        return;
      case 'Hardware Error':
        this.emit({ type: 'error', error: new ControllerError(ev.name, ev.hardwareCode, `controller reported Hardware Error 0x${ev.hardwareCode.toString(16).padStart(2, '0')}: reset the controller (restart the stack)`) });
        return;
      case 'Data Buffer Overflow':
        this.emit({ type: 'error', error: new ControllerError(ev.name, ev.linkType, `controller reported ${ev.name} (link type ${ev.linkType}): the host sent more packets than the controller has buffers`) });
        return;
      case 'Unknown Event':
        this.unknownEvent(ev.code, ev.params);
        return;
      default:
        if (SECURITY_EVENTS.has(ev.name)) this.emit({ type: 'security', event: ev });
        else this.stats.ignoredEvents++;
    }
  }

  /** A malformed Remote Name Request Complete (name not valid UTF-8) still answers the request. */
  private unknownEvent(code: number, params: Uint8Array): void {
    if (code === EVENT_CODE.REMOTE_NAME_REQUEST_COMPLETE && params.length === 255) {
      const raw = params.subarray(7);
      const end = raw.indexOf(0);
      this.emit({ type: 'remote-name', address: bdAddrFromBytes(params, 1), status: params[0], name: fromUtf8(end < 0 ? raw : raw.subarray(0, end)) });
      return;
    }
    this.stats.ignoredEvents++;
  }

  private inquiryResult(address: BdAddr, pageScanRepetitionMode: number, clockOffset: number, classOfDevice: number, rssi: number | undefined, name: string | undefined): void {
    this.inquiryCache.delete(address);
    this.inquiryCache.set(address, { pageScanRepetitionMode, clockOffset: clockOffset & 0x7fff });
    const cap = this.options.inquiryCacheSize ?? 64;
    while (this.inquiryCache.size > cap) this.inquiryCache.delete(this.inquiryCache.keys().next().value as BdAddr);
    const ev: { type: 'inquiry-result'; address: BdAddr; classOfDevice: number; rssi?: number; name?: string } = { type: 'inquiry-result', address, classOfDevice };
    if (rssi !== undefined) ev.rssi = rssi;
    if (name !== undefined) ev.name = name;
    this.emit(ev);
  }

  private handleConnectionRequest(address: BdAddr, classOfDevice: number, linkType: number): void {
    if (linkType !== LINK_TYPE.ACL) {
      this.flow.submit({ name: 'Reject Connection Request', bdaddr: address, reason: HCI_STATUS.CONNECTION_REJECTED_LIMITED_RESOURCES }, 'host');
      return;
    }
    if (this.acceptPolicy === 'auto') this.flow.submit({ name: 'Accept Connection Request', bdaddr: address, role: ROLE.REMAIN_PERIPHERAL }, 'host');
    else if (this.acceptPolicy === 'reject') this.flow.submit({ name: 'Reject Connection Request', bdaddr: address, reason: HCI_STATUS.CONNECTION_REJECTED_LIMITED_RESOURCES }, 'host');
    else this.emit({ type: 'connection-request', address, classOfDevice });
  }

  private handleCompletion(ev: HciEvent & { name: 'Command Complete' | 'Command Status' }): void {
    const c = this.flow.complete(ev.opcode, ev.numHciCommandPackets);
    if (!c) return;
    const status = completionStatus(ev) ?? HCI_STATUS.SUCCESS;
    this.emit({ type: 'command-complete', token: c.token, opcode: c.opcode, status, event: ev });
    if (status !== HCI_STATUS.SUCCESS) {
      this.failed(c, status, false);
      return;
    }
    if (ev.name === 'Command Complete') this.completed(c, ev);
  }

  private completed(c: QueuedCommand<Origin>, ev: HciEvent): void {
    const addr = commandReturns(ev, 'Read BD_ADDR');
    if (addr) this.bdAddr = addr.bdaddr;
    const commands = commandReturns(ev, 'Read Local Supported Commands');
    if (commands) this.localCommands = commands.supportedCommands;
    const buffers = commandReturns(ev, 'Read Buffer Size');
    if (buffers) this.scheduler.setBuffers(buffers.aclDataPacketLength, buffers.totalNumAclDataPackets);
    if (c.tag === 'inquiry-cancel' && this.inquiring) {
      this.inquiring = false;
      this.emit({ type: 'inquiry-complete', status: HCI_STATUS.SUCCESS });
    }
    if (c.tag === 'init') this.initStep();
  }

  /** A command that failed (status ≠ 0) or timed out (already reported as a TimeoutError). */
  private failed(c: QueuedCommand<Origin>, status: number, timedOut: boolean): void {
    const cmd = c.command;
    switch (c.tag) {
      case 'connect':
        if (cmd.name === 'Create Connection') {
          this.outgoing.delete(cmd.bdaddr);
          this.emit({ type: 'connection-complete', status, handle: 0, address: cmd.bdaddr, initiator: true });
        }
        return;
      case 'name':
        if (cmd.name === 'Remote Name Request') this.emit({ type: 'remote-name', address: cmd.bdaddr, status, name: '' });
        return;
      case 'inquiry':
        this.inquiring = false;
        this.emit({ type: 'inquiry-complete', status });
        return;
      case 'user':
        // Whoever sent it waits for its token: a timeout completes it too, with the failure status.
        if (timedOut) this.emit({ type: 'command-complete', token: c.token, opcode: c.opcode, status });
        return;
      case 'init':
        if (!timedOut) this.emit({ type: 'error', error: hciStatusError(status, `HCI init command ${cmd.name}`) });
        this.initStep();
        return;
      default:
        if (!timedOut) this.emit({ type: 'error', error: hciStatusError(status, `HCI command ${cmd.name}`) });
    }
  }

  private initStep(): void {
    this.initRemaining--;
    if (this.initRemaining > 0 || this.isReady) return;
    this.isReady = true;
    this.emit({ type: 'ready', address: this.bdAddr ?? '00:00:00:00:00:00' });
  }
}

