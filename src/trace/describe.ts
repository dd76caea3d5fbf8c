/**
 * Decodes a stream of H4 packets layer by layer, as `btmon -r` does: HCI, then ACL reassembled per
 * handle and direction into L2CAP frames, then signaling, SDP or RFCOMM (with its multiplexer
 * commands) according to the PSM each channel was opened for. The decoder follows L2CAP Connection
 * Requests and Responses to learn which CID carries which PSM, so it needs the packets in order; a
 * Disconnection Request closes the channel at once (Vol 3 Part A §4.6: data in transit on it is
 * discarded), as Wireshark does. A layer that does not decode is reported with its error and the
 * packets after it still decode. LE Meta events and vendor commands and events are named by
 * `describe-hci.ts`; the HCI command and event tables are in src/hci/wire.
 *
 * SDP attribute lists (ServiceAttributeResponse, ServiceSearchAttributeResponse) are decoded into
 * records of named attributes once their byte stream is complete: a response with continuation
 * state carries only a fragment (Vol 3 Part B §4.3), so fragments are kept per channel (at most
 * MAX_SDP_ATTRIBUTE_BYTES) and joined with the response that ends the stream; a new request
 * without continuation state starts over.
 *
 * Above L2CAP (docs/traces.md, "What decode names"): AVDTP on PSM 0x0019 — the first channel of a
 * link on that PSM is signaling (AVDTP 1.3 §5.4.4), the ones opened while it is up carry media
 * (RTP headers); AVCTP on PSM 0x0017 (control, with the AV/C frame of AVRCP) and 0x001B (browsing);
 * AT command lines on RFCOMM server channels that an SDP record in the trace names as Hands-Free or
 * Headset (found in the decoded ServiceAttribute / ServiceSearchAttribute responses). What the trace
 * decoder learns of a link (its AVDTP signaling channel, its HFP/HSP server channels) is forgotten
 * at the link's Disconnection Complete.
 *
 * JSON carries every L2CAP PDU's payload as `l2cap.payload`; the layers above it carry their
 * headers only, not the payload bytes again.
 *
 * Each layer's codecs are imported from their own files, not from the layer's index, so that
 * decoding a capture loads no state machine (docs/performance.md, "Decoding captures").
 */
import { concat, DecodeError, hex, u16le, Uuid, view } from '../core/index.js';
import { ACL_HEADER_LENGTH, AclReassembler, decodeHciPacket, describeAclHeader, describeHciPacket, EVENT_CODE, H4_INDICATOR, type HciPacket } from '../hci/decoding.js';
import { BASIC_HEADER_LENGTH, basicFrameCid, decodeBasicFrame, decodeSignalingFrame, describeSignal, type L2capSignal } from '../l2cap/decoding.js';
import { decodeMcc, decodeRfcommFrame, describeMcc, describeRfcommFrame, type Mcc, type RfcommFrame } from '../rfcomm/decoding.js';
import {
  ATTRIBUTE_ID,
  decodeAttributeList,
  decodeAttributeLists,
  decodeSdpPdu,
  describeDataElement,
  describeSdpPdu,
  LANGUAGE_OFFSET,
  PRIMARY_LANGUAGE_BASE,
  type DataElement,
  type SdpPdu,
  parseService,
  type ServiceRecord,
} from '../sdp/decoding.js';
import { describeLeMeta, describeVendor, leMetaEvent, type LeMetaEvent } from './describe-hci.js';
import { decodeAtLines, type AtLine } from './profiles/at.js';
import { decodeAvctp, describeAvctp, type AvctpPacket } from './profiles/avctp.js';
import { decodeAvdtpSignal, decodeRtpHeader, describeAvdtpSignal, describeRtpHeader, type AvdtpSignal, type RtpHeader } from './profiles/avdtp.js';

