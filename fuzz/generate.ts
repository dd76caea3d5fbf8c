/**
 * Structure-aware generation of hostile input, one layer at a time, from the codecs' own tables:
 * HCI events from EVENT_LIST / COMMAND_LIST field specs (Core v5.4 Vol 4 Part E §7), L2CAP
 * signaling from SIGNAL_SPECS and CONFIG_OPTION_SPECS (Vol 3 Part A §4–5), RFCOMM frames from
 * FRAME_TYPE and MCC_TYPE (TS 07.10 §5.2, §5.4.6; RFCOMM 1.2 §6.5) with a correct FCS, SDP PDUs
 * from SDP_PDU and the data element types (Vol 3 Part B §3–4). Fields are written as octets, not
 * through the encoders: a generator must be able to say what an encoder refuses to (lengths off by
 * one, counts that do not match, nesting deeper than the cap). Values aim at the open link (`Aim`)
 * often enough to reach the states behind it, and favour boundaries.
 *
 * Every generator returns the H4 packets of one case, ACL already wrapped for the target's link.
 */
import { bdAddrToBytes } from '../src/core/index.js';
import { COMMAND_LIST, EVENT_LIST, type Field, type FieldType } from '../src/hci/index.js';
import { CONFIG_OPTION_SPECS, SIGNAL_SPECS } from '../src/l2cap/index.js';
import { computeFcs, FRAME_TYPE, MCC_TYPE, PF_BIT } from '../src/rfcomm/index.js';
import { SDP_PDU } from '../src/sdp/index.js';
import type { Rand } from './random.js';
import type { Aim } from './world.js';

export const LAYERS = ['hci', 'acl', 'l2cap', 'rfcomm', 'sdp', 'h4'] as const;
export type Layer = (typeof LAYERS)[number];

const le = (v: number, size: number): number[] => Array.from({ length: size }, (_, i) => Math.floor(v / 2 ** (8 * i)) & 0xff);

/** Off by one now and then: the length a codec must not trust. */
function skew(r: Rand, n: number): number {
  if (!r.chance(0.1)) return n;
  return Math.max(0, n + r.pick([-1, 1, -n, 1 + r.below(8)]));
}

// ------------------------------------------------------------------ HCI events (Vol 4 Part E §7.7)

function fieldOctets(r: Rand, f: Field, aim: Aim, out: number[]): void {
  writeType(r, f.name, f.type, aim, out);
}

function writeType(r: Rand, name: string, t: FieldType, aim: Aim, out: number[]): void {
  switch (t.kind) {
    case 'uint': {
      let v = r.uint(t.size);
      if (/handle/i.test(name) && r.chance(0.7)) v = aim.handle;
      else if (typeof t.show === 'function' && r.chance(0.6)) v = 0;
      else if (/num|count/i.test(name) && r.chance(0.5)) v = r.below(4);
      out.push(...le(v, t.size));
      return;
    }
    case 'int8':
      out.push(r.nextU32() & 0xff);
      return;
    case 'bdaddr':
      out.push(...(r.chance(0.6) ? bdAddrToBytes(r.chance(0.8) ? aim.peerAddress : aim.targetAddress) : r.bytes(6)));
      return;
    case 'bytes':
    case 'string':
      out.push(...r.bytes(t.size));
      return;
    case 'array': {
      const n = r.chance(0.2) ? r.uint(1) : r.below(4);
      out.push(n);
      for (let i = 0; i < Math.min(n, 8); i++) for (const g of t.fields) fieldOctets(r, g, aim, out);
      return;
    }
  }
}

function eventPacket(code: number, params: number[], r: Rand): Uint8Array {
  const body = params.slice(0, 255);
  return Uint8Array.from([0x04, code, skew(r, body.length) & 0xff, ...body]);
}

