/**
 * Decodes a stream of H4 packets layer by layer, as `btmon -r` does: HCI, then ACL reassembled per
 * handle and direction into L2CAP frames, then signaling, SDP or RFCOMM (with its multiplexer
 * commands) according to the PSM each channel was opened for. The decoder follows L2CAP Connection
 * Requests and Responses to learn which CID carries which PSM, so it needs the packets in order.
 * A layer that does not decode is reported with its error and the packets after it still decode.
 *
 * SDP attribute lists (ServiceAttributeResponse, ServiceSearchAttributeResponse) are decoded into
 * records of named attributes once their byte stream is complete: a response with continuation
 * state carries only a fragment (Vol 3 Part B §4.3), so fragments are kept per channel (at most
 * MAX_SDP_ATTRIBUTE_BYTES) and joined with the response that ends the stream; a new request
 * without continuation state starts over.
 */
import { concat, DecodeError, hex } from '../core/index.js';
import { AclReassembler, decodeHciPacket, describeHciPacket, type HciPacket } from '../hci/index.js';
import { decodeBasicFrame, decodeSignalingFrame, describeSignal, type L2capSignal } from '../l2cap/index.js';
import { decodeMcc, decodeRfcommFrame, describeMcc, describeRfcommFrame, type Mcc, type RfcommFrame } from '../rfcomm/index.js';
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
  type ServiceRecord,
} from '../sdp/index.js';

const PSM_SDP = 0x0001;
const PSM_RFCOMM = 0x0003;
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

/** One packet, decoded as far as it goes; each layer is present only when the packet reached it. */
export interface DecodedPacket {
  hci: HciPacket | { error: string };
  acl?: { handle: number; pb: number; length: number; complete: boolean };
  l2cap?: { cid: number; psm?: number; length: number; signals?: (L2capSignal | { error: string })[] } | { error: string };
  sdp?: (SdpPdu & { attributes?: SdpAttributeLists }) | { error: string };
  rfcomm?: (RfcommFrame & { mcc?: Mcc }) | { error: string };
}

export class PacketDecoder {
  private readonly reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  /** `handle:cid` as seen in frames of one direction → PSM. */
  private readonly psmByCid = { tx: new Map<string, number>(), rx: new Map<string, number>() };
  /** Pending Connection Requests: `handle:direction:identifier` → { psm, scid }. */
  private readonly requests = new Map<string, { psm: number; scid: number }>();
  /** Fragments of an SDP attribute byte stream still continuing: `handle:cid` per direction. */
  private readonly sdpFragments = { tx: new Map<string, Uint8Array[]>(), rx: new Map<string, Uint8Array[]>() };

  decode(direction: 'tx' | 'rx', h4: Uint8Array): DecodedPacket {
    let hci: HciPacket;
    try {
      hci = decodeHciPacket(h4);
    } catch (error) {
      return { hci: { error: message(error) } };
    }
    const out: DecodedPacket = { hci };
    if (hci.type !== 'acl') return out;
    const acl = hci.acl;
    const pdu = this.reassemblers[direction].push(acl);
    out.acl = { handle: acl.handle, pb: acl.pb, length: acl.data.length, complete: pdu !== undefined };
    if (!pdu) return out;
    this.decodeL2cap(direction, acl.handle, pdu, out);
    return out;
  }