const PSM_SDP = 0x0001;
const PSM_RFCOMM = 0x0003;
const PSM_AVCTP = 0x0017;
const PSM_AVDTP = 0x0019;
const PSM_AVCTP_BROWSING = 0x001b;
const PSM_NAMES = new Map([
  [PSM_SDP, 'SDP'],
  [PSM_RFCOMM, 'RFCOMM'],
  [PSM_AVCTP, 'AVCTP'],
  [PSM_AVDTP, 'AVDTP'],
  [PSM_AVCTP_BROWSING, 'AVCTP-Browsing'],
]);
/** Service classes whose RFCOMM channel carries AT commands: Headset, HS AG, Hands-Free, HF AG, Headset-HS. */
const AT_SERVICE_CLASSES = [0x1108, 0x1112, 0x111e, 0x111f, 0x1131].map((n) => Uuid.from16(n));
const CID_SIGNALING = 0x0001;
/** Cap on the attribute bytes kept per SDP channel while a continued response is joined. */
export const MAX_SDP_ATTRIBUTE_BYTES = 1 << 20;

/** One attribute of a record in an SDP response: its ID, its name when the ID is universal (or a
 * primary-language name), its value, and the value in one line. */
export interface SdpAttribute {
  id: number;
  name?: string;
  value: DataElement;
  text: string;
}

/** The attribute lists of an SDP response: decoded records once the byte stream is complete
 * (`responses`: how many responses it spanned), the bytes so far while it continues, or why the
 * complete stream did not decode. */
export type SdpAttributeLists = { records: SdpAttribute[][]; responses: number } | { continuedBytes: number } | { error: string };

/** An AVDTP packet: a signaling header on the signaling channel, an RTP header on a media channel. */
export type AvdtpPacket = ({ channel: 'signaling' } & AvdtpSignal) | ({ channel: 'media'; length: number } & Omit<RtpHeader, 'payload'>);

/** One packet, decoded as far as it goes; each layer is present only when the packet reached it. */
export interface DecodedPacket {
  hci: HciPacket | { error: string };
  /** The subevent of an LE Meta event, with its fields. */
  le?: LeMetaEvent;
  acl?: { handle: number; pb: number; length: number; complete: boolean };
  l2cap?: { cid: number; psm?: number; length: number; payload: Uint8Array; signals?: (L2capSignal | { error: string })[] } | { error: string };
  sdp?: (SdpPdu & { attributes?: SdpAttributeLists }) | { error: string };
  rfcomm?: (RfcommFrame & { mcc?: Mcc; at?: AtLine[] }) | { error: string };
  avdtp?: AvdtpPacket | { error: string };
  avctp?: Omit<AvctpPacket, 'payload'> | { error: string };
}

/** The layers of a decoded packet above HCI (what an L2CAP PDU decodes to). */
type AboveHci = Omit<DecodedPacket, 'hci' | 'le' | 'acl'>;

export class PacketDecoder {
  private readonly reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  /** Channel (`channelKey`) as seen in frames of one direction → PSM. */
  private readonly psmByCid = { tx: new Map<number, number>(), rx: new Map<number, number>() };
  /** Pending Connection Requests: `handle:direction:identifier` → { psm, scid }. */
  private readonly requests = new Map<string, { psm: number; scid: number; role?: 'signaling' | 'media' }>();
  /** Fragments of an SDP attribute byte stream still continuing, per channel (`channelKey`) and direction. */
  private readonly sdpFragments = { tx: new Map<number, Uint8Array[]>(), rx: new Map<number, Uint8Array[]>() };
  /** AVDTP channels (`channelKey`) per direction → signaling or media (the PSM alone does not tell). */
  private readonly avdtpRole = { tx: new Map<number, 'signaling' | 'media'>(), rx: new Map<number, 'signaling' | 'media'>() };
  /** Links whose AVDTP signaling channel is requested or open. */
  private readonly avdtpSignaling = new Set<number>();
  /** RFCOMM server channels per link that an SDP record names as Hands-Free or Headset. */
  private readonly atChannels = new Map<number, Set<number>>();
  /** Lines of commands and events described, by the packet's octets as a string (see `describe`). */
  private readonly described = new Map<string, readonly string[]>();

