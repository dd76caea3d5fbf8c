/**
 * The conformance tester (a scriptable lower tester): on a stack that keeps the HCI side (paging,
 * security, controller buffers), it sends any HCI command, ACL packet, L2CAP frame, signaling
 * command, RFCOMM frame, MCC or SDP PDU it is given, and hands every frame the implementation under
 * test sends back (and every event of its own controller), decoded, to `next` and to the async
 * iterator `frames`. The stack's own L2CAP, RFCOMM and SDP
 * stand aside: the tester opens its L2CAP channels with its own signaling (Core v5.4 Vol 3 Part A
 * §4.2–§4.5) and speaks RFCOMM or SDP on them itself.
 *
 * It may also share the link (`standAside('channels')`): the stack beside keeps its own channels,
 * its signaling and its DLCIs, and the tester takes only its own L2CAP channels (CIDs from 0xFF00,
 * which the tester's stack never allocates: TESTER_STACK_OPTIONS) and the DLCIs it claims on an
 * RFCOMM session the stack opened (`claimDlci`), where it alone answers (link-tap.ts, channel-claims.ts).
 *
 * Left to itself it answers only what keeps a link usable: the peer's Echo Request (§4.8), its
 * Information Request ("not supported", §4.10), Configuration and Disconnection Requests on the
 * tester's own channels (§4.4, §4.6). `autoAnswer = false` leaves even those to the script.
 */
import { ArgumentError, hex } from '../core/index.js';
import { aclPacket, hciCommand, l2capFrame, signalCommand, type AclSpec, type Bytes, type HciCommandSpec } from './frames.js';
import type { LinkTapHooks, TapLink } from './link-tap.js';
import type { TesterMedium } from './medium.js';
import { summarize, type Observed, type ObservedLayer } from './observed.js';

export const PSM = { SDP: 0x0001, RFCOMM: 0x0003 } as const;

export interface FrameFilter {
  layer?: ObservedLayer | readonly ObservedLayer[];
  cid?: number;
  match?: (o: Observed) => boolean;
}

export interface TesterChannel {
  psm: number;
  /** The tester's CID. */
  localCid: number;
  /** The implementation's CID. */
  remoteCid: number;
  /** The MTU the implementation announced (672 when it sent none). */
  remoteMtu: number;
}

type Wiring = Omit<LinkTapHooks, 'toController' | 'toHost'>;

/** The first CID the tester allocates: far from where stacks usually start (0x0040). */
const FIRST_CID = 0x0070;
/** The first CID of the tester's when it shares the link: above the tester stack's last (TESTER_STACK_OPTIONS). */
export const SHARED_FIRST_CID = 0xff00;

/** The stack's RFCOMM session on the link under test, as the tester sees it to speak on it. */
export interface StackSession {
  /** The stack's CID (frames of the tester's DLCIs arrive on it). */
  localCid: number;
  /** The device's CID (the tester sends on it). */
  remoteCid: number;
  remoteMtu: number;
  /** Whether the stack opened the session (TS 07.10 §5.2.1.2: the initiator's commands carry C/R 1). */
  initiator: boolean;
}

function matches(o: Observed, f: FrameFilter): boolean {
  if (f.layer !== undefined && (typeof f.layer === 'string' ? o.layer !== f.layer : !f.layer.includes(o.layer))) return false;
  if (f.cid !== undefined && o.cid !== f.cid) return false;
  return f.match ? f.match(o) : true;
}

/** Whether an HCI event is the Command Complete or Command Status for `opcode` (Vol 4 Part E §7.7.14, §7.7.15). */
export function answersCommand(event: Uint8Array, opcode: number): boolean {
  const at = event[0] === 0x0e ? 3 : event[0] === 0x0f ? 4 : -1;
  return at > 0 && event.length >= at + 2 && (event[at]! | (event[at + 1]! << 8)) === opcode;
}

export class Tester<M extends TesterMedium = TesterMedium> {
  readonly medium: M;
  /** Frames not taken yet by `next`, `frames` or `take`. */
  private readonly inbox: Observed[] = [];
  /** Every frame seen, in order (for reports). */
  readonly seen: Observed[] = [];
  /** The most `seen` keeps (DESIGN.md rule 6): older entries go first. */
  static readonly SEEN_CAP = 4096;
  private readonly channels = new Map<number, TesterChannel>();
  /** The stack's session CIDs the tester has claimed DLCIs on. */
  private readonly sharedSessions = new Set<number>();
  private nextCid = FIRST_CID;
  private nextIdentifier = 1;
  /** Answer the peer's Echo, Information, and Configuration/Disconnection Requests on tester channels. */
  autoAnswer = true;
  /** The link under test. */
  link: TapLink | undefined;

