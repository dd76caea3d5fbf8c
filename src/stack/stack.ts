/**
 * The composed stack: HCI host, L2CAP, RFCOMM and SDP behind one sans-I/O surface
 * (DESIGN.md "Layers and the way data flows", docs/layers.md).
 *
 *   receive(h4, now) → HciHost → 'l2cap-pdu' → L2capManager → channel by PSM:
 *     PSM 3 → RfcommManager (one session per L2CAP channel) → DLC events
 *     PSM 1 → SdpServer (incoming) or an SdpClient (our queries)
 *     other → raw L2CAP channel events
 *   and the mirror image on the way down; `pollTransmit(now)` yields H4 packets for the controller.
 *
 * The stack also does what no single layer can: it pages a device when an operation needs a link
 * that is not up, opens the RFCOMM session (L2CAP PSM 3) before a DLC, runs SDP queries on their own
 * L2CAP channel, and disconnects a link it created once nothing uses it for `linkIdleMs`.
 *
 * The way down is pulled, one PDU at a time (DESIGN.md rules 8 and 10). A layer with something to
 * send only asks for a turn (RFCOMM session → its L2CAP channel → that channel's link → the HCI);
 * `pollTransmit(now)` takes the next H4 packet the controller may have, and when the HCI has none it
 * gives the next link that asked and has room its turn: L2CAP writes its signaling or a queued
 * SDU, or hands the turn to the RFCOMM session on the channel, which encodes its frame straight
 * from the DLC's queue into the ACL packets that leave (AclTxPdu). Nothing is produced that the
 * controller cannot take soon, so no queue between the layers can overflow: a DLC is writable only
 * when its frames can actually leave.
 * Every operation answers with events carrying the id it returned (src/stack/events.ts).
 *
 * This file only composes and routes; the Stack owns one instance of each module below:
 *   acl-links            links up, paging, idle disconnect
 *   security-gate        the security level a link must reach before a channel opens
 *   rfcomm-sessions      one RFCOMM session (L2CAP PSM 3) per link
 *   rfcomm-dlcs          RFCOMM channels (one id shared with RfcommManager), their events, SABMs held for security
 *   l2cap-raw-channels   L2CAP channels on any other PSM
 *   sdp-queries          our SDP queries, each on its own PSM 1 channel
 *   sdp-server-channels  the peer's PSM 1 channels to our SDP server
 *   event-queue          what `pollEvent` drains
 * An operation runs as link → security → channel: `AclLinks.withLink`, then `SecurityGate.secure`,
 * then the channel module's `open`; a failure at any step ends the operation with one event.
 */
import { earliest, parseBdAddr, ProtocolError, type BdAddr, type Uuid } from '../core/index.js';
import { type AclTxPdu, HciHost, type HciCommand, type HostEvent } from '../hci/index.js';
import { CONNECT_RESULT_TIMEOUT, L2capManager, type L2capEvent } from '../l2cap/index.js';
import { RfcommManager } from '../rfcomm/index.js';
import { SdpDatabase, SdpServer } from '../sdp/index.js';
import { checkSecurityLevel, SecurityManager, type SecurityLevel } from '../security/index.js';
import { AclLinks } from './acl-links.js';
import { EventQueue } from './event-queue.js';
import type { CloseDetail, StackEvent } from './events.js';
import { L2capRawChannels } from './l2cap-raw-channels.js';
import type { SdpRecord, StackOptions } from './options.js';
import { PSM_RFCOMM, PSM_SDP } from './psm.js';

import { RfcommDlcs } from './rfcomm-dlcs.js';
import { rfcommMtuFor } from './rfcomm-mtu.js';
import { RfcommSessions } from './rfcomm-sessions.js';
import { SdpQueries } from './sdp-queries.js';
import { SdpServerChannels } from './sdp-server-channels.js';
import { L2CAP_SECURITY_BLOCK, SecurityGate } from './security-gate.js';

export { PSM_SDP, PSM_RFCOMM } from './psm.js';
export type { SdpRecord, StackOptions } from './options.js';

/** What `requestSecurity` reports to its `done`: the level reached, or why not. */
export type SecurityOutcome = { ok: true } | ({ ok: false; reason: string } & Pick<CloseDetail, 'hciStatus' | 'securityFailure'>);