function hciEvent(r: Rand, aim: Aim): Uint8Array {
  const roll = r.below(10);
  if (roll < 2) {
    // Command Complete: Num_HCI_Command_Packets, opcode, the command's return parameters.
    const spec = r.pick(COMMAND_LIST);
    const out = [r.chance(0.8) ? 1 : r.uint(1), ...le(r.chance(0.9) ? spec.opcode : r.uint(2), 2)];
    for (const f of spec.returns) fieldOctets(r, f, aim, out);
    return eventPacket(0x0e, out, r);
  }
  if (roll < 3) return eventPacket(r.uint(1), Array.from(r.bytes(r.length(40))), r);
  const spec = r.pick(EVENT_LIST);
  const out: number[] = [];
  for (const f of spec.fields) fieldOctets(r, f, aim, out);
  return eventPacket(spec.code, out, r);
}

// ------------------------------------------------------------------ ACL and L2CAP basic frames (Vol 4 Part E §5.4.2, Vol 3 Part A §3.1)

export function aclPacket(handle: number, pb: number, data: ArrayLike<number>, bc = 0, length = data.length): Uint8Array {
  return Uint8Array.from([0x02, handle & 0xff, ((handle >> 8) & 0x0f) | (pb << 4) | (bc << 6), length & 0xff, (length >> 8) & 0xff, ...Array.from(data)]);
}

function l2capFrame(r: Rand, cid: number, payload: ArrayLike<number>): number[] {
  const n = skew(r, payload.length);
  return [n & 0xff, n >> 8, cid & 0xff, cid >> 8, ...Array.from(payload)];
}

/** One L2CAP frame from the peer on the open link (ACL start packet, whole PDU). */
function fromPeer(r: Rand, aim: Aim, cid: number, payload: ArrayLike<number>): Uint8Array {
  return aclPacket(aim.handle, 2, l2capFrame(r, cid, payload));
}

function someCid(r: Rand, aim: Aim): number {
  return r.pick([aim.rfcommCid, aim.sdpCid, aim.rfcommRemoteCid, aim.sdpRemoteCid, 0x0001, 0x0002, 0x0000, 0x0040 + r.below(8), r.uint(2)]);
}

function aclCase(r: Rand, aim: Aim): Uint8Array[] {
  const cid = someCid(r, aim);
  const total = r.length(r.chance(0.3) ? 1100 : 64);
  const pdu = [...le(skew(r, total), 2), cid & 0xff, cid >> 8, ...r.bytes(total)];
  const out: Uint8Array[] = [];
  const handle = r.chance(0.8) ? aim.handle : r.uint(2) & 0x0fff;
  for (let at = 0, first = true; at < pdu.length || first; first = false) {
    const size = r.chance(0.3) ? r.length(32) : r.range(1, 400);
    const chunk = pdu.slice(at, at + size);
    at += Math.max(1, size);
    const pb = r.chance(0.85) ? (first ? 2 : 1) : r.below(4);
    const bc = r.chance(0.9) ? 0 : r.below(4);
    out.push(aclPacket(handle, pb, chunk, bc, skew(r, chunk.length)));
    if (r.chance(0.05)) out.push(out[out.length - 1]!);
  }
  return out;
}

// ------------------------------------------------------------------ L2CAP signaling (Vol 3 Part A §4, §5)

function configOptions(r: Rand): number[] {
  const out: number[] = [];
  for (let i = r.below(4); i > 0; i--) {
    if (r.chance(0.2)) {
      const data = r.bytes(r.length(8));
      out.push(r.uint(1), skew(r, data.length) & 0xff, ...data);
      continue;
    }
    const spec = r.pick(CONFIG_OPTION_SPECS);
    const value: number[] = [];
    for (const f of spec.fields) value.push(...signalField(r, f, undefined));
    out.push(spec.optionType | (r.chance(0.2) ? 0x80 : 0), skew(r, value.length) & 0xff, ...value);
  }
  return out;
}

function signalField(r: Rand, f: Field, aim: Aim | undefined): number[] {
  switch (f.type.kind) {
    case 'uint': {
      if (f.type.size !== 2) return le(r.uint(f.type.size), f.type.size);
      let v = r.uint(2);
      if (aim && /cid/i.test(f.name) && r.chance(0.7)) v = someCid(r, aim);
      else if (f.name === 'psm' && r.chance(0.7)) v = r.pick([0x0001, 0x0003, 0x1001, 0x0000]);
      else if (/result|status|reason|flags|infoType/.test(f.name) && r.chance(0.7)) v = r.below(5);
      else if (f.name === 'mtu' && r.chance(0.5)) v = r.pick([0, 47, 48, 672, 1017, 65535]);
      return le(v, 2);
    }
    case 'rest':
      return Array.from(r.bytes(r.length(r.chance(0.1) ? 700 : 12)));
    case 'list':
      return configOptions(r);
    default:
      throw new Error(`no L2CAP table has a ${f.type.kind} field`);
  }
}