  decode(direction: 'tx' | 'rx', h4: Uint8Array): DecodedPacket {
    let hci: HciPacket;
    try {
      hci = decodeHciPacket(h4);
    } catch (error) {
      return { hci: { error: message(error) } };
    }
    const out: DecodedPacket = { hci };
    if (hci.type === 'event') {
      const le = leMetaEvent(hci);
      if (le) out.le = le;
      if (hci.event.name === 'Disconnection Complete' && hci.event.status === 0) this.forgetLink(hci.event.handle);
    }
    if (hci.type !== 'acl') return out;
    const acl = hci.acl;
    const pdu = this.reassemblers[direction].push(acl);
    out.acl = { handle: acl.handle, pb: acl.pb, length: acl.data.length, complete: pdu !== undefined };
    if (!pdu) return out;
    this.decodeL2cap(direction, acl.handle, pdu, out);
    return out;
  }

  /**
   * One line per layer for the packet: `describeDecoded(decode(direction, h4), h4)`, which is how
   * every packet but an ACL one is described. An ACL packet (nine in ten of a capture) is read in
   * place instead: its header fields, and the RFCOMM frame it completes, are described without the
   * objects `decode` builds for JSON. A command or event is described once per distinct packet:
   * they repeat (most of a data transfer's events are the same Number Of Completed Packets), and
   * describing one changes nothing in the decoder, except a Disconnection Complete, which is not
   * remembered. docs/performance.md ("Decoding captures") has what each saves;
   * test/trace/describe-paths.test.ts holds the lines equal to those of `describeDecoded`.
   */
  describe(direction: 'tx' | 'rx', h4: Uint8Array): string[] {
    if (h4[0] === H4_INDICATOR.ACL) {
      const lines = this.describeAcl(direction, h4);
      if (lines !== undefined) return lines;
    }
    if (!remembered(h4)) return describeDecoded(this.decode(direction, h4), h4);
    const key = String.fromCharCode.apply(null, h4 as unknown as number[]);
    const known = this.described.get(key);
    if (known !== undefined) return known.slice();
    const lines = describeDecoded(this.decode(direction, h4), h4);
    if (this.described.size >= REMEMBERED_PACKETS) this.described.clear();
    this.described.set(key, lines.slice());
    return lines;
  }

  /** `describe` for an ACL packet whose header is well formed (Vol 4 Part E §5.4.2), else undefined. */
  private describeAcl(direction: 'tx' | 'rx', h4: Uint8Array): string[] | undefined {
    if (h4.length < 1 + ACL_HEADER_LENGTH) return undefined;
    const length = u16le(h4, 3);
    if (length !== h4.length - 1 - ACL_HEADER_LENGTH) return undefined;
    const flags = u16le(h4, 1);
    const handle = flags & 0x0fff;
    const pb = (flags >>> 12) & 0b11;
    const bc = flags >>> 14;
    const lines = [describeAclHeader(handle, pb, bc, length)];
    const pdu = this.reassemblers[direction].pushFragment(handle, pb, bc, view(h4, 1 + ACL_HEADER_LENGTH, h4.length));
    if (pdu === undefined) return lines;
    const cid = basicFrameCid(pdu);
    if (cid !== undefined && this.psmByCid[direction].get(channelKey(handle, cid)) === PSM_RFCOMM) {
      lines.push(l2capLine(cid, PSM_RFCOMM, pdu.length - BASIC_HEADER_LENGTH));
      rfcommLines(decodeRfcomm(view(pdu, BASIC_HEADER_LENGTH, pdu.length), this.atChannels.get(handle)), lines);
      return lines;
    }
    const above: AboveHci = {};
    this.decodeL2cap(direction, handle, pdu, above);
    aboveHciLines(above, lines);
    return lines;
  }

