/**
 * An emulated BR/EDR controller speaking H4 (Core v5.4 Vol 4 Part A §2, Part E). Pure and driven by
 * time as an argument (DESIGN.md rules 1–3): the host's bytes enter `receive(bytes, now)` in any
 * chunking; packets to the host come out of `pollTransmit()`; `pollTimeout()`/`handleTimeout(now)`
 * run the simulated radio (inquiry, paging, transmission). Controllers on one `VirtualLink` page,
 * inquire, exchange ACL data and pair with each other in process.
 *
 * Rules:
 * - every command is answered with Command Complete or Command Status (Num_HCI_Command_Packets = 1);
 *   an opcode it does not implement gets Command Complete with Unknown HCI Command (0x01), a wrong
 *   parameter length Invalid HCI Command Parameters (0x12);
 * - events masked by Set Event Mask are not sent (Command Complete, Command Status and Number Of
 *   Completed Packets are never masked), unless `honourEventMask` is false;
 * - the host holds at most `aclCount` ACL buffers; a packet beyond them is dropped with a Data
 *   Buffer Overflow event; each buffer is returned with Number Of Completed Packets once sent;
 * - `onWake` is called whenever output or a new deadline appears, also when a peer caused it, so a
 *   transport knows when to drain; the output queue to the host holds at most `hostQueueCapacity`
 *   packets (overflow is dropped and counted).
 */
import { ArgumentError, BoundedQueue, parseBdAddr, utf8, type BdAddr } from '../../core/index.js';
import { MAX_CONNECTION_HANDLE } from '../../hci/index.js';
import { handleCommand } from './commands.js';
import { ConnectionManager } from './connections.js';
import { DEFAULT_EVENT_MASK, EVT, INQUIRY_MODE } from './constants.js';
import { encodeAcl, encodeCommandComplete, encodeCommandStatus, encodeCompletedPackets, encodeEvent, HostPacketFramer, type HostPacketSink, pack, padded } from './h4.js';
import { InquiryProcedure } from './inquiry.js';
import type { VirtualLink } from './link.js';
import { RemoteNameProcedure } from './remote-name.js';
import { Scheduler, type Action } from './scheduler.js';

export interface VirtualControllerOptions {
  /** BD_ADDR; by default the link allocates `00:AA:01:01:00:NN`. */
  address?: BdAddr;
  /** The local name after Reset (Write Local Name changes it). */
  name?: string;
  classOfDevice?: number;
  /** HC_ACL_Data_Packet_Length of Read Buffer Size, 27..1021 (default 1021). */
  aclSize?: number;
  /** HC_Total_Num_ACL_Data_Packets, 1..64 (default 8). */
  aclCount?: number;
  /** ACL links the controller holds at once, 1..3840 (default 3840: every connection handle 0x000..0xEFF). */
  maxConnections?: number;
  /** Factor applied to simulated radio durations (inquiry length, page timeout); default 0.01. */
  timeScale?: number;
  /** Time an ACL packet spends in the controller before it is sent, ms (default 0). */
  aclAirTimeMs?: number;
  /** RSSI reported in inquiry results, dBm (default -50). */
  rssi?: number;
  /**
   * Key_Size, in octets, that Read Encryption Key Size reports for every connection, 1..16 (default
   * 16). A small value emulates a link whose key length a KNOB attacker (CVE-2019-9506) negotiated down.
   */
  encryptionKeySize?: number;
  /** Cap of the queue of packets to the host (default 16384). */
  hostQueueCapacity?: number;
  honourEventMask?: boolean;
}

/** What Reset restores (Vol 4 Part E §7.3.2). */
export interface ControllerSettings {
  name: Uint8Array;
  classOfDevice: number;
  scanEnable: number;
  pageTimeoutSlots: number;
  acceptTimeoutSlots: number;
  inquiryMode: number;
  eir: Uint8Array | undefined;
  sspMode: boolean;
  scHost: boolean;
  leHost: boolean;
  authenticationEnable: number;
  eventMask: Uint8Array;
  defaultLinkPolicy: number;
  /** Set Event Filter, Connection Setup, all devices, Auto_Accept_Flag on (§7.3.3). */
  autoAccept: boolean;
  hostAclLength: number | undefined;
  /** Parameters of settings the emulation only stores and reads back, by their write opcode. */
  stored: Map<number, Uint8Array>;
}