function l2capCase(r: Rand, aim: Aim): Uint8Array[] {
  if (r.chance(0.15)) return [fromPeer(r, aim, someCid(r, aim), r.bytes(r.length(48)))];
  const frame: number[] = [];
  for (let i = r.chance(0.8) ? 1 : r.range(2, 3); i > 0; i--) {
    const spec = r.chance(0.9) ? r.pick(SIGNAL_SPECS) : undefined;
    const body: number[] = [];
    if (spec) for (const f of spec.fields) body.push(...signalField(r, f, aim));
    else body.push(...r.bytes(r.length(8)));
    const code = spec?.code ?? r.uint(1);
    frame.push(code, r.chance(0.9) ? r.range(1, 255) : 0, ...le(skew(r, body.length), 2), ...body);
  }
  return [fromPeer(r, aim, 0x0001, frame)];
}

// ------------------------------------------------------------------ RFCOMM (TS 07.10 §5.2, §5.4.6; RFCOMM 1.2 §6.5)

const MCC_VALUE_LENGTH: Record<number, number[]> = {
  [MCC_TYPE.PN]: [8],
  [MCC_TYPE.PSC]: [0],
  [MCC_TYPE.CLD]: [0],
  [MCC_TYPE.Test]: [0, 4, 32],
  [MCC_TYPE.FCon]: [0],
  [MCC_TYPE.FCoff]: [0],
  [MCC_TYPE.MSC]: [2, 3],
  [MCC_TYPE.NSC]: [1],
  [MCC_TYPE.RPN]: [1, 8],
  [MCC_TYPE.RLS]: [2],
  [MCC_TYPE.SNC]: [3],
};

function mcc(r: Rand, aim: Aim): number[] {
  const type = r.chance(0.9) ? r.pick(Object.values(MCC_TYPE)) : r.below(64);
  const n = r.pick(MCC_VALUE_LENGTH[type] ?? [r.below(10)]);
  const dlci = r.chance(0.7) ? aim.dlci : r.below(64);
  const value = Array.from(r.bytes(n));
  if (n > 0 && type !== MCC_TYPE.Test && type !== MCC_TYPE.NSC) value[0] = r.chance(0.8) ? (dlci << 2) | 0x03 : value[0]!;
  if (type === MCC_TYPE.PN && r.chance(0.8)) {
    value[0] = dlci;
    value[1] = r.pick([0x00, 0xf0, 0xe0, r.uint(1)]);
    value.splice(4, 2, ...le(r.pick([0, 1, 23, 127, 128, aim.n1, aim.n1 + 1, 32767, 65535, r.uint(2)]), 2));
  }
  const len = skew(r, value.length);
  return [(type << 2) | (r.chance(0.8) ? 2 : 0) | 1, ...(len > 127 ? [(len << 1) & 0xfe, len >> 7] : [(len << 1) | 1]), ...value];
}

function rfcommFrame(r: Rand, aim: Aim): number[] {
  const type = r.chance(0.95) ? r.pick(Object.values(FRAME_TYPE)) : r.uint(1) & ~PF_BIT;
  const dlci = r.pick([0, 0, aim.dlci, aim.dlci, aim.dlci ^ 1, r.below(64)]);
  const pf = r.chance(0.5);
  const cr = r.chance(0.7);
  const credits = type === FRAME_TYPE.UIH && pf && dlci !== 0 ? [r.uint(1)] : [];
  let info: number[];
  if (dlci === 0 && type === FRAME_TYPE.UIH) info = r.chance(0.85) ? [...mcc(r, aim), ...(r.chance(0.1) ? mcc(r, aim) : [])] : Array.from(r.bytes(r.length(16)));
  else info = type === FRAME_TYPE.UIH || r.chance(0.1) ? Array.from(r.bytes(r.pick([0, 1, 127, 128, aim.n1, aim.n1 + 1, r.below(64)]))) : [];
  const len = skew(r, info.length);
  const head = [(dlci << 2) | (cr ? 2 : 0) | 1, type | (pf ? PF_BIT : 0), ...(len > 127 || r.chance(0.05) ? [(len << 1) & 0xfe, len >> 7] : [(len << 1) | 1])];
  const covered = Uint8Array.from(type === FRAME_TYPE.UIH ? head.slice(0, 2) : head);
  const fcs = r.chance(0.9) ? computeFcs(covered) : r.uint(1);
  return [...head, ...credits, ...info, fcs];
}

