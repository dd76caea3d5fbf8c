/**
 * The composed stack: HCI host, L2CAP, RFCOMM and SDP behind one sans-I/O surface
 * (DESIGN.md "Layers and the way data flows", docs/layers.md).
 *
 *   receive(h4, now) → HciHost → 'l2cap-pdu' → L2capManager → channel by PSM:
 *     PSM 3 → RfcommManager (one session per L2CAP channel) → DLC events
 *     PSM 1 → SdpServer (incoming) or an SdpClient (our queries)
 *     other → raw L2CAP channel events
 *   and the mirror image on the way down; `pollTransmit()` yields H4 packets for the controller.
 *
 * The stack also does what no single layer can: it pages a device when an operation needs a link
 * that is not up, opens the RFCOMM session (L2CAP PSM 3) before a DLC, runs SDP queries on their own
 * L2CAP channel, and disconnects a link it created once nothing uses it for `linkIdleMs`.
 * Every operation answers with events carrying the id it returned (src/stack/events.ts).
 */
import { BluetoothError, earliest, TimerSet, type BdAddr, parseBdAddr, Uuid } from '../core/index.js';
import { HciHost, type HciCommand, type HostEvent, type HciHostOptions } from '../hci/index.js';
import { SECURITY_LEVELS, SecurityManager, type SecurityLevel, type SecurityManagerOptions } from '../security/index.js';
import { L2capManager, type L2capEvent, type L2capOptions } from '../l2cap/index.js';
import { RfcommManager, type RfcommEvent, type RfcommOptions } from '../rfcomm/index.js';
import { ALL_ATTRIBUTES, SdpClient, SdpDatabase, SdpServer, parseServices, type DataElement } from '../sdp/index.js';

/** A service record: attribute ID → value. */
export type SdpRecord = ReadonlyMap<number, DataElement>;
import type { L2capCloseReason, RfcommCloseReason, StackEvent } from './events.js';

export const PSM_SDP = 0x0001;
export const PSM_RFCOMM = 0x0003;
/** L2CAP Connection Response result 0x0003: connection refused, security block (Vol 3 Part A §4.3). */
const L2CAP_SECURITY_BLOCK = 0x0003;

export interface StackOptions {
  hci?: HciHostOptions;
  l2cap?: L2capOptions;
  rfcomm?: RfcommOptions;
  /** How long a link this stack paged stays up with no channel on it (default 2000 ms). */
  linkIdleMs?: number;
  /** Cap on queued stack events before the oldest trace events are dropped (default 65536). */
  maxEvents?: number;
  /** Pairing: IO capability, bonding, MITM, key store (default NoInputNoOutput, bonding, no MITM, in memory). */
  security?: Partial<SecurityManagerOptions>;
}

interface Link {
  handle: number;
  address: BdAddr;
  initiator: boolean;
  /** L2CAP channels (local CIDs) on this link, any PSM. */
  channels: Set<number>;
  lost: boolean;
}

/** Something waiting for a link to `address` to come up. */
interface LinkWaiter {
  address: BdAddr;
  up(link: Link, now: number): void;
  fail(reason: 'page-failed', message: string): void;
}

/** The RFCOMM session on one link (an L2CAP channel on PSM 3). */
interface Session {
  handle: number;
  cid: number;
  open: boolean;
  waiting: { id: number; channel: number }[];
}

interface DlcRecord {
  id: number;
  dlcId?: number;
  address: BdAddr;
  channel: number;
  handle?: number;
}

interface SdpQuery {
  id: number;
  address: BdAddr;
  patterns: Uuid[];
  cid?: number;
  client?: SdpClient;
  done: boolean;
}

export class Stack {
  readonly host: HciHost;
  readonly l2cap: L2capManager;
  readonly rfcomm: RfcommManager;
  readonly sdpDatabase = new SdpDatabase();
  readonly sdpServer: SdpServer;
  readonly security: SecurityManager;

  private readonly events: StackEvent[] = [];
  private eventHead = 0;
  private readonly maxEvents: number;
  private linkIdleMs: number;
  private shuttingDown = false;
  private readonly links = new Map<number, Link>();
  private readonly paging = new Set<BdAddr>();
  private waiters: LinkWaiter[] = [];
  private readonly idleTimers = new TimerSet<number>();
  private nextId = 1;
  private lastNow = 0;
  /** L2CAP frames the HCI host refused (link gone or its per-link queue full). */
  droppedPdus = 0;