  private decodeL2cap(direction: 'tx' | 'rx', handle: number, pdu: Uint8Array, out: AboveHci): void {
    let frame;
    try {
      frame = decodeBasicFrame(pdu);
    } catch (error) {
      out.l2cap = { error: message(error) };
      return;
    }
    const psm = this.psmByCid[direction].get(channelKey(handle, frame.cid));
    const { cid, payload } = frame;
    out.l2cap = psm === undefined ? { cid, length: payload.length, payload } : { cid, length: payload.length, psm, payload };
    if (frame.cid === CID_SIGNALING) {
      out.l2cap.signals = this.decodeSignals(direction, handle, frame.payload);
    } else if (psm === PSM_SDP) {
      let pdu: SdpPdu;
      try {
        pdu = decodeSdpPdu(frame.payload);
      } catch (error) {
        out.sdp = { error: message(error) };
        return;
      }
      const attributes = this.sdpAttributes(direction, handle, frame.cid, pdu);
      if (attributes && 'records' in attributes) this.learnAtChannels(handle, attributes.records);
      out.sdp = attributes ? { ...pdu, attributes } : pdu;
    } else if (psm === PSM_RFCOMM) {
      out.rfcomm = decodeRfcomm(frame.payload, this.atChannels.get(handle));
    } else if (psm === PSM_AVDTP) {
      out.avdtp = decodeAvdtp(frame.payload, this.avdtpRole[direction].get(channelKey(handle, frame.cid)) ?? 'signaling');
    } else if (psm === PSM_AVCTP || psm === PSM_AVCTP_BROWSING) {
      out.avctp = decodeAvctpHeader(frame.payload, psm === PSM_AVCTP ? 'control' : 'browsing');
    }
  }

  /**
   * The role of a new AVDTP channel on a link: the first is signaling, those opened while it is
   * requested or open carry media (AVDTP 1.3 §5.4.4: signaling is set up before any transport channel).
   */
  private avdtpRoleOfNewChannel(handle: number): 'signaling' | 'media' {
    if (this.avdtpSignaling.has(handle)) return 'media';
    this.avdtpSignaling.add(handle);
    return 'signaling';
  }

  /** Remembers the RFCOMM server channels of Hands-Free and Headset records (HFP 1.8 §6.1, HSP 1.2 §5.3). */
  private learnAtChannels(handle: number, records: SdpAttribute[][]): void {
    for (const attributes of records) {
      const service = parseService(new Map(attributes.map((a) => [a.id, a.value])));
      if (service.channel === undefined || !service.serviceClasses.some((c) => AT_SERVICE_CLASSES.some((u) => u.equals(c)))) continue;
      const channels = this.atChannels.get(handle) ?? new Set<number>();
      channels.add(service.channel);
      this.atChannels.set(handle, channels);
    }
  }

  /** A link is gone (HCI Disconnection Complete): what was learnt of its channels goes with it. */
  private forgetLink(handle: number): void {
    this.avdtpSignaling.delete(handle);
    this.atChannels.delete(handle);
  }

  private decodeSignals(direction: 'tx' | 'rx', handle: number, payload: Uint8Array): (L2capSignal | { error: string })[] {
    const frame = decodeSignalingFrame(payload);
    const signals: (L2capSignal | { error: string })[] = [];
    for (const item of frame.commands) {
      if (item.kind === 'malformed') {
        signals.push({ error: item.error.message });
        continue;
      }
      const s = item.signal;
      signals.push(s);
      this.follow(direction, handle, s);
    }
    if (frame.tail) signals.push({ error: `${frame.tail.length} trailing byte(s) of a truncated command` });
    return signals;
  }

