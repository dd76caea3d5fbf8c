/**
 * The tester's place between a host stack and its controller (sans-I/O). Packets from the host
 * pass to the controller unchanged; the tester adds its own ACL packets (`inject`). From the
 * controller, HCI events pass to the host, and every ACL packet is kept for the tester: the stack
 * beside it keeps the HCI side (paging, security, buffers) and stands aside on L2CAP, so that the
 * script alone answers there. ACL fragments are put together per handle (Core v5.4 Vol 3 Part A
 * §7.2) and each whole L2CAP frame is handed to `onFrame`.
 *
 * Controller buffer credits (Vol 4 Part E §4.1.1): the Number Of Completed Packets that answer the
 * tester's own packets are taken out of the event before the host sees it, so the host's count of
 * free buffers stays right.
 *
 * Standing aside (`standAside`): on the whole link ('link', the default: every ACL frame goes to
 * the tester), or on the tester's channels only ('channels'): the stack keeps its own L2CAP
 * channels, signaling and RFCOMM DLCIs on the same link, and only what `claims` gives the tester
 * (its channels, its PSMs, its DLCIs on a session of the stack; channel-claims.ts) comes to it.
 * What goes to the stack goes as the controller sent it, fragment by fragment; a signaling frame
 * holding commands for both is split, the stack's part passed as one ACL packet.
 *
 * HCI commands (Vol 4 Part E §5.4.1, §4.4): the tester may inject any command. The Command Complete
 * or Command Status that answers it (§7.7.14, §7.7.15: the event names the opcode) goes to the
 * tester alone; the answers to the host's own commands go to the host alone. Who sent an opcode is
 * kept in order of sending, per opcode, so that the host and the tester may both send the same one.
 */
import { concat } from '../core/index.js';
import { H4Framer } from '../hci/index.js';
import { ChannelClaims } from './channel-claims.js';

export interface TapLink {
  handle: number;
  address: string;
}

export interface LinkTapHooks {
  toController(h4: Uint8Array): void;
  toHost(h4: Uint8Array): void;
  /** A whole L2CAP frame (header included) from the controller. */
  onFrame(handle: number, frame: Uint8Array): void;
  onLinkUp(link: TapLink, event: Uint8Array): void;
  onLinkDown(handle: number, event: Uint8Array): void;
  /** Every H4 packet crossing, for a recorder. */
  onPacket?(direction: 'tx' | 'rx', h4: Uint8Array): void;
  /**
   * An HCI event (event code, length, parameters) other than a successful Connection Complete or
   * Disconnection Complete (`onLinkUp`, `onLinkDown`), Number Of Completed Packets (buffer bookkeeping) and the
   * answers to the host's own commands.
   */
  onEvent?(event: Uint8Array): void;
}

/** Who sent a command still waiting for its Command Complete or Command Status. */
type Sender = 'host' | 'tester';

/** The most a frame put together from fragments may hold (DESIGN.md rule 6). */
const MAX_FRAME = 65535 + 4;
/** The most unanswered commands remembered per opcode (DESIGN.md rule 6): older entries go first. */
const MAX_PENDING_COMMANDS = 64;

export class LinkTap {
  private readonly framer = new H4Framer({ maxDataLength: 65535 });
  private readonly partial = new Map<number, { buf: Uint8Array; got: number; packets: Uint8Array[] }>();
  private readonly injectedPending = new Map<number, number>();
  private readonly commandSenders = new Map<number, Sender[]>();
  readonly links = new Map<number, TapLink>();
  /** The controller's ACL data packet length (Read Buffer Size), 0 until seen. */
  aclSize = 0;
  /** What the stack beside leaves to the tester: the whole link, or the tester's channels only. */
  standAside: 'link' | 'channels' = 'link';
  /** With `standAside: 'channels'`: what the tester owns. */
  readonly claims = new ChannelClaims();

  constructor(private readonly hooks: LinkTapHooks) {}

  /** One H4 packet from the host. */
  fromHost(h4: Uint8Array): void {
    this.noteCommand(h4, 'host');
    this.noteSignaling(h4, 'host');
    this.hooks.onPacket?.('tx', h4);
    this.hooks.toController(h4);
  }