  private readonly sessionsByHandle = new Map<number, Session>();
  private readonly sessionsByCid = new Map<number, Session>();
  private readonly dlcs = new Map<number, DlcRecord>();
  private readonly dlcIdToId = new Map<number, number>();

  private readonly rawByCid = new Map<number, number>();
  private readonly rawById = new Map<number, { cid?: number; address: BdAddr; psm: number }>();
  private readonly rawPsms = new Set<number>();

  /** SDP server channels: local CID → the peer's MTU (responses are cut to it). */
  /** Security: commands in flight (token → command), requests waiting, levels required by servers. */
  private readonly securityTokens = new Map<number, HciCommand>();
  /** Tokens of commands sent through `command()`, whose completion is reported. */
  private readonly commandTokens = new Set<number>();
  private readonly securityWaits = new Map<number, { ok: (now: number) => void; fail: (reason: string) => void }>();
  private readonly psmLevels = new Map<number, SecurityLevel>();
  private readonly channelLevels = new Map<number, SecurityLevel>();
  /** Incoming DLCs held back until their link meets the channel's security level: id → held events. */
  private readonly heldDlcs = new Map<number, StackEvent[]>();

  private readonly sdpServerCids = new Map<number, number>();
  private readonly sdpQueries = new Map<number, SdpQuery>();
  private readonly sdpByCid = new Map<number, SdpQuery>();