  /** `make` builds the medium around the tap wiring the tester provides. */
  constructor(make: (wiring: Wiring) => M) {
    this.medium = make({
      onFrame: (handle, frame) => this.onFrame(handle, frame),
      onLinkUp: (link, event) => this.record('link', link.handle, 0, event),
      onLinkDown: (handle, event) => {
        if (this.link?.handle === handle) this.link = undefined;
        this.channels.clear();
        this.sharedSessions.clear();
        this.record('link', handle, 0, event);
      },
      onEvent: (event) => this.record('hci', 0, 0, event),
    });
  }

  now(): number {
    return this.medium.now();
  }

  /** The link's handle; throws when no link is up. */
  get handle(): number {
    if (!this.link) throw new ArgumentError('no link to the implementation under test: connect first');
    return this.link.handle;
  }

  /** Pages `address` (or uses a link to it already up) and makes it the link under test. */
  async connect(address: string, timeoutMs = 20_000): Promise<TapLink> {
    const want = address.toUpperCase();
    const find = (): TapLink | undefined => [...this.medium.tap.links.values()].find((l) => l.address === want);
    if (!find()) this.medium.run((now) => this.medium.stack.requestSecurity(want, 'none', now));
    await this.medium.wait(() => find() !== undefined, this.now() + timeoutMs);
    const link = find();
    if (!link) throw new Error(`no ACL link to ${want} within ${timeoutMs} ms`);
    this.link = link;
    return link;
  }

  /** Waits until the implementation under test connected to us (the client role); returns the link. */
  async acceptLink(timeoutMs = 60_000): Promise<TapLink> {
    await this.medium.wait(() => this.medium.tap.links.size > 0, this.now() + timeoutMs);
    const link = [...this.medium.tap.links.values()][0];
    if (!link) throw new Error(`no ACL link came within ${timeoutMs} ms`);
    this.link = link;
    return link;
  }

  /** A fresh signaling identifier (1..255, never 0: Vol 3 Part A §4), never one the stack beside is waiting on. */
  identifier(): number {
    for (let tries = 0; ; tries++) {
      const id = this.nextIdentifier;
      this.nextIdentifier = id === 255 ? 1 : id + 1;
      if (!this.medium.tap.claims.hostIds.has(id) || tries >= 255) return id;
    }
  }

  // ---------------------------------------------------------------- sharing the link

  /**
   * 'link' (the default): the tester alone answers on the link under test; the stack beside keeps
   * only its HCI side. 'channels': the stack keeps its own L2CAP channels, signaling and DLCIs on the
   * link, and the tester answers only on its own channels and the DLCIs it claims.
   */
  standAside(mode: 'link' | 'channels'): void {
    this.medium.tap.standAside = mode;
    if (mode === 'channels' && this.nextCid < SHARED_FIRST_CID) this.nextCid = SHARED_FIRST_CID;
    if (mode === 'link') {
      this.medium.tap.claims.clear();
      this.sharedSessions.clear();
      this.nextCid = FIRST_CID;
    }
  }

  /** The stack's RFCOMM session on the link under test (its L2CAP channel on PSM 3, open), if any. */
  stackSession(): StackSession | undefined {
    const info = this.medium.stack.l2cap.channelsOn(this.handle).find((c) => c.psm === PSM.RFCOMM && c.state === 'OPEN');
    return info && { localCid: info.cid, remoteCid: info.remoteCid, remoteMtu: info.remoteMtu, initiator: info.initiator };
  }

  /**
   * Takes DLCI `dlci` on the stack's session: its frames, and the PN, MSC, RPN and RLS on DLCI 0
   * that name it, come to the tester (layer 'rfcomm'), which sends on `session.remoteCid`.
   */
  claimDlci(session: StackSession, dlci: number): void {
    if (this.medium.tap.standAside !== 'channels') throw new ArgumentError("claimDlci needs standAside('channels'): on the whole link the tester has every DLCI already");
    this.medium.tap.claims.claimDlci(session.localCid, dlci);
    this.sharedSessions.add(session.localCid);
  }

  /** Gives DLCI `dlci` back to the stack. */
  releaseDlci(session: StackSession, dlci: number): void {
    this.medium.tap.claims.releaseDlci(session.localCid, dlci);
  }