  /** The tester's own H4 packet toward the controller. */
  inject(h4: Uint8Array): void {
    if (h4[0] === 0x02 && h4.length >= 3) {
      const handle = (h4[1]! | (h4[2]! << 8)) & 0x0fff;
      if (this.links.has(handle)) this.injectedPending.set(handle, (this.injectedPending.get(handle) ?? 0) + 1);
    }
    this.noteCommand(h4, 'tester');
    this.noteSignaling(h4, 'tester');
    this.hooks.onPacket?.('tx', h4);
    this.hooks.toController(h4);
  }

  /** The signaling requests in an ACL packet that starts a C-frame (their identifiers answer to their sender). */
  private noteSignaling(h4: Uint8Array, sender: Sender): void {
    if (this.standAside !== 'channels' || h4[0] !== 0x02 || h4.length < 9 || ((h4[2]! >>> 4) & 3) === 1) return;
    if ((h4[7]! | (h4[8]! << 8)) !== 0x0001) return;
    for (const cmd of commandsOf(h4.subarray(9))) this.claims.sent(sender, cmd);
  }

  private noteCommand(h4: Uint8Array, sender: Sender): void {
    if (h4[0] !== 0x01 || h4.length < 3) return;
    const opcode = h4[1]! | (h4[2]! << 8);
    const senders = this.commandSenders.get(opcode) ?? [];
    senders.push(sender);
    if (senders.length > MAX_PENDING_COMMANDS) senders.shift();
    this.commandSenders.set(opcode, senders);
  }

  /** Who sent the command a Command Complete / Command Status answers (the host when nobody is waiting). */
  private answered(opcode: number): Sender {
    const senders = this.commandSenders.get(opcode);
    const sender = senders?.shift() ?? 'host';
    if (senders?.length === 0) this.commandSenders.delete(opcode);
    return sender;
  }

  /** Bytes from the controller, in any chunking. */
  fromController(bytes: Uint8Array): void {
    this.framer.push(bytes);
    for (let p = this.framer.poll(); p !== undefined; p = this.framer.poll()) {
      if (!(p instanceof Uint8Array)) {
        this.hooks.toHost(bytes);
        return;
      }
      this.packet(p.slice());
    }
  }

  private packet(p: Uint8Array): void {
    this.hooks.onPacket?.('rx', p);
    if (p[0] === 0x02) {
      this.acl(p);
      return;
    }
    if (p[0] === 0x04) {
      const out = this.event(p);
      if (out) this.hooks.toHost(out);
      return;
    }
    this.hooks.toHost(p);
  }

  /** Looks at an event; returns what the host gets (undefined: nothing). */
  private event(p: Uint8Array): Uint8Array | undefined {
    const code = p[1];
    const params = p.subarray(3);
    if (code === 0x03 && params.length >= 11 && params[0] === 0) {
      const handle = (params[1]! | (params[2]! << 8)) & 0x0fff;
      const a = params.subarray(3, 9);
      const address = Array.from(a)
        .reverse()
        .map((x) => x.toString(16).padStart(2, '0'))
        .join(':')
        .toUpperCase();
      const link = { handle, address };
      this.links.set(handle, link);
      this.hooks.onLinkUp(link, p.subarray(1));
    } else if (code === 0x05 && params.length >= 4 && params[0] === 0) {
      const handle = (params[1]! | (params[2]! << 8)) & 0x0fff;
      this.links.delete(handle);
      this.partial.delete(handle);
      this.injectedPending.delete(handle);
      if (this.links.size === 0) this.claims.clear();
      this.hooks.onLinkDown(handle, p.subarray(1));
    } else if (code === 0x13) {
      return this.completedPackets(p);
    } else if ((code === 0x0e && params.length >= 3) || (code === 0x0f && params.length >= 4)) {
      const at = code === 0x0e ? 1 : 2;
      const opcode = params[at]! | (params[at + 1]! << 8);
      if (this.answered(opcode) === 'tester') {
        this.hooks.onEvent?.(p.slice(1));
        return undefined;
      }
      // Read Buffer Size (Vol 4 Part E §7.4.5): the ACL size the tester fragments to.
      if (code === 0x0e && opcode === 0x1005 && params.length >= 6 && params[3] === 0) this.aclSize = params[4]! | (params[5]! << 8);
      return p;
    }
    if (!((code === 0x03 || code === 0x05) && params[0] === 0)) this.hooks.onEvent?.(p.slice(1));
    return p;
  }