  constructor(options: StackOptions = {}) {
    this.host = new HciHost(options.hci ?? {});
    this.security = new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false, ...options.security });
    this.l2cap = new L2capManager({ ...options.l2cap, pendingIncoming: (req) => this.holdIncomingL2cap(req.cid, req.handle, req.psm) });
    this.rfcomm = new RfcommManager(options.rfcomm ?? {});
    this.sdpServer = new SdpServer(this.sdpDatabase);
    this.linkIdleMs = options.linkIdleMs ?? 2000;
    this.maxEvents = options.maxEvents ?? 65536;
    this.l2cap.registerPsm(PSM_SDP, {});
    this.l2cap.registerPsm(PSM_RFCOMM, {});
  }

  // ---------------------------------------------------------------- sans-I/O surface

  start(now: number): void {
    this.host.start(now);
    this.pump(now);
  }

  receive(h4: Uint8Array, now: number): void {
    this.host.receive(h4, now);
    this.pump(now);
  }

  /** The next H4 packet for the controller. The host reports it as a 'packet' event as it leaves,
   * so the trace keeps the order in which packets really crossed the transport. */
  pollTransmit(): Uint8Array | undefined {
    const b = this.host.pollTransmit();
    if (b) this.pump(this.lastNow);
    return b;
  }

  pollEvent(): StackEvent | undefined {
    if (this.eventHead >= this.events.length) return undefined;
    const e = this.events[this.eventHead];
    this.events[this.eventHead++] = undefined as unknown as StackEvent;
    if (this.eventHead === this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
    }
    return e;
  }

  pollTimeout(): number | undefined {
    let t = earliest(this.host.pollTimeout(), this.l2cap.pollTimeout(), this.rfcomm.pollTimeout(), this.security.pollTimeout(), this.idleTimers.next());
    for (const q of this.sdpQueries.values()) t = earliest(t, q.client?.pollTimeout());
    return t;
  }

  handleTimeout(now: number): void {
    this.host.handleTimeout(now);
    this.l2cap.handleTimeout(now);
    this.rfcomm.handleTimeout(now);
    this.security.handleTimeout(now);
    for (const q of this.sdpQueries.values()) q.client?.handleTimeout(now);
    for (const handle of this.idleTimers.expire(now)) {
      const link = this.links.get(handle);
      if (link && this.linkIsIdle(link)) this.host.disconnect(handle, 0x13, now);
    }
    this.pump(now);
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
    this.shuttingDown = true;
    this.linkIdleMs = 0;
    for (const link of this.links.values()) this.armIdle(link, now);
    this.pump(now);
  }

  /** Disconnects every link (HCI Disconnect, reason 0x15: the local device is powering off). */
  disconnectAll(now: number): void {
    for (const handle of this.links.keys()) this.host.disconnect(handle, 0x15, now);
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
   * level, an incoming DLC is reported ('rfcomm-open') only once its link meets the level; when
   * pairing fails it is closed and never reported.
   */
  listenRfcomm(channel: number, level: SecurityLevel = 'none'): number {
    const ch = channel === 0 ? this.rfcomm.allocateServerChannel() : channel;
    if (channel !== 0) this.rfcomm.registerServerChannel(ch);
    this.channelLevels.set(ch, level);
    return ch;
  }

  unlistenRfcomm(channel: number): void {
    this.rfcomm.unregisterServerChannel(channel);
    this.channelLevels.delete(channel);
  }

  /** Opens an RFCOMM channel to `address`; answers with 'rfcomm-open' or 'rfcomm-closed' for the id. */
  connectRfcomm(address: BdAddr, channel: number, now: number, level: SecurityLevel = 'none'): number {
    const addr = parseBdAddr(address);
    const id = this.nextId++;
    this.dlcs.set(id, { id, address: addr, channel });
    this.withLink(
      addr,
      now,
      (link, t) =>
        this.secure(link.handle, level, t, (t2) => this.withSession(link, id, channel, t2), (reason) => this.failDlc(id, 'security', reason)),
      (reason, message) => this.failDlc(id, reason, message),
    );
    this.pump(now);
    return id;
  }

  /** Queues bytes on an open RFCOMM channel; returns how many were accepted (bounded tx queue). */
  writeRfcomm(id: number, bytes: Uint8Array, now: number): number {
    const dlcId = this.dlcs.get(id)?.dlcId;
    if (dlcId === undefined) return 0;
    const n = this.rfcomm.write(dlcId, bytes);
    this.pump(now);
    return n;
  }

  /** The application consumed n received bytes: lets RFCOMM grant credits. */
  consumeRfcomm(id: number, n: number, now: number): void {
    const dlcId = this.dlcs.get(id)?.dlcId;
    if (dlcId === undefined) return;
    this.rfcomm.consume(dlcId, n, now);
    this.pump(now);
  }

  closeRfcomm(id: number, now: number): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    if (rec.dlcId !== undefined) this.rfcomm.close(rec.dlcId, now);
    else this.failDlc(id, 'local', 'closed before the channel opened');
    this.pump(now);
  }

  /** Accept raw L2CAP connections on `psm` (0 allocates a dynamic PSM); returns the PSM. */
  listenL2cap(psm: number, mtu?: number, level: SecurityLevel = 'none'): number {
    const p = psm === 0 ? this.l2cap.allocatePsm() : psm;
    this.l2cap.registerPsm(p, mtu ? { mtu } : {});
    this.rawPsms.add(p);
    this.psmLevels.set(p, level);
    return p;
  }

  unlistenL2cap(psm: number): void {
    this.rawPsms.delete(psm);
    this.psmLevels.delete(psm);
    this.l2cap.unregisterPsm(psm);
  }

  /** Opens a raw L2CAP channel; answers with 'l2cap-open' or 'l2cap-closed' for the id. */
  connectL2cap(address: BdAddr, psm: number, now: number, mtu?: number, level: SecurityLevel = 'none'): number {
    const addr = parseBdAddr(address);
    const id = this.nextId++;
    this.rawById.set(id, { address: addr, psm });
    this.withLink(
      addr,
      now,
      (link, t) =>
        this.secure(
          link.handle,
          level,
          t,
          (t2) => {
            if (!this.rawById.has(id) || link.lost) return;
            const cid = this.l2cap.connect(link.handle, psm, mtu ? { mtu } : {}, t2);
            this.rawById.get(id)!.cid = cid;
            this.rawByCid.set(cid, id);
            link.channels.add(cid);
          },
          (reason) => this.closeRaw(id, 'security', reason),
        ),
      (reason, message) => this.closeRaw(id, reason, message),
    );
    this.pump(now);
    return id;
  }

  sendL2cap(id: number, sdu: Uint8Array, now: number): void {
    const cid = this.rawById.get(id)?.cid;
    if (cid === undefined) throw new BluetoothError(`L2CAP channel ${id} is not open`);
    this.l2cap.send(cid, sdu);
    this.pump(now);
  }

  closeL2cap(id: number, now: number): void {
    const raw = this.rawById.get(id);
    if (!raw) return;
    if (raw.cid !== undefined) this.l2cap.disconnect(raw.cid, now);
    else this.closeRaw(id, 'local', 'closed before the channel opened');
    this.pump(now);
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
    const id = this.nextId++;
    const query: SdpQuery = { id, address: addr, patterns, done: false };
    this.sdpQueries.set(id, query);
    this.withLink(
      addr,
      now,
      (link, t) => {
        const cid = this.l2cap.connect(link.handle, PSM_SDP, {}, t);
        query.cid = cid;
        this.sdpByCid.set(cid, query);
        link.channels.add(cid);
      },
      (reason, message) => this.finishSdp(query, { type: 'sdp-failed', id, address: addr, reason, message }),
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

  /** Asks for a security level on the link to `address` (paging it if needed); 'security-complete' answers. */
  requestSecurity(address: BdAddr, level: SecurityLevel, now: number): void {
    this.withLink(
      parseBdAddr(address),
      now,
      (link, t) => this.secure(link.handle, level, t, () => undefined, () => undefined),
      () => undefined,
    );
    this.pump(now);
  }

  // ---------------------------------------------------------------- security

  /** Runs `ok` once the link meets `level` (at once for 'none'), else `fail` with the reason. */
  private secure(handle: number, level: SecurityLevel, now: number, ok: (now: number) => void, fail: (reason: string) => void): void {
    if (level === 'none') {
      ok(now);
      return;
    }
    this.securityWaits.set(this.security.requestSecurity(handle, level, now), { ok, fail });
  }

  /** L2CAP asks whether an incoming connection must wait for security: 1 = authentication pending. */
  private holdIncomingL2cap(cid: number, handle: number, psm: number): number | undefined {
    const level = psm === PSM_RFCOMM ? this.strictestChannelLevel() : (this.psmLevels.get(psm) ?? 'none');
    if (level === 'none') return undefined;
    this.secure(
      handle,
      level,
      this.lastNow,
      (now) => this.l2cap.acceptPending(cid, now),
      () => this.l2cap.refusePending(cid, L2CAP_SECURITY_BLOCK, this.lastNow),
    );
    return 1;
  }

  /** The RFCOMM session (PSM 3) is secured to the strictest level any server channel asks for, so
   * that a failed pairing refuses the L2CAP channel (result 0x0003) before any DLC opens. */
  private strictestChannelLevel(): SecurityLevel {
    let level: SecurityLevel = 'none';
    for (const l of this.channelLevels.values()) if (SECURITY_LEVELS.indexOf(l) > SECURITY_LEVELS.indexOf(level)) level = l;
    return level;
  }

  /** An incoming DLC on a channel with a security level: hold its events until the link qualifies. */
  private holdIncomingDlc(id: number, handle: number | undefined, channel: number, open: StackEvent, now: number): boolean {
    const level = this.channelLevels.get(channel) ?? 'none';
    if (level === 'none' || handle === undefined) return false;
    this.heldDlcs.set(id, [open]);
    this.secure(
      handle,
      level,
      now,
      () => {
        const held = this.heldDlcs.get(id) ?? [];
        this.heldDlcs.delete(id);
        for (const e of held) this.emit(e);
      },
      () => {
        this.heldDlcs.delete(id);
        const dlcId = this.dlcs.get(id)?.dlcId;
        this.dlcs.delete(id);
        if (dlcId !== undefined) {
          this.dlcIdToId.delete(dlcId);
          this.rfcomm.close(dlcId, this.lastNow);
        }
      },
    );
    return true;
  }

  private onSecurityEvents(now: number): boolean {
    let progress = false;
    for (let c = this.security.pollCommand(); c; c = this.security.pollCommand()) {
      progress = true;
      this.securityTokens.set(this.host.sendCommand(c, now), c);
    }
    for (let e = this.security.pollEvent(); e; e = this.security.pollEvent()) {
      progress = true;
      if (e.type === 'security-complete') {
        const wait = this.securityWaits.get(e.id);
        this.securityWaits.delete(e.id);
        if (wait && e.ok) wait.ok(now);
        else if (wait) wait.fail(e.reason ?? `the link did not reach security level ${e.level}`);
      }
      this.emit({ type: 'security', event: e });
    }
    return progress;
  }

  // ---------------------------------------------------------------- links

  private withLink(
    address: BdAddr,
    now: number,
    up: (link: Link, now: number) => void,
    fail: (reason: 'page-failed', message: string) => void,
  ): void {
    for (const link of this.links.values()) {
      if (link.address === address && !link.lost) {
        this.idleTimers.clear(link.handle);
        up(link, now);
        return;
      }
    }
    this.waiters.push({ address, up, fail });
    if (!this.paging.has(address)) {
      this.paging.add(address);
      this.host.createConnection(address, now);
    }
  }

  private onLinkUp(handle: number, address: BdAddr, initiator: boolean, now: number): void {
    const link: Link = { handle, address, initiator, channels: new Set(), lost: false };
    this.links.set(handle, link);
    this.paging.delete(address);
    this.l2cap.linkUp(handle, address, now);
    this.emit({ type: 'link-up', handle, address, initiator });
    const ready = this.waiters.filter((w) => w.address === address);
    this.waiters = this.waiters.filter((w) => w.address !== address);
    for (const w of ready) w.up(link, now);
    this.armIdle(link, now);
  }

  private onPageFailed(address: BdAddr, status: number): void {
    this.paging.delete(address);
    const failed = this.waiters.filter((w) => w.address === address);
    this.waiters = this.waiters.filter((w) => w.address !== address);
    const message = `could not connect to ${address}: controller status 0x${status.toString(16).padStart(2, '0')} (${hciStatusHint(status)})`;
    for (const w of failed) w.fail('page-failed', message);
  }

  private onLinkDown(handle: number, reason: number, now: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    link.lost = true;
    this.idleTimers.clear(handle);
    this.l2cap.linkDown(handle, now);
    this.pump(now);
    this.links.delete(handle);
    this.emit({ type: 'link-down', handle, address: link.address, reason });
  }

  private linkIsIdle(link: Link): boolean {
    return link.channels.size === 0 && !this.waiters.some((w) => w.address === link.address);
  }

  /** A link this stack paged is dropped after `linkIdleMs` with nothing on it. */
  private armIdle(link: Link, now: number): void {
    if ((link.initiator || this.shuttingDown) && this.linkIsIdle(link)) this.idleTimers.set(link.handle, now + this.linkIdleMs);
  }

  private linkOfCid(cid: number): Link | undefined {
    for (const link of this.links.values()) if (link.channels.has(cid)) return link;
    return undefined;
  }

  // ---------------------------------------------------------------- RFCOMM sessions and DLCs

  private withSession(link: Link, id: number, channel: number, now: number): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    rec.handle = link.handle;
    let session = this.sessionsByHandle.get(link.handle);
    if (!session) {
      const cid = this.l2cap.connect(link.handle, PSM_RFCOMM, {}, now);
      session = { handle: link.handle, cid, open: false, waiting: [] };
      this.sessionsByHandle.set(link.handle, session);
      this.sessionsByCid.set(cid, session);
      link.channels.add(cid);
    }
    if (session.open) this.startDlc(session, id, channel, now);
    else session.waiting.push({ id, channel });
  }

  private startDlc(session: Session, id: number, channel: number, now: number): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    let dlcId: number;
    try {
      dlcId = this.rfcomm.connect(session.cid, channel, now);
    } catch (error) {
      // One DLC per server channel and session (TS 07.10 DLCI uniqueness): a second is refused.
      this.failDlc(id, 'refused', (error as Error).message);
      return;
    }
    rec.dlcId = dlcId;
    this.dlcIdToId.set(dlcId, id);
  }

  private failDlc(id: number, reason: RfcommCloseReason, message: string): void {
    const rec = this.dlcs.get(id);
    if (!rec) return;
    this.dlcs.delete(id);
    if (rec.dlcId !== undefined) this.dlcIdToId.delete(rec.dlcId);
    this.emit({ type: 'rfcomm-closed', id, reason, message });
  }

  private onRfcommEvent(e: RfcommEvent, now: number): void {
    switch (e.type) {
      case 'dlc-open': {
        let id = this.dlcIdToId.get(e.dlcId);
        const session = this.sessionsByCid.get(e.sessionId);
        const link = session ? this.links.get(session.handle) : undefined;
        if (id === undefined) {
          id = this.nextId++;
          this.dlcs.set(id, { id, dlcId: e.dlcId, address: link?.address ?? '', channel: e.serverChannel, handle: link?.handle });
          this.dlcIdToId.set(e.dlcId, id);
        }
        const rec = this.dlcs.get(id)!;
        const open: StackEvent = { type: 'rfcomm-open', id, address: rec.address, channel: e.serverChannel, incoming: e.incoming, n1: e.n1 };
        if (!e.incoming || !this.holdIncomingDlc(id, rec.handle, e.serverChannel, open, now)) this.emit(open);
        return;
      }
      case 'dlc-data': {
        const id = this.dlcIdToId.get(e.dlcId);
        if (id === undefined) return;
        const held = this.heldDlcs.get(id);
        if (held) held.push({ type: 'rfcomm-data', id, data: e.data });
        else this.emit({ type: 'rfcomm-data', id, data: e.data });
        return;
      }
      case 'dlc-writable': {
        const id = this.dlcIdToId.get(e.dlcId);
        if (id !== undefined) this.emit({ type: 'rfcomm-writable', id });
        return;
      }
      case 'dlc-closed': {
        const id = this.dlcIdToId.get(e.dlcId);
        if (id === undefined) return;
        const rec = this.dlcs.get(id);
        const lost = rec?.handle !== undefined && (this.links.get(rec.handle)?.lost ?? true);
        const reason: RfcommCloseReason = lost && e.reason === 'session-closed' ? 'link-lost' : e.reason;
        const message = reason === 'link-lost' ? `the link to ${rec?.address} was lost` : e.message;
        this.failDlc(id, reason, message);
        return;
      }
      case 'session-closed': {
        const session = this.sessionsByCid.get(e.sessionId);
        if (session) this.l2cap.disconnect(session.cid, now);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- raw L2CAP and SDP

  private closeRaw(id: number, reason: L2capCloseReason, message: string): void {
    const raw = this.rawById.get(id);
    if (!raw) return;
    this.rawById.delete(id);
    if (raw.cid !== undefined) this.rawByCid.delete(raw.cid);
    this.emit({ type: 'l2cap-closed', id, reason, message });
  }

  private finishSdp(query: SdpQuery, event: StackEvent): void {
    if (query.done) return;
    query.done = true;
    this.emit(event);
  }

  private pumpSdpClient(query: SdpQuery, now: number): boolean {
    const client = query.client;
    if (!client || query.cid === undefined) return false;
    let progress = false;
    for (let pdu = client.pollTransmit(); pdu; pdu = client.pollTransmit()) {
      this.l2cap.send(query.cid, pdu);
      progress = true;
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) {
      progress = true;
      if (e.type === 'records') {
        this.finishSdp(query, { type: 'sdp-result', id: query.id, address: query.address, services: parseServices(e.records) });
      } else if (e.type === 'error-response') {
        this.finishSdp(query, { type: 'sdp-failed', id: query.id, address: query.address, reason: 'error', message: `the SDP server answered error 0x${e.errorCode.toString(16).padStart(4, '0')} (${e.errorName})` });
      } else if (e.type === 'failed') {
        this.finishSdp(query, { type: 'sdp-failed', id: query.id, address: query.address, reason: e.reason === 'timeout' ? 'timeout' : 'error', message: e.message });
      } else continue;
      this.l2cap.disconnect(query.cid, now);
    }
    return progress;
  }

  // ---------------------------------------------------------------- L2CAP events

  private onL2capEvent(e: L2capEvent, now: number): void {
    switch (e.type) {
      case 'channel-open': {
        const link = this.links.get(e.handle);
        link?.channels.add(e.cid);
        if (link) this.idleTimers.clear(link.handle);
        if (e.psm === PSM_RFCOMM) this.onSessionOpen(e.cid, e.handle, e.initiator, e.remoteMtu, now);
        else if (e.psm === PSM_SDP && !e.initiator) this.sdpServerCids.set(e.cid, e.remoteMtu);
        else if (e.psm === PSM_SDP) this.onSdpChannelOpen(e.cid, now);
        else this.onRawOpen(e.cid, e.handle, e.psm, e.initiator, e.remoteMtu, e.localMtu);
        return;
      }
      case 'channel-data': {
        if (this.sessionsByCid.has(e.cid)) this.rfcomm.receive(e.cid, e.sdu, now);
        else if (this.sdpServerCids.has(e.cid)) this.l2cap.send(e.cid, this.sdpServer.handle(e.cid, e.sdu, this.sdpServerCids.get(e.cid)));
        else if (this.sdpByCid.has(e.cid)) this.sdpByCid.get(e.cid)!.client?.receive(e.sdu, now);
        else {
          const id = this.rawByCid.get(e.cid);
          if (id !== undefined) this.emit({ type: 'l2cap-data', id, sdu: e.sdu });
        }
        return;
      }
      case 'channel-closed':
        this.onChannelGone(e.cid, 'disconnected', e.reason, now);
        return;
      case 'connect-failed':
        this.onChannelGone(e.cid, 'refused', e.reason, now, e.result);
        return;
      default:
        return;
    }
  }

  private onSessionOpen(cid: number, handle: number, initiator: boolean, remoteMtu: number, now: number): void {
    let session = this.sessionsByCid.get(cid);
    if (!session) {
      session = { handle, cid, open: false, waiting: [] };
      this.sessionsByCid.set(cid, session);
      if (!this.sessionsByHandle.has(handle)) this.sessionsByHandle.set(handle, session);
    }
    session.open = true;
    this.rfcomm.sessionUp(cid, { initiator, l2capMtu: remoteMtu }, now);
    const waiting = session.waiting;
    session.waiting = [];
    for (const w of waiting) this.startDlc(session, w.id, w.channel, now);
  }

  private onSdpChannelOpen(cid: number, now: number): void {
    const query = this.sdpByCid.get(cid);
    if (!query) {
      this.l2cap.disconnect(cid, now);
      return;
    }
    query.client = new SdpClient({});
    query.client.serviceSearchAttribute(query.patterns, ALL_ATTRIBUTES, now);
  }

  private onRawOpen(cid: number, handle: number, psm: number, initiator: boolean, remoteMtu: number, localMtu: number): void {
    const address = this.links.get(handle)?.address ?? '';
    let id = this.rawByCid.get(cid);
    if (id === undefined) {
      id = this.nextId++;
      this.rawById.set(id, { cid, address, psm });
      this.rawByCid.set(cid, id);
    }
    this.emit({ type: 'l2cap-open', id, address, psm, incoming: !initiator, remoteMtu, localMtu });
  }

  /** An L2CAP channel closed or failed to open: tell whatever rode on it. */
  private onChannelGone(cid: number, kind: 'disconnected' | 'refused', message: string, now: number, result?: number): void {
    const link = this.linkOfCid(cid);
    link?.channels.delete(cid);
    const lost = link?.lost ?? false;
    const session = this.sessionsByCid.get(cid);
    if (session) {
      this.sessionsByCid.delete(cid);
      if (this.sessionsByHandle.get(session.handle) === session) this.sessionsByHandle.delete(session.handle);
      if (session.open) this.rfcomm.sessionDown(cid, now);
      const security = kind === 'refused' && result === L2CAP_SECURITY_BLOCK;
      const why = security
        ? `the peer requires a security level this link did not reach (L2CAP result 0x0003, security block): ${message}`
        : kind === 'refused'
          ? `RFCOMM refused by the peer (L2CAP result ${result}): ${message}`
          : message;
      for (const w of session.waiting) this.failDlc(w.id, lost ? 'link-lost' : security ? 'security' : kind === 'refused' ? 'refused' : 'session-closed', why);
    }
    if (this.sdpServerCids.delete(cid)) this.sdpServer.forget(cid);
    const query = this.sdpByCid.get(cid);
    if (query) {
      this.sdpByCid.delete(cid);
      query.client?.close();
      this.sdpQueries.delete(query.id);
      this.finishSdp(query, {
        type: 'sdp-failed',
        id: query.id,
        address: query.address,
        reason: lost ? 'link-lost' : kind,
        message: `SDP channel closed before an answer: ${message}`,
      });
    }
    const rawId = this.rawByCid.get(cid);
    if (rawId !== undefined) this.closeRaw(rawId, lost ? 'link-lost' : result === L2CAP_SECURITY_BLOCK ? 'security' : kind, message);
    if (link && !link.lost) this.armIdle(link, now);
  }

  // ---------------------------------------------------------------- HCI events

  private onHostEvent(e: HostEvent, now: number): void {
    switch (e.type) {
      case 'ready':
        this.emit({ type: 'ready', address: e.address });
        return;
      case 'packet':
        this.emit({ type: 'packet', direction: e.direction, bytes: e.bytes });
        return;
      case 'error':
        this.emit({ type: 'error', error: e.error });
        return;
      case 'connection-complete':
        if (e.status === 0) {
          this.security.linkUp(e.handle, e.address);
          this.onLinkUp(e.handle, e.address, e.initiator, now);
        } else this.onPageFailed(e.address, e.status);
        return;
      case 'disconnected':
        this.security.linkDown(e.handle, e.reason);
        this.onLinkDown(e.handle, e.reason, now);
        return;
      case 'security':
        this.security.handleEvent(e.event, now);
        return;
      case 'command-complete': {
        const cmd = this.securityTokens.get(e.token);
        if (cmd) {
          this.securityTokens.delete(e.token);
          this.security.handleCommandStatus(cmd, e.status, now);
        }
        if (this.commandTokens.delete(e.token)) this.emit({ type: 'command-complete', token: e.token, opcode: e.opcode, status: e.status });
        return;
      }
      case 'l2cap-pdu':
        this.l2cap.receivePdu(e.handle, e.pdu, now);
        return;
      case 'inquiry-result':
        this.emit({ type: 'inquiry-result', address: e.address, classOfDevice: e.classOfDevice, rssi: e.rssi, name: e.name });
        return;
      case 'inquiry-complete':
        this.emit({ type: 'inquiry-complete', status: e.status });
        return;
      case 'remote-name':
        this.emit({ type: 'remote-name', address: e.address, status: e.status, name: e.name });
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- the pump

  /** Moves outputs between layers until none has anything left (DESIGN.md rule 3). */
  private pump(now: number): void {
    this.lastNow = now;
    for (let progress = true; progress; ) {
      progress = false;
      for (let e = this.host.pollEvent(); e; e = this.host.pollEvent()) {
        progress = true;
        this.onHostEvent(e, now);
      }
      for (let t = this.l2cap.pollTransmit(); t; t = this.l2cap.pollTransmit()) {
        progress = true;
        if (!this.host.sendL2cap(t.handle, t.pdu)) this.droppedPdus++;
      }
      for (let e = this.l2cap.pollEvent(); e; e = this.l2cap.pollEvent()) {
        progress = true;
        this.onL2capEvent(e, now);
      }
      for (let t = this.rfcomm.pollTransmit(); t; t = this.rfcomm.pollTransmit()) {
        progress = true;
        this.l2cap.send(t.sessionId, t.sdu);
      }
      for (let e = this.rfcomm.pollEvent(); e; e = this.rfcomm.pollEvent()) {
        progress = true;
        this.onRfcommEvent(e, now);
      }
      if (this.onSecurityEvents(now)) progress = true;
      for (const q of this.sdpQueries.values()) if (this.pumpSdpClient(q, now)) progress = true;
      for (const [id, q] of this.sdpQueries) if (q.done && q.cid === undefined) this.sdpQueries.delete(id);
    }
  }

  private emit(e: StackEvent): void {
    if (this.events.length - this.eventHead >= this.maxEvents && e.type === 'packet') return;
    this.events.push(e);
  }
}

/** A short reading of the HCI statuses a page most often ends with (Core v5.4 Vol 1 Part F). */
function hciStatusHint(status: number): string {
  switch (status) {
    case 0x04:
      return 'Page Timeout: the device did not answer; is it on, in range and connectable?';
    case 0x0b:
      return 'ACL Connection Already Exists';
    case 0x0d:
    case 0x0e:
    case 0x0f:
      return 'the remote device rejected the connection';
    default:
      return 'see the HCI status table';
  }
}