  /** One line per layer for the packet. */
  describe(direction: 'tx' | 'rx', h4: Uint8Array): string[] {
    const d = this.decode(direction, h4);
    const lines: string[] = [];
    lines.push('error' in d.hci ? `HCI malformed: ${d.hci.error} (${hex(h4.subarray(0, 16), ' ')})` : describeHciPacket(d.hci));
    if (d.l2cap) {
      if ('error' in d.l2cap) lines.push(`  L2CAP malformed: ${d.l2cap.error}`);
      else {
        lines.push(`  L2CAP cid=0x${d.l2cap.cid.toString(16).padStart(4, '0')}${d.l2cap.psm !== undefined ? ` psm=${psmName(d.l2cap.psm)}` : ''} len=${d.l2cap.length}`);
        for (const s of d.l2cap.signals ?? []) lines.push(`    ${'error' in s ? `signal malformed: ${s.error}` : describeSignal(s)}`);
      }
    }
    if (d.sdp) {
      lines.push(`    SDP ${'error' in d.sdp ? `malformed: ${d.sdp.error}` : describeSdpPdu(d.sdp)}`);
      if (!('error' in d.sdp) && d.sdp.attributes) lines.push(...describeAttributes(d.sdp.attributes));
    }
    if (d.rfcomm) {
      if ('error' in d.rfcomm) lines.push(`    RFCOMM malformed: ${d.rfcomm.error}`);
      else {
        lines.push(`    RFCOMM ${describeRfcommFrame(d.rfcomm)}`);
        if (d.rfcomm.mcc) lines.push(`      MCC ${describeMcc(d.rfcomm.mcc)}`);
        else if (d.rfcomm.info.length > 0 && d.rfcomm.dlci !== 0) lines.push(`      data ${printable(d.rfcomm.info)}`);
      }
    }
    return lines;
  }

  private decodeL2cap(direction: 'tx' | 'rx', handle: number, pdu: Uint8Array, out: DecodedPacket): void {
    let frame;
    try {
      frame = decodeBasicFrame(pdu);
    } catch (error) {
      out.l2cap = { error: message(error) };
      return;
    }
    const psm = this.psmByCid[direction].get(`${handle}:${frame.cid}`);
    out.l2cap = { cid: frame.cid, length: frame.payload.length, ...(psm !== undefined ? { psm } : {}) };
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
      out.sdp = attributes ? { ...pdu, attributes } : pdu;
    } else if (psm === PSM_RFCOMM) {
      out.rfcomm = decodeRfcomm(frame.payload);
    }
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
      for (const key of [...answers.keys()]) if (key.startsWith(`${handle}:`)) answers.delete(key);
      return undefined;
    }
    if (pdu.type !== 'service-attribute-response' && pdu.type !== 'service-search-attribute-response') return undefined;
    const bytes = pdu.type === 'service-attribute-response' ? pdu.attributeList : pdu.attributeLists;
    const fragments = this.sdpFragments[direction];
    const key = `${handle}:${cid}`;
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
      this.requests.set(`${handle}:${direction}:${s.identifier}`, { psm: s.psm, scid: s.scid });
      // The requester receives on its SCID.
      this.psmByCid[other].set(`${handle}:${s.scid}`, s.psm);
    } else if (s.type === 'connection-response') {
      const req = this.requests.get(`${handle}:${other}:${s.identifier}`);
      if (!req) return;
      if (s.result !== 0x0001 && s.result !== 0x0000) {
        this.requests.delete(`${handle}:${other}:${s.identifier}`);
        return;
      }
      // The responder receives on its DCID: frames the requester sends.
      if (s.dcid !== 0) this.psmByCid[other].set(`${handle}:${s.dcid}`, req.psm);
      if (s.result === 0x0000) this.requests.delete(`${handle}:${other}:${s.identifier}`);
    }
  }
}

function decodeRfcomm(payload: Uint8Array): (RfcommFrame & { mcc?: Mcc }) | { error: string } {
  try {
    const frame = decodeRfcommFrame(payload);
    if (frame.dlci === 0 && frame.type === 'UIH' && frame.info.length > 0) {
      try {
        return { ...frame, mcc: decodeMcc(frame.info) };
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

function psmName(psm: number): string {
  if (psm === PSM_SDP) return 'SDP';
  if (psm === PSM_RFCOMM) return 'RFCOMM';
  return `0x${psm.toString(16).padStart(4, '0')}`;
}

/** Data as text when it is printable, else hex; at most 48 bytes shown. */
function printable(b: Uint8Array): string {
  const shown = b.subarray(0, 48);
  const more = b.length > shown.length ? ` … (${b.length} bytes)` : '';
  const text = Array.from(shown, (c) => String.fromCharCode(c));
  if (text.every((c) => /[\x20-\x7e\r\n\t]/.test(c))) return JSON.stringify(text.join('')) + more;
  return hex(shown, ' ') + more;
}

function message(error: unknown): string {
  if (error instanceof DecodeError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