export interface VirtualControllerStats {
  commands: number;
  unknownCommands: number;
  aclFromHost: number;
  aclToHost: number;
  dataBufferOverflows: number;
  droppedAclUnknownHandle: number;
  droppedAclOversized: number;
  droppedSco: number;
  maskedEvents: number;
  hostQueueOverflows: number;
  skippedBytes: number;
}

const UNMASKED = new Set<number>([EVT.COMMAND_COMPLETE, EVT.COMMAND_STATUS, EVT.NUMBER_OF_COMPLETED_PACKETS]);

export class VirtualController {
  readonly address: BdAddr;
  readonly aclSize: number;
  readonly aclCount: number;
  readonly maxConnections: number;
  readonly timeScale: number;
  readonly aclAirTimeMs: number;
  readonly rssi: number;
  readonly encryptionKeySize: number;
  readonly honourEventMask: boolean;
  readonly scheduler = new Scheduler();
  readonly connections: ConnectionManager;
  readonly inquiry: InquiryProcedure;
  readonly remoteName: RemoteNameProcedure;
  settings: ControllerSettings;
  /** Set by the transport: called when output or a deadline appears. */
  onWake: (() => void) | undefined;
  readonly stats: VirtualControllerStats = {
    commands: 0,
    unknownCommands: 0,
    aclFromHost: 0,
    aclToHost: 0,
    dataBufferOverflows: 0,
    droppedAclUnknownHandle: 0,
    droppedAclOversized: 0,
    droppedSco: 0,
    maskedEvents: 0,
    hostQueueOverflows: 0,
    skippedBytes: 0,
  };
  private readonly defaultName: string;
  private readonly defaultClass: number;
  private readonly framer = new HostPacketFramer();
  private readonly out: BoundedQueue<Uint8Array>;
  private attached = true;