  /** Number Of Completed Packets less the tester's own packets; undefined when nothing is left for the host. */
  private completedPackets(p: Uint8Array): Uint8Array | undefined {
    const n = p[3] ?? 0;
    if (p.length < 4 + n * 4) return p;
    const out = p.slice();
    let left = 0;
    for (let i = 0; i < n; i++) {
      const at = 4 + i * 4;
      const handle = (out[at]! | (out[at + 1]! << 8)) & 0x0fff;
      let count = out[at + 2]! | (out[at + 3]! << 8);
      const mine = Math.min(count, this.injectedPending.get(handle) ?? 0);
      if (mine > 0) this.injectedPending.set(handle, (this.injectedPending.get(handle) ?? 0) - mine);
      count -= mine;
      out[at + 2] = count & 0xff;
      out[at + 3] = count >>> 8;
      left += count;
    }
    return left > 0 ? out : undefined;
  }

  private acl(p: Uint8Array): void {
    if (p.length < 5) return this.toStack(p);
    const handle = (p[1]! | (p[2]! << 8)) & 0x0fff;
    const pb = (p[2]! >>> 4) & 3;
    const data = p.subarray(5, 5 + (p[3]! | (p[4]! << 8)));
    if (pb !== 1) {
      this.abandon(handle);
      if (data.length < 2) return this.toStack(p);
      const total = 4 + (data[0]! | (data[1]! << 8));
      if (total > MAX_FRAME) return this.toStack(p);
      this.partial.set(handle, { buf: new Uint8Array(total), got: 0, packets: [] });
    }
    const part = this.partial.get(handle);
    if (!part) return this.toStack(p);
    part.packets.push(p);
    if (part.got + data.length > part.buf.length) {
      this.abandon(handle);
      return;
    }
    part.buf.set(data, part.got);
    part.got += data.length;
    if (part.got === part.buf.length) {
      this.partial.delete(handle);
      this.frame(handle, part.buf, part.packets);
    }
  }

  /** Forgets a frame left unfinished; in 'channels' mode its fragments go on to the stack, which judges them. */
  private abandon(handle: number): void {
    const part = this.partial.get(handle);
    this.partial.delete(handle);
    if (part) for (const q of part.packets) this.toStack(q);
  }

  /** An ACL packet from the controller the tester does not take: the stack's in 'channels' mode, else dropped. */
  private toStack(p: Uint8Array): void {
    if (this.standAside === 'channels') this.hooks.toHost(p);
  }

  /** A whole L2CAP frame: the tester's, the stack's, or (signaling) split between them. */
  private frame(handle: number, frame: Uint8Array, packets: Uint8Array[]): void {
    if (this.standAside === 'link') return this.hooks.onFrame(handle, frame);
    const cid = frame[2]! | (frame[3]! << 8);
    const payload = frame.subarray(4);
    if (cid !== 0x0001) {
      if (this.claims.ownerOfFrame(cid, payload) === 'tester') this.hooks.onFrame(handle, frame);
      else for (const q of packets) this.hooks.toHost(q);
      return;
    }
    const mine: Uint8Array[] = [];
    const theirs: Uint8Array[] = [];
    for (const cmd of commandsOf(payload)) (this.claims.ownerOfCommand(cmd) === 'tester' ? mine : theirs).push(cmd);
    if (mine.length === 0) {
      for (const q of packets) this.hooks.toHost(q);
      return;
    }
    this.hooks.onFrame(handle, withL2capHeader(0x0001, concat(...mine)));
    if (theirs.length > 0) {
      const f = withL2capHeader(0x0001, concat(...theirs));
      const word = handle | (0b10 << 12);
      this.hooks.toHost(concat(Uint8Array.of(0x02, word & 0xff, word >>> 8, f.length & 0xff, f.length >>> 8), f));
    }
  }
}

/** The commands of a C-frame's payload (Core v5.4 Vol 3 Part A §4: code, identifier, length, data); a cut last one as it is. */
function commandsOf(payload: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; ) {
    const len = at + 4 <= payload.length ? payload[at + 2]! | (payload[at + 3]! << 8) : payload.length;
    out.push(payload.subarray(at, Math.min(payload.length, at + 4 + len)));
    at += 4 + len;
  }
  return out;
}

function withL2capHeader(cid: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(payload.length & 0xff, payload.length >>> 8, cid & 0xff, cid >>> 8), payload);
}