function rfcommCase(r: Rand, aim: Aim): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = r.chance(0.7) ? 1 : r.range(2, 4); i > 0; i--) out.push(fromPeer(r, aim, aim.rfcommCid, rfcommFrame(r, aim)));
  return out;
}

// ------------------------------------------------------------------ SDP (Vol 3 Part B §3, §4)

/** A data element: type descriptor (5 bits), size index (3 bits), size, data; nested sometimes past the cap. */
function dataElement(r: Rand, depth: number): number[] {
  const type = r.chance(0.9) ? r.pick([1, 2, 3, 4, 6, 7, 8, 5, 0]) : r.below(32);
  if ((type === 6 || type === 7) && depth < (r.chance(0.05) ? 40 : 4)) {
    const inner: number[] = [];
    for (let i = r.below(depth > 4 ? 2 : 4); i >= 0; i--) inner.push(...dataElement(r, depth + 1));
    const n = skew(r, inner.length);
    return n < 256 && r.chance(0.7) ? [(type << 3) | 5, n, ...inner] : [(type << 3) | 6, ...le(n, 2).reverse(), ...inner];
  }
  if (type === 3) return r.chance(0.5) ? [0x19, ...r.bytes(2)] : r.chance(0.5) ? [0x1a, ...r.bytes(4)] : [0x1c, ...r.bytes(16)];
  if (type === 4 || type === 8) {
    const d = r.bytes(r.length(20));
    return [(type << 3) | 5, skew(r, d.length) & 0xff, ...d];
  }
  const sizeIndex = r.below(r.chance(0.1) ? 8 : 5);
  const size = [1, 2, 4, 8, 16][sizeIndex] ?? 0;
  return [(type << 3) | sizeIndex, ...r.bytes(type === 0 ? 0 : size)];
}

function uuidList(r: Rand): number[] {
  if (r.chance(0.3)) return dataElement(r, 0);
  const inner: number[] = [];
  for (let i = r.range(r.chance(0.1) ? 0 : 1, r.chance(0.1) ? 14 : 3); i > 0; i--) inner.push(...(r.chance(0.7) ? [0x19, 0x11, r.pick([0x01, 0x00, 0x05])] : dataElement(r, 1)));
  return [0x35, skew(r, inner.length) & 0xff, ...inner];
}

function attributeList(r: Rand): number[] {
  if (r.chance(0.3)) return dataElement(r, 0);
  const inner: number[] = [];
  for (let i = r.range(r.chance(0.1) ? 0 : 1, 3); i > 0; i--) inner.push(...(r.chance(0.5) ? [0x0a, ...le(r.uint(2), 2).reverse(), ...le(r.uint(2), 2).reverse()] : [0x09, ...le(r.uint(2), 2).reverse()]));
  return [0x35, skew(r, inner.length) & 0xff, ...inner];
}

function continuation(r: Rand): number[] {
  if (r.chance(0.6)) return [0];
  const n = r.chance(0.8) ? r.range(1, 16) : r.pick([17, 255]);
  return [n, ...r.bytes(Math.min(n, 20))];
}