  // ---------------------------------------------------------------- sending

  /** Any ACL packet, as given. */
  sendAcl(spec: AclSpec): void {
    this.medium.tap.inject(aclPacket(spec));
  }

  /**
   * Any HCI command to the tester's controller (Core v5.4 Vol 4 Part E §5.4.1): any opcode,
   * parameters and length field. Its Command Complete or Command Status comes back on layer 'hci'
   * (the stack beside does not see it), with the other events the command causes. A length field
   * that differs from the parameters sent desynchronises the controller's reading of the stream: a
   * test of the controller, not of the device under test.
   */
  sendHciCommand(spec: HciCommandSpec): void {
    this.medium.tap.inject(hciCommand(spec));
  }

  /** Sends an HCI command and waits for its Command Complete or Command Status; undefined when none came. */
  async hciCommand(spec: HciCommandSpec, timeoutMs = 5_000): Promise<Observed | undefined> {
    this.sendHciCommand(spec);
    const op = spec.opcode;
    return this.next({ layer: 'hci', match: (o) => answersCommand(o.bytes, op) }, timeoutMs);
  }

  /** Any L2CAP frame on `cid`, fragmented to the controller's ACL size (or into `fragments` given sizes). */
  sendL2cap(cid: number, payload: Bytes, options: { length?: number; fragments?: readonly number[] } = {}): void {
    const frame = l2capFrame({ cid, payload, ...(options.length === undefined ? {} : { length: options.length }) });
    const size = this.medium.tap.aclSize || 27;
    const sizes = options.fragments ?? [];
    let at = 0;
    for (let i = 0; at < frame.length || i === 0; i++) {
      const n = sizes[i] ?? size;
      this.medium.tap.inject(aclPacket({ handle: this.handle, pb: i === 0 ? 2 : 1, data: frame.subarray(at, at + n) }));
      at += n;
    }
  }

  /** One or several signaling commands (their bytes, concatenated) in one C-frame on CID 0x0001. */
  sendSignal(commands: Bytes, options: { length?: number; fragments?: readonly number[] } = {}): void {
    this.sendL2cap(0x0001, commands, options);
  }

  /** Bytes on a tester channel (an RFCOMM frame, an SDP PDU, any payload). */
  sendOn(channel: TesterChannel, payload: Bytes): void {
    this.sendL2cap(channel.remoteCid, payload);
  }

  // ---------------------------------------------------------------- receiving

  /** The first frame matching `filter` not taken yet, waiting up to `timeoutMs`; undefined when none came. */
  async next(filter: FrameFilter = {}, timeoutMs = 5_000): Promise<Observed | undefined> {
    const find = (): number => this.inbox.findIndex((o) => matches(o, filter));
    await this.medium.wait(() => find() >= 0, this.now() + timeoutMs);
    const i = find();
    return i < 0 ? undefined : this.inbox.splice(i, 1)[0];
  }

  /** Frames matching `filter` as they come; ends once none came for `idleMs`. */
  async *frames(filter: FrameFilter = {}, idleMs = 5_000): AsyncIterableIterator<Observed> {
    for (let o = await this.next(filter, idleMs); o; o = await this.next(filter, idleMs)) yield o;
  }