  /** The attribute lists of an SDP response, joined across continued responses on its channel. */
  private sdpAttributes(direction: 'tx' | 'rx', handle: number, cid: number, pdu: SdpPdu): SdpAttributeLists | undefined {
    if ((pdu.type === 'service-attribute-request' || pdu.type === 'service-search-attribute-request') && pdu.continuation.length === 0) {
      const answers = this.sdpFragments[direction === 'tx' ? 'rx' : 'tx'];
      for (const key of [...answers.keys()]) if (key >>> 16 === handle) answers.delete(key);
      return undefined;
    }
    if (pdu.type !== 'service-attribute-response' && pdu.type !== 'service-search-attribute-response') return undefined;
    const bytes = pdu.type === 'service-attribute-response' ? pdu.attributeList : pdu.attributeLists;
    const fragments = this.sdpFragments[direction];
    const key = channelKey(handle, cid);
    const parts = [...(fragments.get(key) ?? []), bytes];
    const size = parts.reduce((n, p) => n + p.length, 0);
    if (pdu.continuation.length > 0) {
      if (size > MAX_SDP_ATTRIBUTE_BYTES) {
        fragments.delete(key);
        return { error: `attribute bytes over ${MAX_SDP_ATTRIBUTE_BYTES} across continued responses: not joined` };
      }
      fragments.set(key, parts);
      return { continuedBytes: size };
    }
    fragments.delete(key);
    try {
      const whole = concat(...parts);
      const records = pdu.type === 'service-attribute-response' ? [decodeAttributeList(whole)] : decodeAttributeLists(whole);
      return { records: records.map(attributesOf), responses: parts.length };
    } catch (error) {
      return { error: message(error) };
    }
  }

  /** Learns the CIDs of each channel from its Connection Request and Response (Vol 3 Part A §4.2–4.3). */
  private follow(direction: 'tx' | 'rx', handle: number, s: L2capSignal): void {
    const other = direction === 'tx' ? 'rx' : 'tx';
    if (s.type === 'connection-request') {
      const role = s.psm === PSM_AVDTP ? this.avdtpRoleOfNewChannel(handle) : undefined;
      this.requests.set(`${handle}:${direction}:${s.identifier}`, { psm: s.psm, scid: s.scid, ...(role ? { role } : {}) });
      // The requester receives on its SCID.
      this.psmByCid[other].set(channelKey(handle, s.scid), s.psm);
      if (role) this.avdtpRole[other].set(channelKey(handle, s.scid), role);
    } else if (s.type === 'connection-response') {
      const req = this.requests.get(`${handle}:${other}:${s.identifier}`);
      if (!req) return;
      if (s.result !== 0x0001 && s.result !== 0x0000) {
        this.requests.delete(`${handle}:${other}:${s.identifier}`);
        if (req.role === 'signaling') this.avdtpSignaling.delete(handle);
        return;
      }
      // The responder receives on its DCID: frames the requester sends.
      if (s.dcid !== 0) this.psmByCid[other].set(channelKey(handle, s.dcid), req.psm);
      if (s.dcid !== 0 && req.role) this.avdtpRole[other].set(channelKey(handle, s.dcid), req.role);
      if (s.result === 0x0000) this.requests.delete(`${handle}:${other}:${s.identifier}`);
    } else if (s.type === 'disconnection-request') {
      // Vol 3 Part A §4.6: once the request is sent, data in transit on the channel is discarded,
      // so the channel is closed here (as Wireshark closes it). Frames from the requester (this
      // direction) carry DCID; frames to it (the other direction) carry SCID.
      this.close(handle, [direction, s.dcid], [other, s.scid]);
    } else if (s.type === 'disconnection-response') {
      // §4.7, for a request the trace did not show: the responder sends it, so frames to the
      // requester (this direction) carry SCID and frames to the responder carry DCID.
      this.close(handle, [direction, s.scid], [other, s.dcid]);
    }
  }

  /** Forgets a closed channel's PSM and AVDTP role; if it was AVDTP signaling, the next AVDTP channel is again. */
  private close(handle: number, ...ends: (readonly ['tx' | 'rx', number])[]): void {
    for (const [direction, cid] of ends) {
      const key = channelKey(handle, cid);
      if (this.avdtpRole[direction].get(key) === 'signaling') this.avdtpSignaling.delete(handle);
      this.avdtpRole[direction].delete(key);
      this.psmByCid[direction].delete(key);
    }
  }
}