  constructor(
    readonly link: VirtualLink,
    options: VirtualControllerOptions = {},
  ) {
    const aclSize = options.aclSize ?? 1021;
    const aclCount = options.aclCount ?? 8;
    if (!Number.isInteger(aclSize) || aclSize < 27 || aclSize > 1021) {
      throw new ArgumentError(`aclSize ${aclSize} is outside 27..1021 (the BR/EDR ACL data lengths a controller may announce)`);
    }
    if (!Number.isInteger(aclCount) || aclCount < 1 || aclCount > 64) throw new ArgumentError(`aclCount ${aclCount} is outside 1..64`);
    const maxConnections = options.maxConnections ?? MAX_CONNECTION_HANDLE + 1;
    if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_CONNECTION_HANDLE + 1) {
      throw new ArgumentError(`maxConnections ${maxConnections} is outside 1..${MAX_CONNECTION_HANDLE + 1} (the connection handles 0x000..0x${MAX_CONNECTION_HANDLE.toString(16)})`);
    }
    const encryptionKeySize = options.encryptionKeySize ?? 16;
    if (!Number.isInteger(encryptionKeySize) || encryptionKeySize < 1 || encryptionKeySize > 16) {
      throw new ArgumentError(`encryptionKeySize ${encryptionKeySize} is outside 1..16 (encryption key lengths in octets)`);
    }
    this.address = options.address ? parseBdAddr(options.address) : link.allocateAddress();
    this.aclSize = aclSize;
    this.aclCount = aclCount;
    this.maxConnections = maxConnections;
    this.timeScale = options.timeScale ?? 0.01;
    this.aclAirTimeMs = options.aclAirTimeMs ?? 0;
    this.rssi = options.rssi ?? -50;
    this.encryptionKeySize = encryptionKeySize;
    this.honourEventMask = options.honourEventMask ?? true;
    this.defaultName = options.name ?? `virtual ${this.address}`;
    this.defaultClass = options.classOfDevice ?? 0;
    this.out = new BoundedQueue(options.hostQueueCapacity ?? 16384);
    this.settings = this.initialSettings();
    this.connections = new ConnectionManager(this);
    this.inquiry = new InquiryProcedure(this);
    this.remoteName = new RemoteNameProcedure(this);
    link.attach(this);
  }

  /** Bytes from the host, any chunking. */
  receive(bytes: Uint8Array, now: number): void {
    this.receivedAt = now;
    this.framer.push(bytes, this.fromHost);
    this.stats.skippedBytes = this.framer.skippedBytes;
  }

  /** The time of the bytes being framed, for the packets they hold. */
  private receivedAt = 0;
  private readonly fromHost: HostPacketSink = {
    command: (opcode, params) => {
      this.stats.commands++;
      handleCommand(this, opcode, params, this.receivedAt);
    },
    acl: (handle, pb, _bc, data) => {
      this.stats.aclFromHost++;
      this.connections.hostAcl(handle, pb, data, this.receivedAt);
    },
    sco: () => {
      this.stats.droppedSco++;
    },
  };

  /** One whole H4 packet for the host. */
  pollTransmit(): Uint8Array | undefined {
    return this.out.shift();
  }

  pollTimeout(): number | undefined {
    return this.scheduler.next();
  }

  handleTimeout(now: number): void {
    this.scheduler.runDue(now);
  }

  /** Powers the controller off: peers see their links end (reason 0x15), the link forgets it. */
  detach(now: number): void {
    if (!this.attached) return;
    this.attached = false;
    this.connections.dropAll(now, 0x15);
    this.inquiry.abort();
    this.remoteName.abort();
    this.scheduler.clear();
    this.link.detach(this);
  }

  /** The name as a string (up to the first NUL). */
  get localName(): string {
    const n = this.settings.name;
    const end = n.indexOf(0);
    return new TextDecoder().decode(end < 0 ? n : n.subarray(0, end));
  }

  // ---- used by the procedures ----

  /** Reset (§7.3.2): links end without notice to the peer beyond a timeout, settings return to defaults. */
  reset(now: number): void {
    this.connections.dropAll(now, 0x08);
    this.inquiry.abort();
    this.remoteName.abort();
    this.scheduler.clear();
    this.settings = this.initialSettings();
  }

  /** A simulated radio duration scaled by `timeScale`. */
  scaled(ms: number): number {
    return ms * this.timeScale;
  }

  schedule(at: number, run: Action): number {
    const id = this.scheduler.at(at, run);
    this.wake();
    return id;
  }

  /** ACL data from `from` over the air. */
  receiveAir(from: BdAddr, pb: number, data: Uint8Array, now: number): void {
    if (!this.attached) return;
    this.connections.airAcl(from, pb, data, now);
    this.wake();
  }

  /** Runs `run` now, or at `at` when that is later (delivery over the air). */
  deliver(at: number, now: number, run: Action): void {
    if (!this.attached) return;
    if (at <= now) {
      run(now);
      this.wake();
    } else {
      this.schedule(at, run);
    }
  }

  event(code: number, params: Uint8Array): void {
    if (this.honourEventMask && !UNMASKED.has(code) && code >= 1 && code <= 64) {
      const bit = code - 1;
      if ((this.settings.eventMask[bit >> 3] & (1 << (bit & 7))) === 0) {
        this.stats.maskedEvents++;
        return;
      }
    }
    this.push(encodeEvent(code, params));
  }

  /** Number Of Completed Packets for one handle (never masked: the host's buffer accounting needs it). */
  completedPackets(handle: number, count: number): void {
    this.push(encodeCompletedPackets(handle, count));
  }

  complete(opcode: number, ...returnParams: (number | Uint8Array)[]): void {
    this.push(encodeCommandComplete(opcode, pack(...returnParams)));
  }

  status(status: number, opcode: number): void {
    this.push(encodeCommandStatus(status, opcode));
  }

  acl(handle: number, pb: number, data: Uint8Array): void {
    this.stats.aclToHost++;
    this.push(encodeAcl(handle, pb, 0, data));
  }

  private push(packet: Uint8Array): void {
    if (!this.out.push(packet)) this.stats.hostQueueOverflows++;
    this.wake();
  }

  private wake(): void {
    this.onWake?.();
  }

  private initialSettings(): ControllerSettings {
    return {
      name: padded(utf8(this.defaultName), 248),
      classOfDevice: this.defaultClass,
      scanEnable: 0,
      pageTimeoutSlots: 0x2000,
      acceptTimeoutSlots: 0x1f40,
      inquiryMode: INQUIRY_MODE.STANDARD,
      eir: undefined,
      sspMode: false,
      scHost: false,
      leHost: false,
      authenticationEnable: 0,
      eventMask: Uint8Array.from(DEFAULT_EVENT_MASK),
      defaultLinkPolicy: 0,
      autoAccept: false,
      hostAclLength: undefined,
      stored: new Map(),
    };
  }
}