  /** Takes every frame matching `filter` received so far, without waiting. */
  take(filter: FrameFilter = {}): Observed[] {
    const out: Observed[] = [];
    for (let i = 0; i < this.inbox.length; ) {
      if (matches(this.inbox[i]!, filter)) out.push(...this.inbox.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** Puts a frame taken by `next` back at the head of the queue (a script that looked and declined it). */
  putBack(o: Observed): void {
    this.inbox.unshift(o);
  }

  /** Lets `ms` of the stack's clock pass. */
  async idle(ms: number): Promise<void> {
    await this.medium.wait(() => false, this.now() + ms);
  }

  // ---------------------------------------------------------------- L2CAP channels of the tester

  /**
   * Opens an L2CAP channel to `psm` with the tester's own signaling: Connection Request (waiting
   * through "pending"), then configuration both ways with MTU `mtu`. Returns the channel, or a
   * sentence saying where it failed.
   */
  async openChannel(psm: number, options: { mtu?: number; timeoutMs?: number } = {}): Promise<TesterChannel | string> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const scid = this.nextCid++;
    this.medium.tap.claims.claimCid(scid);
    const id = this.identifier();
    this.sendSignal(signalCommand({ code: 0x02, identifier: id, data: Uint8Array.of(psm & 0xff, psm >>> 8, scid & 0xff, scid >>> 8) }));
    let dcid = 0;
    for (;;) {
      const rsp = await this.next({ layer: 'signaling', match: (o) => (o.bytes[0] === 0x03 || o.bytes[0] === 0x01) && o.bytes[1] === id }, timeoutMs);
      if (!rsp) return `no Connection Response for PSM 0x${psm.toString(16)}`;
      if (rsp.bytes[0] === 0x01 || rsp.bytes.length < 12) return `Connection Request for PSM 0x${psm.toString(16)} rejected: ${hex(rsp.bytes, ' ')}`;
      const result = rsp.bytes[8]! | (rsp.bytes[9]! << 8);
      if (result === 1) continue;
      if (result !== 0) return `Connection Response result 0x${result.toString(16).padStart(4, '0')} for PSM 0x${psm.toString(16)}`;
      dcid = rsp.bytes[4]! | (rsp.bytes[5]! << 8);
      break;
    }
    const channel: TesterChannel = { psm, localCid: scid, remoteCid: dcid, remoteMtu: 672 };
    this.channels.set(scid, channel);
    // Its Configuration Request may have come with the Connection Response, before the channel was known.
    if (this.autoAnswer) for (const o of this.take({ layer: 'signaling', match: (x) => x.bytes[0] === 0x04 && x.bytes[4] === (scid & 0xff) && x.bytes[5] === scid >>> 8 })) this.answered(o.bytes);
    const cfgId = this.identifier();
    const mtu = options.mtu ?? 672;
    this.sendSignal(signalCommand({ code: 0x04, identifier: cfgId, data: Uint8Array.of(dcid & 0xff, dcid >>> 8, 0, 0, 0x01, 0x02, mtu & 0xff, mtu >>> 8) }));
    const cfgRsp = await this.next({ layer: 'signaling', match: (o) => o.bytes[0] === 0x05 && o.bytes[1] === cfgId }, timeoutMs);
    if (!cfgRsp) return 'no Configuration Response';
    const cfgResult = cfgRsp.bytes.length >= 10 ? cfgRsp.bytes[8]! | (cfgRsp.bytes[9]! << 8) : -1;
    if (cfgResult !== 0) return `Configuration Response result ${cfgResult}: ${hex(cfgRsp.bytes, ' ')}`;
    await this.medium.wait(() => this.configuredByPeer.has(scid), this.now() + timeoutMs);
    if (!this.configuredByPeer.has(scid)) return 'the implementation sent no Configuration Request';
    channel.remoteMtu = this.configuredByPeer.get(scid)!;
    return channel;
  }

  /**
   * The client role: waits for the device's Connection Request for `psm`, accepts it, and completes
   * configuration both ways (our MTU `mtu`). Returns the channel, or a sentence saying where it failed.
   */
  async acceptChannel(psm: number, options: { mtu?: number; timeoutMs?: number } = {}): Promise<TesterChannel | string> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.medium.tap.claims.claimPsm(psm);
    const req = await this.next({ layer: 'signaling', match: (o) => o.bytes[0] === 0x02 && o.bytes.length >= 8 && (o.bytes[4]! | (o.bytes[5]! << 8)) === psm }, timeoutMs);
    if (!req) return `no Connection Request for PSM 0x${psm.toString(16)} within ${timeoutMs} ms`;
    this.link ??= this.medium.tap.links.get(req.handle);
    const scid = req.bytes[6]! | (req.bytes[7]! << 8);
    const cid = this.nextCid++;
    this.medium.tap.claims.claimCid(cid);
    const channel: TesterChannel = { psm, localCid: cid, remoteCid: scid, remoteMtu: 672 };
    this.channels.set(cid, channel);
    this.sendSignal(signalCommand({ code: 0x03, identifier: req.bytes[1]!, data: Uint8Array.of(cid & 0xff, cid >>> 8, scid & 0xff, scid >>> 8, 0, 0, 0, 0) }));
    const cfgId = this.identifier();
    const mtu = options.mtu ?? 672;
    this.sendSignal(signalCommand({ code: 0x04, identifier: cfgId, data: Uint8Array.of(scid & 0xff, scid >>> 8, 0, 0, 0x01, 0x02, mtu & 0xff, mtu >>> 8) }));
    const cfgRsp = await this.next({ layer: 'signaling', match: (o) => o.bytes[0] === 0x05 && o.bytes[1] === cfgId }, timeoutMs);
    if (!cfgRsp) return 'no Configuration Response';
    await this.medium.wait(() => this.configuredByPeer.has(cid), this.now() + timeoutMs);
    if (!this.configuredByPeer.has(cid)) return 'the implementation sent no Configuration Request';
    channel.remoteMtu = this.configuredByPeer.get(cid)!;
    return channel;
  }

  /** Sends a Disconnection Request for the channel and waits for the response. */
  async closeChannel(channel: TesterChannel, timeoutMs = 5_000): Promise<boolean> {
    const id = this.identifier();
    const d = channel.remoteCid;
    const s = channel.localCid;
    this.sendSignal(signalCommand({ code: 0x06, identifier: id, data: Uint8Array.of(d & 0xff, d >>> 8, s & 0xff, s >>> 8) }));
    const rsp = await this.next({ layer: 'signaling', match: (o) => o.bytes[0] === 0x07 && o.bytes[1] === id }, timeoutMs);
    this.channels.delete(s);
    this.medium.tap.claims.releaseCid(s);
    return rsp !== undefined;
  }

  /** MTUs from the peer's Configuration Requests on tester channels, by tester CID. */
  private readonly configuredByPeer = new Map<number, number>();

  // ---------------------------------------------------------------- input

  private onFrame(handle: number, frame: Uint8Array): void {
    const length = frame[0]! | (frame[1]! << 8);
    const cid = frame[2]! | (frame[3]! << 8);
    const payload = frame.subarray(4, 4 + length);
    if (cid === 0x0001) {
      for (let at = 0; at < payload.length; ) {
        const len = at + 4 <= payload.length ? payload[at + 2]! | (payload[at + 3]! << 8) : payload.length;
        const cmd = payload.slice(at, Math.min(payload.length, at + 4 + len));
        at += 4 + len;
        if (!(this.autoAnswer && this.answered(cmd))) this.record('signaling', handle, cid, cmd);
      }
      return;
    }
    const channel = this.channels.get(cid);
    const psm = this.sharedSessions.has(cid) ? PSM.RFCOMM : channel?.psm;
    const layer: ObservedLayer = psm === PSM.RFCOMM ? 'rfcomm' : psm === PSM.SDP ? 'sdp' : 'l2cap';
    this.record(layer, handle, cid, payload.slice());
  }

  private record(layer: ObservedLayer, handle: number, cid: number, bytes: Uint8Array, inbox = true): void {
    const o: Observed = { layer, at: this.now(), handle, cid, bytes, summary: summarize(layer, bytes) };
    this.seen.push(o);
    if (this.seen.length > Tester.SEEN_CAP) this.seen.shift();
    if (inbox) {
      this.inbox.push(o);
      if (this.inbox.length > Tester.SEEN_CAP) this.inbox.shift();
    }
  }

  /** Answers a request of the peer that keeps the link usable; true when answered (recorded, not queued). */
  private answered(cmd: Uint8Array): boolean {
    const [code, id] = [cmd[0], cmd[1]!];
    const data = cmd.subarray(4);
    let reply: Uint8Array | undefined;
    if (code === 0x08) reply = signalCommand({ code: 0x09, identifier: id, data });
    else if (code === 0x0a && data.length >= 2) reply = signalCommand({ code: 0x0b, identifier: id, data: Uint8Array.of(data[0]!, data[1]!, 0x01, 0x00) });
    else if (code === 0x04 && data.length >= 4) {
      const dcid = data[0]! | (data[1]! << 8);
      const channel = this.channels.get(dcid);
      if (!channel) return false;
      let mtu = 672;
      for (let at = 4; at + 2 <= data.length; at += 2 + data[at + 1]!) if ((data[at]! & 0x7f) === 0x01 && data[at + 1] === 2 && at + 4 <= data.length) mtu = data[at + 2]! | (data[at + 3]! << 8);
      this.configuredByPeer.set(dcid, mtu);
      const r = channel.remoteCid;
      reply = signalCommand({ code: 0x05, identifier: id, data: Uint8Array.of(r & 0xff, r >>> 8, 0, 0, 0, 0) });
    } else if (code === 0x06 && data.length >= 4) {
      const dcid = data[0]! | (data[1]! << 8);
      if (!this.channels.has(dcid)) return false;
      this.channels.delete(dcid);
      reply = signalCommand({ code: 0x07, identifier: id, data: data.subarray(0, 4) });
    }
    if (!reply) return false;
    this.record('signaling', this.handle, 1, cmd, false);
    this.sendSignal(reply);
    return true;
  }
}