/** One line per layer of a decoded packet (what `PacketDecoder.describe` gives). */
export function describeDecoded(d: DecodedPacket, h4: Uint8Array): string[] {
  const lines: string[] = [];
  if ('error' in d.hci) lines.push(`HCI malformed: ${d.hci.error} (${hex(h4.subarray(0, 16), ' ')})`);
  else lines.push(d.le ? describeLeMeta(d.le) : (describeVendor(d.hci) ?? describeHciPacket(d.hci)));
  aboveHciLines(d, lines);
  return lines;
}

/** The lines of the layers above HCI: L2CAP and what it carries. */
function aboveHciLines(d: AboveHci, lines: string[]): void {
  if (d.l2cap) {
    if ('error' in d.l2cap) lines.push(`  L2CAP malformed: ${d.l2cap.error}`);
    else {
      lines.push(l2capLine(d.l2cap.cid, d.l2cap.psm, d.l2cap.length));
      if (d.avdtp) lines.push(`    AVDTP ${describeAvdtp(d.avdtp)}`);
      if (d.avctp) lines.push(`    AVCTP ${'error' in d.avctp ? `malformed: ${d.avctp.error}` : describeAvctp(d.avctp)}`);
      for (const s of d.l2cap.signals ?? []) lines.push(`    ${'error' in s ? `signal malformed: ${s.error}` : describeSignal(s)}`);
    }
  }
  if (d.sdp) {
    lines.push(`    SDP ${'error' in d.sdp ? `malformed: ${d.sdp.error}` : describeSdpPdu(d.sdp)}`);
    if (!('error' in d.sdp) && d.sdp.attributes) lines.push(...describeAttributes(d.sdp.attributes));
  }
  if (d.rfcomm) rfcommLines(d.rfcomm, lines);
}

function l2capLine(cid: number, psm: number | undefined, length: number): string {
  return `  L2CAP cid=0x${cid.toString(16).padStart(4, '0')}${psm !== undefined ? ` psm=${psmName(psm)}` : ''} len=${length}`;
}

function rfcommLines(rfcomm: NonNullable<DecodedPacket['rfcomm']>, lines: string[]): void {
  if ('error' in rfcomm) lines.push(`    RFCOMM malformed: ${rfcomm.error}`);
  else {
    lines.push(`    RFCOMM ${describeRfcommFrame(rfcomm)}`);
    if (rfcomm.mcc) lines.push(`      MCC ${describeMcc(rfcomm.mcc)}`);
    else if (rfcomm.at) for (const at of rfcomm.at) lines.push(`      AT ${at.text}`);
    else if (rfcomm.info.length > 0 && rfcomm.dlci !== 0) lines.push(`      data ${printable(rfcomm.info)}`);
  }
}

/** Distinct commands and events whose lines a decoder keeps; it forgets them all when full. */
const REMEMBERED_PACKETS = 1024;
/** Longer packets are described each time: they are rarely repeated, and memory stays small. */
const REMEMBERED_MAX_OCTETS = 64;

/** Whether `describe` keeps the lines of this packet: a command or event, short, that teaches the decoder nothing. */
function remembered(h4: Uint8Array): boolean {
  if (h4.length > REMEMBERED_MAX_OCTETS) return false;
  return h4[0] === H4_INDICATOR.COMMAND || (h4[0] === H4_INDICATOR.EVENT && h4[1] !== EVENT_CODE.DISCONNECTION_COMPLETE);
}

/** A channel of a link as one number: the connection handle (12 bits) above the CID (16 bits). */
function channelKey(handle: number, cid: number): number {
  return (handle << 16) | cid;
}

