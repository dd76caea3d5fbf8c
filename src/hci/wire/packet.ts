/**
 * H4 packets (Core v5.4 Vol 4 Part A §2, UART transport layer): one packet indicator octet, then the
 * HCI packet it names.
 *
 *   0x01 command · 0x02 ACL data · 0x03 synchronous data · 0x04 event · 0x05 ISO data
 *
 * Any other indicator is a vendor or diagnostic packet (for example 0x07, the Broadcom link-manager
 * diagnostic records in Android captures); it decodes to `{ type: 'vendor', indicator, data }`
 * with the bytes kept as they are.
 * Contract (src/core/codec.ts, `hciPacketCodec`): `decodeHciPacket` returns or throws `DecodeError` (empty input, or a header/length
 * mismatch in the packet it names); `encodeHciPacket(decodeHciPacket(b))` equals `b`;
 * `hciPacketLength(p)` = encoded length. A vendor packet carries no length of its own, so any
 * prefix of one is itself a vendor packet: the one exception to "every strict prefix fails".
 */
import { ByteWriter, type Codec, DecodeError, defineCodec, hex } from '../../core/index.js';
import { type AclPacket, aclLength, decodeAcl, describeAcl, encodeAclInto } from './acl.js';
import { commandLength, decodeCommand, describeCommand, encodeCommandInto, type HciCommand } from './command.js';
import { decodeEvent, describeEvent, encodeEventInto, eventLength, type HciEvent } from './event.js';
import { decodeIso, describeIso, encodeIsoInto, type IsoPacket, isoLength } from './iso.js';
import { decodeSco, describeSco, encodeScoInto, type ScoPacket, scoLength } from './sco.js';

export const H4_INDICATOR = {
  COMMAND: 0x01,
  ACL: 0x02,
  SCO: 0x03,
  EVENT: 0x04,
  ISO: 0x05,
} as const;

export type HciPacket =
  | { readonly type: 'command'; readonly command: HciCommand }
  | { readonly type: 'acl'; readonly acl: AclPacket }
  | { readonly type: 'sco'; readonly sco: ScoPacket }
  | { readonly type: 'event'; readonly event: HciEvent }
  | { readonly type: 'iso'; readonly iso: IsoPacket }
  | { readonly type: 'vendor'; readonly indicator: number; readonly data: Uint8Array };

export function decodeHciPacket(b: Uint8Array): HciPacket {
  if (b.length === 0) throw new DecodeError('hci', 'H4 packet', 0, 'empty: no packet indicator');
  const body = b.subarray(1);
  try {
    switch (b[0]) {
      case H4_INDICATOR.COMMAND:
        return { type: 'command', command: decodeCommand(body) };
      case H4_INDICATOR.ACL:
        return { type: 'acl', acl: decodeAcl(body) };
      case H4_INDICATOR.SCO:
        return { type: 'sco', sco: decodeSco(body) };
      case H4_INDICATOR.EVENT:
        return { type: 'event', event: decodeEvent(body) };
      case H4_INDICATOR.ISO:
        return { type: 'iso', iso: decodeIso(body) };
      default:
        return { type: 'vendor', indicator: b[0], data: body.slice() };
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.layer, e.structure, e.offset + 1, e.reason);
    throw e;
  }
}

export function hciPacketLength(p: HciPacket): number {
  switch (p.type) {
    case 'command':
      return 1 + commandLength(p.command);
    case 'acl':
      return 1 + aclLength(p.acl);
    case 'sco':
      return 1 + scoLength(p.sco);
    case 'event':
      return 1 + eventLength(p.event);
    case 'iso':
      return 1 + isoLength(p.iso);
    case 'vendor':
      return 1 + p.data.length;
  }
}

export function encodeHciPacketInto(p: HciPacket, out: Uint8Array, offset: number): number {
  switch (p.type) {
    case 'command':
      out[offset] = H4_INDICATOR.COMMAND;
      return 1 + encodeCommandInto(p.command, out, offset + 1);
    case 'acl':
      out[offset] = H4_INDICATOR.ACL;
      return 1 + encodeAclInto(p.acl, out, offset + 1);
    case 'sco':
      out[offset] = H4_INDICATOR.SCO;
      return 1 + encodeScoInto(p.sco, out, offset + 1);
    case 'event':
      out[offset] = H4_INDICATOR.EVENT;
      return 1 + encodeEventInto(p.event, out, offset + 1);
    case 'iso':
      out[offset] = H4_INDICATOR.ISO;
      return 1 + encodeIsoInto(p.iso, out, offset + 1);
    case 'vendor':
      new ByteWriter(out, offset).u8(p.indicator).put(p.data);
      return 1 + p.data.length;
  }
}

export function encodeHciPacket(p: HciPacket): Uint8Array {
  const out = new Uint8Array(hciPacketLength(p));
  encodeHciPacketInto(p, out, 0);
  return out;
}

export function describeHciPacket(p: HciPacket): string {
  switch (p.type) {
    case 'command':
      return describeCommand(p.command);
    case 'acl':
      return describeAcl(p.acl);
    case 'sco':
      return describeSco(p.sco);
    case 'event':
      return describeEvent(p.event);
    case 'iso':
      return describeIso(p.iso);
    case 'vendor':
      return `Vendor packet 0x${p.indicator.toString(16).padStart(2, '0')} len=${p.data.length} ${hex(p.data.subarray(0, 32), ' ')}${p.data.length > 32 ? ' …' : ''}`.trimEnd();
  }
}

export const hciPacketCodec: Codec<HciPacket> = defineCodec({
  name: 'H4 packet',
  length: hciPacketLength,
  encodeInto: encodeHciPacketInto,
  decode: decodeHciPacket,
  describe: describeHciPacket,
});