/** HCI reason 0x08, connection timeout (Core v5.4 Vol 1 Part F §1.3): a link the transport took down. */
const CONNECTION_TIMEOUT = 0x08;

export class Stack {
  readonly host: HciHost;
  readonly l2cap: L2capManager;
  readonly rfcomm: RfcommManager;
  readonly sdpDatabase = new SdpDatabase();
  readonly sdpServer: SdpServer;
  readonly security: SecurityManager;

  private readonly events: EventQueue;
  private readonly links: AclLinks;
  private readonly gate: SecurityGate;
  private readonly sessions: RfcommSessions;
  private readonly dlcs: RfcommDlcs;
  private readonly raw: L2capRawChannels;
  private readonly sdpQueries: SdpQueries;
  private readonly sdpServerChannels: SdpServerChannels;
  /** Whether the user named the RFCOMM MTU (else it follows the controller's ACL length). */
  private readonly rfcommMtuChosen: boolean;
  /** Tokens of commands sent through `command()`, whose completion is reported. */
  private readonly commandTokens = new Set<number>();
  /** Ids of channels and queries, never reused within one Stack. */
  private nextId = 1;
  /** Faults caught so far (`faults`). */
  private faultCount = 0;

  /** The options this stack was built with (what a recording needs to build the same stack again). */
  readonly options: StackOptions;