function decodeRfcomm(payload: Uint8Array, atChannels: ReadonlySet<number> | undefined): (RfcommFrame & { mcc?: Mcc; at?: AtLine[] }) | { error: string } {
  try {
    const frame = decodeRfcommFrame(payload);
    if (frame.dlci === 0 && frame.type === 'UIH' && frame.info.length > 0) {
      try {
        return { ...frame, mcc: decodeMcc(frame.info) };
      } catch {
        return frame;
      }
    }
    // DLCI = server channel << 1 | direction bit (RFCOMM 1.2 §5.4, TS 07.10 §5.6).
    if (frame.type === 'UIH' && frame.info.length > 0 && atChannels?.has(frame.dlci >> 1)) {
      try {
        return { ...frame, at: decodeAtLines(frame.info) };
      } catch {
        return frame;
      }
    }
    return frame;
  } catch (error) {
    return { error: message(error) };
  }
}

const ATTRIBUTE_NAMES = new Map<number, string>([
  ...Object.entries(ATTRIBUTE_ID)
    .filter(([, id]) => id <= ATTRIBUTE_ID.AdditionalProtocolDescriptorLists)
    .map(([name, id]) => [id, name] as [number, string]),
  ...Object.entries(LANGUAGE_OFFSET).map(([name, offset]) => [PRIMARY_LANGUAGE_BASE + offset, name] as [number, string]),
]);

function attributesOf(record: ServiceRecord): SdpAttribute[] {
  return [...record].map(([id, value]) => {
    const name = ATTRIBUTE_NAMES.get(id);
    return { id, ...(name ? { name } : {}), value, text: describeDataElement(value) };
  });
}

/** Lines under the SDP line: each record with one attribute per line, or where the stream stands. */
function describeAttributes(a: SdpAttributeLists): string[] {
  if ('error' in a) return [`      attribute lists malformed: ${a.error}`];
  if ('continuedBytes' in a) return [`      attribute lists continue in the next response (${a.continuedBytes} byte(s) so far)`];
  const lines: string[] = [];
  const joined = a.responses > 1 ? ` (joined from ${a.responses} responses)` : '';
  a.records.forEach((record, i) => {
    lines.push(`      record ${i + 1} of ${a.records.length}${joined}`);
    for (const attr of record) lines.push(`        0x${attr.id.toString(16).padStart(4, '0')}${attr.name ? ` ${attr.name}` : ''}: ${attr.text}`);
  });
  return lines;
}

function decodeAvdtp(payload: Uint8Array, channel: 'signaling' | 'media'): AvdtpPacket | { error: string } {
  try {
    if (channel === 'signaling') return { channel, ...decodeAvdtpSignal(payload) };
    const { payload: media, ...header } = decodeRtpHeader(payload);
    return { channel, ...header, length: media.length };
  } catch (error) {
    return { error: message(error) };
  }
}

function describeAvdtp(p: AvdtpPacket | { error: string }): string {
  if ('error' in p) return `malformed: ${p.error}`;
  return p.channel === 'media' ? describeRtpHeader(p, p.length) : describeAvdtpSignal(p);
}

function decodeAvctpHeader(payload: Uint8Array, channel: 'control' | 'browsing'): Omit<AvctpPacket, 'payload'> | { error: string } {
  try {
    const { payload: _, ...header } = decodeAvctp(payload, channel);
    return header;
  } catch (error) {
    return { error: message(error) };
  }
}

function psmName(psm: number): string {
  return PSM_NAMES.get(psm) ?? `0x${psm.toString(16).padStart(4, '0')}`;
}

/** Data as text when it is printable (ASCII 0x20–0x7E, CR, LF, tab), else hex; at most 48 bytes shown. */
function printable(b: Uint8Array): string {
  const shown = b.length > 48 ? b.subarray(0, 48) : b;
  const more = b.length > shown.length ? ` … (${b.length} bytes)` : '';
  for (let i = 0; i < shown.length; i++) {
    const c = shown[i];
    if ((c < 0x20 || c > 0x7e) && c !== 0x0d && c !== 0x0a && c !== 0x09) return hex(shown, ' ') + more;
  }
  // Printable ASCII: one UTF-16 code unit per byte (a TextDecoder call costs more for so few bytes).
  return JSON.stringify(String.fromCharCode.apply(null, shown as unknown as number[])) + more;
}

function message(error: unknown): string {
  if (error instanceof DecodeError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