function sdpPdu(r: Rand): number[] {
  const id = r.chance(0.9) ? r.pick(Object.values(SDP_PDU)) : r.uint(1);
  const maxBytes = () => le(r.pick([0, 6, 7, 8, 16, 48, 0xffff, r.uint(2)]), 2).reverse();
  let params: number[];
  switch (id) {
    case SDP_PDU.ServiceSearchRequest:
      params = [...uuidList(r), ...le(r.uint(2), 2).reverse(), ...continuation(r)];
      break;
    case SDP_PDU.ServiceAttributeRequest:
      params = [...le(r.chance(0.6) ? 0x00010000 + r.below(3) : r.uint(4), 4).reverse(), ...maxBytes(), ...attributeList(r), ...continuation(r)];
      break;
    case SDP_PDU.ServiceSearchAttributeRequest:
      params = [...uuidList(r), ...maxBytes(), ...attributeList(r), ...continuation(r)];
      break;
    default:
      params = Array.from(r.bytes(r.length(24)));
  }
  const n = skew(r, params.length);
  return [id, ...le(r.chance(0.8) ? r.below(4) : r.uint(2), 2).reverse(), ...le(n, 2).reverse(), ...params];
}

function sdpCase(r: Rand, aim: Aim): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = r.chance(0.6) ? 1 : r.range(2, 5); i > 0; i--) out.push(fromPeer(r, aim, aim.sdpCid, sdpPdu(r)));
  return out;
}

// ------------------------------------------------------------------ raw H4 (Vol 4 Part A §2)

/** An H4 packet whose length field says how many octets follow (padded to its header, cut to what the field holds). */
export function wholePacket(b: Uint8Array): Uint8Array {
  // Header length and where its length field sits, per indicator (h4-framer.ts); 0: not framed.
  const [header, at, size] = ({ 1: [4, 3, 1], 2: [5, 3, 2], 3: [4, 3, 1], 4: [3, 2, 1], 5: [5, 3, 2] } as Record<number, [number, number, number]>)[b[0] ?? 0] ?? [0, 0, 0];
  if (header === 0) return b;
  const out = b.length >= header ? Uint8Array.from(b) : Uint8Array.from([...b, ...new Uint8Array(header - b.length)]);
  const n = Math.min(size === 1 ? 255 : b[0] === 5 ? 0x3fff : 0xffff, out.length - header);
  out[at] = n & 0xff;
  if (size === 2) out[at + 1] = (b[0] === 5 ? out[at + 1]! & 0xc0 : 0) | (n >> 8);
  return out.subarray(0, header + n);
}


/** Packets of the other layers (and now and then garbage) as one byte stream cut at random points. */
function h4Stream(r: Rand, aim: Aim): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = r.range(1, 4); i > 0; i--) {
    const k = r.below(20);
    if (k === 0) parts.push(r.bytes(r.range(1, 16)));
    else if (k === 1) parts.push(Uint8Array.from([r.pick([0x01, 0x03, 0x05, 0x00, 0x06, 0xff]), ...r.bytes(r.length(12))]));
    else if (k === 2) parts.push(aclPacket(aim.handle, 2, r.bytes(8), 0, r.pick([4097, 0xffff])));
    else if (k < 8) parts.push(hciEvent(r, aim));
    else if (k < 12) parts.push(...l2capCase(r, aim));
    else if (k < 16) parts.push(...rfcommCase(r, aim));
    else parts.push(...aclCase(r, aim));
  }
  // Most streams keep their framing (the hostility is inside the packets); the rest break it.
  const framed = r.chance(0.7);
  const stream = Uint8Array.from(parts.flatMap((p) => Array.from(framed ? wholePacket(p) : p)));
  const out: Uint8Array[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = r.chance(0.5) ? stream.length - at : r.range(1, Math.max(1, stream.length - at));
    out.push(stream.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** The packets of one structure-aware case for `layer`. */
export function generate(layer: Layer, r: Rand, aim: Aim): Uint8Array[] {
  switch (layer) {
    case 'hci':
      return Array.from({ length: r.chance(0.8) ? 1 : r.range(2, 4) }, () => hciEvent(r, aim));
    case 'acl':
      return aclCase(r, aim);
    case 'l2cap':
      return l2capCase(r, aim);
    case 'rfcomm':
      return rfcommCase(r, aim);
    case 'sdp':
      return sdpCase(r, aim);
    case 'h4':
      return h4Stream(r, aim);
  }
}