  constructor(options: StackOptions = {}) {
    this.options = options;
    const newId = (): number => this.nextId++;
    this.host = new HciHost(options.hci ?? {});
    this.security = new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, ...options.security });
    this.l2cap = new L2capManager({
      ...(options.l2capSendBufferBytes !== undefined ? { sendBufferBytes: options.l2capSendBufferBytes } : {}),
      ...options.l2cap,
    });
    this.rfcomm = new RfcommManager(options.rfcomm ?? {}, newId);
    this.sdpServer = new SdpServer(this.sdpDatabase);
    this.events = new EventQueue(options.maxEvents ?? 65536);
    this.links = new AclLinks(this.host, options.linkIdleMs ?? 2000);
    this.gate = new SecurityGate(this.security, this.host, this.l2cap);
    this.sessions = new RfcommSessions(this.l2cap, this.rfcomm, () => this.l2cap.psmMtu(PSM_RFCOMM));
    this.dlcs = new RfcommDlcs(this.rfcomm, this.sessions, this.links, this.gate, this.events, newId);
    this.raw = new L2capRawChannels(this.l2cap, this.events, newId);
    this.sdpQueries = new SdpQueries(this.l2cap, this.events, newId);
    this.sdpServerChannels = new SdpServerChannels(this.sdpServer, this.l2cap, this.events);
    this.l2cap.registerPsm(PSM_SDP, {});
    this.l2cap.registerPsm(PSM_RFCOMM, options.rfcommMtu !== undefined ? { mtu: options.rfcommMtu } : {});
    // An MTU named for RFCOMM, or for every PSM, is kept; else it follows the controller (rfcomm-mtu.ts).
    this.rfcommMtuChosen = options.rfcommMtu !== undefined || options.l2cap?.defaultMtu !== undefined;
  }

  // ---------------------------------------------------------------- sans-I/O surface

  start(now: number): void {
    this.host.start(now);
    this.pump(now);
  }

  /**
   * Bytes from the controller. Never throws: whatever a controller or a peer sends, a fault it
   * causes anywhere in the stack becomes an 'error' event and counts in `faults`, and the stack
   * goes on with its other links and channels.
   */
  receive(h4: Uint8Array, now: number): void {
    this.guarded(now, () => this.host.receive(h4, now));
  }

  /** Faults caught in `receive`, `handleTimeout` and `pollTransmit` (each also reported as an 'error' event). */
  get faults(): number {
    return this.faultCount;
  }

  /**
   * The next H4 packet for the controller (an ACL packet is a view of the buffer its PDU was written
   * into once; the transport may keep it). When the HCI has none that may go now, the next link
   * that asked and has room produces one PDU (see above). With tracing on, the host reports each
   * packet as a 'packet' event as it leaves, so the trace keeps the order in which packets really
   * crossed the transport.
   */
  pollTransmit(now: number): Uint8Array | undefined {
    try {
      for (;;) {
        const b = this.host.pollTransmit();
        if (b) {
          if (this.host.tracePackets) this.pump(now);
          return b;
        }
        if (!this.produce(now)) return undefined;
        this.pump(now);
      }
    } catch (err) {
      this.fault(err, 'producing a packet for the controller');
      return undefined;
    }
  }

  /** Whether every H4 packet in and out is reported as a 'packet' event (trace sinks turn it on; default off). */
  get tracing(): boolean {
    return this.host.tracePackets;
  }
  set tracing(on: boolean) {
    this.host.tracePackets = on;
  }

  pollEvent(): StackEvent | undefined {
    return this.events.poll();
  }

  pollTimeout(): number | undefined {
    let t = earliest(this.host.pollTimeout(), this.l2cap.pollTimeout());
    t = earliest(t, this.rfcomm.pollTimeout());
    t = earliest(t, this.security.pollTimeout());
    t = earliest(t, this.links.nextDeadline());
    return earliest(t, this.sdpQueries.pollTimeout());
  }

  /** Runs the timers that are due. Never throws (see `receive`). */
  handleTimeout(now: number): void {
    this.guarded(now, () => {
      this.host.handleTimeout(now);
      this.l2cap.handleTimeout(now);
      this.rfcomm.handleTimeout(now);
      this.security.handleTimeout(now);
      this.sdpQueries.handleTimeout(now);
      this.links.handleTimeout(now);
    });
  }

  /** The controller's address, once the init sequence read it ('ready'). */
  get address(): BdAddr {
    return this.host.address ?? '00:00:00:00:00:00';
  }

  /**
   * Sends any HCI command (research tools, controller settings); answers with a 'command-complete'
   * event carrying the returned token and the controller's status.
   */
  command(cmd: HciCommand, now: number): number {
    const token = this.host.sendCommand(cmd, now);
    this.commandTokens.add(token);
    this.pump(now);
    return token;
  }

  /** ACL links up now. */
  get linkCount(): number {
    return this.links.size;
  }

  /**
   * Starts a graceful shutdown: from now on every link (ours or the peer's) is disconnected as soon
   * as no channel uses it; channels still closing finish first.
   */
  shutdown(now: number): void {
    this.links.shutdown(now);
    this.pump(now);
  }

  /** Disconnects every link (HCI Disconnect, reason 0x15: the local device is powering off). */
  disconnectAll(now: number): void {
    this.links.disconnectAll(now);
    this.pump(now);
  }

  // ---------------------------------------------------------------- operations

  /** Starts an inquiry; results come as 'inquiry-result' and 'inquiry-complete'. */
  inquiry(durationUnits: number, maxResponses: number, now: number): void {
    this.host.startInquiry({ durationUnits, maxResponses }, now);
    this.pump(now);
  }

  remoteName(address: BdAddr, now: number): void {
    this.host.remoteNameRequest(parseBdAddr(address), now);
    this.pump(now);
  }

  /**
   * Registers an RFCOMM server channel (1–30; 0 picks a free one) and returns it. With a security
   * level, the peer's SABM for this channel is answered UA only once its link meets the level, and
   * DM when pairing fails (the DLC is never reported); other channels keep their own levels. An
   * unknown level throws ArgumentError here, before anything is registered.
   */
  listenRfcomm(channel: number, level: SecurityLevel = 'none'): number {
    checkSecurityLevel(level);
    const ch = channel === 0 ? this.rfcomm.allocateServerChannel() : channel;
    if (channel !== 0) this.rfcomm.registerServerChannel(ch);
    this.gate.setChannelLevel(ch, level);
    this.rfcomm.requireAuthorization(ch, level !== 'none');
    return ch;
  }

  unlistenRfcomm(channel: number): void {
    this.rfcomm.unregisterServerChannel(channel);
    this.gate.deleteChannelLevel(channel);
    this.rfcomm.requireAuthorization(channel, false);
  }

  /** Opens an RFCOMM channel to `address`; answers with 'rfcomm-open' or 'rfcomm-closed' for the id. */
  connectRfcomm(address: BdAddr, channel: number, now: number, level: SecurityLevel = 'none'): number {
    checkSecurityLevel(level);
    const addr = parseBdAddr(address);
    const id = this.dlcs.create(addr, channel);
    this.links.withLink(
      addr,
      now,
      (link, t) =>
        this.gate.secure(link.handle, level, t, (t2) => this.dlcs.open(link, id, channel, t2), (reason, detail) => this.dlcs.fail(id, 'security', reason, 0, detail)),
      (message, detail) => this.dlcs.fail(id, 'page-failed', message, 0, detail),
    );
    this.pump(now);
    return id;
  }

  /**
   * Queues bytes on an open RFCOMM channel; returns how many were accepted (bounded tx queue:
   * 'rfcomm-writable' follows a short count once there is room). The stack keeps the bytes by
   * reference until they are sent: do not change them (the socket copies what it is given).
   */
  writeRfcomm(id: number, bytes: Uint8Array, now: number): number {
    const n = this.dlcs.write(id, bytes);
    if (n === undefined) return 0;
    this.pump(now);
    return n;
  }

  /** The application consumed n received bytes: lets RFCOMM grant credits. */
  consumeRfcomm(id: number, n: number, now: number): void {
    if (this.dlcs.consume(id, n, now)) this.pump(now);
  }

  /**
   * Sends our V.24 signals on an open RFCOMM channel in an MSC command (TS 07.10 §5.4.6.3.7): the
   * `V24` bits RTC (DTR), RTR (RTS), IC (RI), DV (DCD); with `breakMs` (≤ 3000), a break signal.
   */
  setRfcommSignals(id: number, signals: number, now: number, breakMs?: number): void {
    this.dlcs.setSignals(id, signals, breakMs, now);
    this.pump(now);
  }

  closeRfcomm(id: number, now: number): void {
    if (this.dlcs.close(id, now)) this.pump(now);
  }

  /** Accept raw L2CAP connections on `psm` (0 allocates a dynamic PSM); returns the PSM. */
  listenL2cap(psm: number, mtu?: number, level: SecurityLevel = 'none'): number {
    checkSecurityLevel(level);
    const p = this.raw.listen(psm, mtu);
    this.gate.setPsmLevel(p, level);
    return p;
  }

  unlistenL2cap(psm: number): void {
    this.gate.deletePsmLevel(psm);
    this.raw.unlisten(psm);
  }

  /** Opens a raw L2CAP channel; answers with 'l2cap-open' or 'l2cap-closed' for the id. */
  connectL2cap(address: BdAddr, psm: number, now: number, mtu?: number, level: SecurityLevel = 'none'): number {
    checkSecurityLevel(level);
    const addr = parseBdAddr(address);
    const id = this.raw.create(addr, psm);
    this.links.withLink(
      addr,
      now,
      (link, t) =>
        this.gate.secure(link.handle, level, t, (t2) => this.raw.open(link, id, psm, mtu, t2), (reason, detail) => this.raw.fail(id, 'security', reason, detail)),
      (message, detail) => this.raw.fail(id, 'page-failed', message, detail),
    );
    this.pump(now);
    return id;
  }

  /**
   * Queues one SDU on a raw L2CAP channel, sent when its link has room toward the controller. False
   * when the channel already holds `l2capSendBufferBytes` not yet sent: nothing was queued, and
   * 'l2cap-writable' follows once it drained to half. The SDU is kept by reference until sent.
   */
  sendL2cap(id: number, sdu: Uint8Array, now: number): boolean {
    const accepted = this.raw.send(id, sdu);
    this.pump(now);
    return accepted;
  }

  closeL2cap(id: number, now: number): void {
    if (this.raw.close(id, now)) this.pump(now);
  }

  /** Adds a service record to the local SDP server; returns its handle. */
  advertise(record: SdpRecord): number {
    return this.sdpDatabase.add(record);
  }

  unadvertise(handle: number): void {
    this.sdpDatabase.remove(handle);
  }

  /** Queries the SDP server of `address` for services matching every UUID in `patterns`. */
  sdpQuery(address: BdAddr, patterns: Uuid[], now: number): number {
    const addr = parseBdAddr(address);
    const id = this.sdpQueries.create(addr, patterns);
    this.links.withLink(
      addr,
      now,
      (link, t) => this.sdpQueries.open(link, id, t),
      (message, detail) => this.sdpQueries.fail(id, 'page-failed', message, detail),
    );
    this.pump(now);
    return id;
  }

  /** Answers a 'confirm-request' prompt (numeric comparison or Just Works). */
  answerConfirm(promptId: number, accept: boolean, now: number): boolean {
    const done = this.security.answerConfirm(promptId, accept, now);
    this.pump(now);
    return done;
  }

  /** Answers a 'passkey-request' prompt (null refuses). */
  answerPasskey(promptId: number, passkey: number | null, now: number): boolean {
    const done = this.security.answerPasskey(promptId, passkey, now);
    this.pump(now);
    return done;
  }

  /** Answers a 'pin-request' prompt (null refuses). */
  answerPin(promptId: number, pin: string | Uint8Array | null, now: number): boolean {
    const done = this.security.answerPin(promptId, pin, now);
    this.pump(now);
    return done;
  }

  /** Asks for a security level on the link to `address` (paging it if needed); 'security-complete'
   * answers, and `done` (if given) hears the outcome, a failed page included. */
  requestSecurity(address: BdAddr, level: SecurityLevel, now: number, done: (outcome: SecurityOutcome) => void = () => undefined): void {
    checkSecurityLevel(level);
    this.links.withLink(
      parseBdAddr(address),
      now,
      (link, t) => this.gate.secure(link.handle, level, t, () => done({ ok: true }), (reason, detail) => done({ ok: false, reason, ...detail })),
      (message, detail) => done({ ok: false, reason: message, ...detail }),
    );
    this.pump(now);
  }

  // ---------------------------------------------------------------- L2CAP events

  private onL2capEvent(e: L2capEvent, now: number): void {
    switch (e.type) {
      case 'channel-open': {
        this.links.channelOpened(e.handle, e.cid);
        // N1 must fit both directions: the peer's MTU for what we send, ours for what we accept.
        if (e.psm === PSM_RFCOMM) this.dlcs.sessionOpened(e.cid, e.handle, e.initiator, Math.min(e.localMtu, e.remoteMtu), now);
        else if (e.psm === PSM_SDP && !e.initiator) this.sdpServerChannels.opened(e.cid, e.remoteMtu);
        else if (e.psm === PSM_SDP) this.sdpQueries.opened(e.cid, now);
        else this.raw.opened(e.cid, e.handle, this.links.get(e.handle)?.address ?? '', e.psm, e.initiator, e.remoteMtu, e.localMtu);
        return;
      }
      case 'channel-data':
        if (this.dlcs.receive(e.cid, e.sdu, now)) return;
        if (this.sdpServerChannels.receive(e.cid, e.sdu)) return;
        if (this.sdpQueries.receive(e.cid, e.sdu, now)) return;
        this.raw.receive(e.cid, e.sdu);
        return;
      case 'channel-closed':
        this.onChannelGone(e.cid, 'disconnected', e.reason, now, {});
        return;
      case 'channel-writable':
        this.raw.writable(e.cid);
        return;
      case 'incoming-pending':
        this.gate.secureIncoming(e.cid, e.handle, e.psm, now);
        return;
      case 'error':
        this.events.push({ type: 'error', error: new ProtocolError(e.message) });
        return;
      case 'connect-failed':
        this.onChannelGone(e.cid, e.result === CONNECT_RESULT_TIMEOUT ? 'timeout' : 'refused', e.reason, now, {
          ...(e.result >= 0 ? { l2capResult: e.result } : {}),
          ...(e.timer === undefined ? {} : { timer: e.timer }),
        });
        return;
      default:
        return;
    }
  }

  /** An L2CAP channel closed or failed to open: tell whatever rode on it. */
  private onChannelGone(cid: number, kind: 'disconnected' | 'refused' | 'timeout', message: string, now: number, detail: CloseDetail): void {
    const link = this.links.channelClosed(cid);
    const lost = link?.lost ?? false;
    this.dlcs.sessionClosed(cid, kind, message, lost, detail, now);
    this.sdpServerChannels.closed(cid);
    this.sdpQueries.closed(cid, lost ? 'link-lost' : kind, message, lost ? {} : detail);
    this.raw.closed(cid, lost ? 'link-lost' : detail.l2capResult === L2CAP_SECURITY_BLOCK ? 'security' : kind, message, lost ? {} : detail);
    if (link && !link.lost) this.links.armIdle(link, now);
  }

  // ---------------------------------------------------------------- HCI events

  private onHostEvent(e: HostEvent, now: number): void {
    switch (e.type) {
      case 'ready':
        this.security.setSupportedCommands(this.host.supportedCommands);
        if (!this.rfcommMtuChosen && this.host.aclFragmentSize > 0) {
          // Now that the controller's ACL length is known: whole fragments per RFCOMM PDU (rfcomm-mtu.ts).
          this.l2cap.unregisterPsm(PSM_RFCOMM);
          this.l2cap.registerPsm(PSM_RFCOMM, { mtu: rfcommMtuFor(this.host.aclFragmentSize) });
        }
        this.events.push({ type: 'ready', address: e.address });
        return;
      case 'packet':
        this.events.push({ type: 'packet', direction: e.direction, bytes: e.bytes });
        return;
      case 'error':
        if (e.fatal) this.transportLost(now);
        this.events.push({ type: 'error', error: e.error, ...(e.fatal ? { fatal: true } : {}), ...(e.handle !== undefined ? { handle: e.handle } : {}) });
        return;
      case 'connection-complete':
        if (e.status === 0) {
          this.security.linkUp(e.handle, e.address);
          this.onLinkUp(e.handle, e.address, e.initiator, now);
        } else this.links.pageFailed(e.address, e.status);
        return;
      case 'disconnected':
        this.security.linkDown(e.handle, e.reason);
        this.onLinkDown(e.handle, e.reason, now);
        return;
      case 'security':
        this.security.handleEvent(e.event, now);
        return;
      case 'command-complete':
        this.gate.commandComplete(e.token, e.status, now, e.event);
        if (this.commandTokens.delete(e.token)) this.events.push({ type: 'command-complete', token: e.token, opcode: e.opcode, status: e.status, ...(e.event ? {} : { timedOut: true as const }) });
        return;
      case 'l2cap-pdu':
        this.l2cap.receivePdu(e.handle, e.pdu, now);
        return;
      case 'l2cap-pdu-dropped':
        if (!this.sessions.frameLost(e.handle, e.cid, e.head, now)) this.raw.dropped(e.handle, e.cid, e.length, e.message);
        return;
      case 'inquiry-result':
        this.events.push({ type: 'inquiry-result', address: e.address, classOfDevice: e.classOfDevice, rssi: e.rssi, name: e.name });
        return;
      case 'inquiry-complete':
        this.events.push({ type: 'inquiry-complete', status: e.status });
        return;
      case 'remote-name':
        this.events.push({ type: 'remote-name', address: e.address, status: e.status, name: e.name });
        return;
      default:
        return;
    }
  }

  private onLinkUp(handle: number, address: BdAddr, initiator: boolean, now: number): void {
    const link = this.links.add(handle, address, initiator);
    this.l2cap.linkUp(handle, address, now);
    this.events.push({ type: 'link-up', handle, address, initiator });
    this.links.wake(link, now);
  }

  /**
   * The transport to the controller is gone (it closed, or its byte stream broke framing): no
   * controller will report the end of anything, so every link ends here as lost (reason 0x08,
   * connection timeout), every page fails, and every channel on them closes as 'link-lost'.
   */
  transportLost(now: number): void {
    for (const handle of this.links.handles()) {
      this.security.linkDown(handle, CONNECTION_TIMEOUT);
      this.onLinkDown(handle, CONNECTION_TIMEOUT, now);
    }
    this.links.failAllPages('the transport to the controller closed');
    this.pump(now);
  }

  /** The link is marked lost first, so that everything L2CAP closes on it reads 'link-lost'. */
  private onLinkDown(handle: number, reason: number, now: number): void {
    const link = this.links.markLost(handle);
    if (!link) return;
    this.l2cap.linkDown(handle, now);
    // The layers above hear of it now; the HCI's next events wait (a Connection Complete reusing
    // this handle must find the old link removed).
    this.pump(now, false);
    this.links.remove(handle);
    this.events.push({ type: 'link-down', handle, address: link.address, reason });
  }

  // ---------------------------------------------------------------- faults

  /**
   * Runs one input, then the pump. A throw is a fault: reported and counted, then the pump runs
   * again so that what the other layers already queued still moves (a few tries, in case the same
   * fault comes back).
   */
  private guarded(now: number, input: () => void): void {
    try {
      input();
    } catch (err) {
      this.fault(err, 'handling input');
    }
    for (let tries = 0; tries < 3; tries++) {
      try {
        this.pump(now);
        return;
      } catch (err) {
        this.fault(err, 'moving events between layers');
      }
    }
  }

  private fault(err: unknown, during: string): void {
    this.faultCount++;
    const cause = err instanceof Error ? err : new Error(String(err));
    this.events.push({
      type: 'error',
      error: new ProtocolError(`fault while ${during}, caught so the stack goes on: ${cause.name}: ${cause.message}`, { cause }),
    });
  }

  // ---------------------------------------------------------------- the pump

  /**
   * Moves events between layers, and requests for turns down to the HCI, until none is left
   * (DESIGN.md rule 3); without `hostEvents`, the HCI's events stay queued for the caller's pump.
   */
  private pump(now: number, hostEvents = true): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (let e = hostEvents ? this.host.pollEvent() : undefined; e; e = this.host.pollEvent()) {
        progress = true;
        this.onHostEvent(e, now);
      }
      for (let e = this.l2cap.pollEvent(); e; e = this.l2cap.pollEvent()) {
        progress = true;
        this.onL2capEvent(e, now);
      }
      for (let e = this.rfcomm.pollEvent(); e; e = this.rfcomm.pollEvent()) {
        progress = true;
        this.dlcs.handleEvent(e, now);
      }
      if (this.gate.pump(now, this.events)) progress = true;
      if (this.sdpQueries.pump(now)) progress = true;
      // A session with a frame asks for a turn on its channel, a channel's link on the HCI.
      for (let cid = this.rfcomm.pollSendRequest(); cid !== undefined; cid = this.rfcomm.pollSendRequest()) this.l2cap.requestSend(cid);
      for (let h = this.l2cap.pollSendRequest(); h !== undefined; h = this.l2cap.pollSendRequest()) this.host.requestSend(h);
    }
  }

  /** The next link whose turn it is produces one PDU into the HCI's queue; false when no link can send now. */
  private produce(now: number): boolean {
    for (let handle = this.host.nextSendable(); handle !== undefined; handle = this.host.nextSendable()) {
      this.turn.handle = handle;
      const turn = this.l2cap.nextTurn(handle, this.allocatePdu, now);
      const pdu = turn === undefined ? undefined : 'pdu' in turn ? turn.pdu : this.channelTurn(turn.cid);
      if (this.l2cap.wantsToSend(handle)) this.host.requestSend(handle);
      if (pdu) {
        this.host.queuePdu(pdu);
        return true;
      }
    }
    return false;
  }

  /** The turn of L2CAP channel `cid`, whose owner writes its SDU: the RFCOMM session riding on it. */
  private channelTurn(cid: number): AclTxPdu | undefined {
    this.turn.cid = cid;
    const pdu = this.rfcomm.produce(cid, this.allocateSdu);
    if (this.rfcomm.wantsToSend(cid)) this.l2cap.requestSend(cid);
    return pdu;
  }

  /** The link and channel of the turn being produced, for the two allocators below (made once, not per frame). */
  private readonly turn = { handle: 0, cid: 0 };
  /** A PDU on the turn's link. */
  private readonly allocatePdu = (length: number): AclTxPdu => this.host.allocatePdu(this.turn.handle, length);
  /** A PDU for an SDU on the turn's channel, its L2CAP header written. */
  private readonly allocateSdu = (length: number): AclTxPdu => this.l2cap.frameSdu(this.turn.cid, length, this.allocatePdu);
}
