/**
 * pcapng files (IETF draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format").
 *
 * A file is a list of blocks: block type u32 | block total length u32 | body | block total length
 * u32, lengths a multiple of 4. Each section starts with a Section Header Block whose byte-order
 * magic 0x1A2B3C4D tells the byte order of the whole section (both orders are read).
 *   SHB 0x0A0D0D0A: byte-order magic u32 | major u16 | minor u16 | section length i64 | options
 *   IDB 0x00000001: link type u16 | reserved u16 | snaplen u32 | options (if_tsresol = 9,
 *                   if_tsoffset = 14); interfaces are numbered from 0 per section
 *   EPB 0x00000006: interface id u32 | timestamp high u32 | low u32 | captured length u32 |
 *                   original length u32 | data padded to 4 | options
 *   SPB 0x00000003: original length u32 | data (captured = min(original, snaplen of interface 0))
 *   PB  0x00000002 (obsolete): interface id u16 | drops u16 | timestamp high | low | captured |
 *                   original | data
 * Other blocks (name resolution, statistics, decryption secrets, custom) are not packets and are
 * passed over without counting. Packets of interfaces whose link type carries no HCI are skipped.
 *
 * Codec contract: pure. A malformed block throws DecodeError with its offset; a block cut off by
 * the end of the file yields one `truncated` item and ends the iteration.
 */
import { DecodeError, u16be, u16le, u32be, u32le } from '../core/index.js';
import type { CaptureItem } from './capture-record.js';
import { linktypeItem } from './link-types.js';

export const PCAPNG_BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;
const MIN_BLOCK_LENGTH = 12;

const LAYER = 'trace';

export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && u32be(bytes, 0) === PCAPNG_BLOCK.SECTION_HEADER;
}

interface Interface {
  readonly linktype: number;
  readonly snaplen: number;
  /** Timestamp units per second as 10^n (decimal) or 2^n (binary). */
  readonly resolution: { readonly base: 10 | 2; readonly exponent: number };
  readonly offsetSeconds: bigint;
}

interface Section {
  littleEndian: boolean;
  interfaces: Interface[];
}

function fail(structure: string, offset: number, reason: string): never {
  throw new DecodeError(LAYER, structure, offset, reason);
}

export function* decodePcapngRecords(bytes: Uint8Array): Generator<CaptureItem> {
  if (!isPcapng(bytes)) fail('pcapng section header', 0, 'file does not start with a Section Header Block (0x0A0D0D0A)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const section: Section = { littleEndian: false, interfaces: [] };
  let offset = 0;
  let frame = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < MIN_BLOCK_LENGTH) {
      yield { type: 'truncated', offset, reason: `block header needs ${MIN_BLOCK_LENGTH} bytes, ${bytes.length - offset} left` };
      return;
    }
    if (u32be(bytes, offset) === PCAPNG_BLOCK.SECTION_HEADER) {
      const bom = u32be(bytes, offset + 8);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) section.littleEndian = false;
      else if (bom === 0x4d3c2b1a) section.littleEndian = true;
      else fail('pcapng section header', offset + 8, `byte-order magic 0x${bom.toString(16)} is not 0x1a2b3c4d in either order`);
      section.interfaces = [];
    }
    const le = section.littleEndian;
    const u32 = le ? u32le : u32be;
    const type = u32(bytes, offset);
    const length = u32(bytes, offset + 4);
    if (length < MIN_BLOCK_LENGTH || length % 4 !== 0) {
      fail('pcapng block', offset + 4, `block total length ${length} is not a multiple of 4 of at least ${MIN_BLOCK_LENGTH}`);
    }
    if (bytes.length - offset < length) {
      yield { type: 'truncated', offset, reason: `block of ${length} bytes, ${bytes.length - offset} left` };
      return;
    }
    if (u32(bytes, offset + length - 4) !== length) {
      fail('pcapng block', offset + length - 4, `trailing block total length ${u32(bytes, offset + length - 4)} differs from ${length}`);
    }
    const body = offset + 8;
    const bodyEnd = offset + length - 4;
    switch (type) {
      case PCAPNG_BLOCK.SECTION_HEADER:
        if (bodyEnd - body < 16) fail('pcapng section header', offset, `body of ${bodyEnd - body} bytes is shorter than 16`);
        break;
      case PCAPNG_BLOCK.INTERFACE_DESCRIPTION:
        section.interfaces.push(decodeInterface(bytes, view, body, bodyEnd, le));
        break;
      case PCAPNG_BLOCK.ENHANCED_PACKET:
      case PCAPNG_BLOCK.PACKET:
        frame++;
        yield packetItem(bytes, section, type, body, bodyEnd, frame);
        break;
      case PCAPNG_BLOCK.SIMPLE_PACKET:
        frame++;
        yield simplePacketItem(bytes, section, body, bodyEnd, frame);
        break;
      default:
        break;
    }
    offset += length;
  }
}

function decodeInterface(bytes: Uint8Array, view: DataView, body: number, end: number, le: boolean): Interface {
  if (end - body < 8) fail('pcapng interface description', body, `body of ${end - body} bytes is shorter than 8`);
  const linktype = (le ? u16le : u16be)(bytes, body);
  const snaplen = (le ? u32le : u32be)(bytes, body + 4);
  let resolution: Interface['resolution'] = { base: 10, exponent: 6 };
  let offsetSeconds = 0n;
  for (const option of options(bytes, body + 8, end, le)) {
    if (option.code === OPTION_IF_TSRESOL && option.length >= 1) {
      const v = bytes[option.value];
      resolution = v & 0x80 ? { base: 2, exponent: v & 0x7f } : { base: 10, exponent: v };
    } else if (option.code === OPTION_IF_TSOFFSET && option.length >= 8) {
      offsetSeconds = view.getBigInt64(option.value, le);
    }
  }
  return { linktype, snaplen, resolution, offsetSeconds };
}

function* options(bytes: Uint8Array, start: number, end: number, le: boolean): Generator<{ code: number; length: number; value: number }> {
  const u16 = le ? u16le : u16be;
  let offset = start;
  while (end - offset >= 4) {
    const code = u16(bytes, offset);
    const length = u16(bytes, offset + 2);
    if (code === OPTION_END) return;
    if (end - offset - 4 < length) fail('pcapng option', offset, `option ${code} of ${length} bytes runs past its block`);
    yield { code, length, value: offset + 4 };
    offset += 4 + ((length + 3) & ~3);
  }
}

function interfaceOf(section: Section, id: number, at: number): Interface {
  const iface = section.interfaces[id];
  if (!iface) fail('pcapng packet', at, `interface ${id} was not described (${section.interfaces.length} interface(s) in this section)`);
  return iface;
}

function timestampUs(iface: Interface, high: number, low: number): number {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const { base, exponent } = iface.resolution;
  const perSecond = BigInt(base) ** BigInt(exponent);
  return Number((units * 1_000_000n) / perSecond + iface.offsetSeconds * 1_000_000n);
}

function packetItem(bytes: Uint8Array, section: Section, type: number, body: number, end: number, frame: number): CaptureItem {
  const enhanced = type === PCAPNG_BLOCK.ENHANCED_PACKET;
  const structure = enhanced ? 'pcapng enhanced packet' : 'pcapng packet';
  if (end - body < 20) fail(structure, body, `body of ${end - body} bytes is shorter than 20`);
  const u32 = section.littleEndian ? u32le : u32be;
  const id = enhanced ? u32(bytes, body) : (section.littleEndian ? u16le : u16be)(bytes, body);
  const iface = interfaceOf(section, id, body);
  const capturedLength = u32(bytes, body + 12);
  const originalLength = u32(bytes, body + 16);
  const data = body + 20;
  if (end - data < capturedLength) fail(structure, body + 12, `captured length ${capturedLength} runs past its block (${end - data} bytes)`);
  const ts = timestampUs(iface, u32(bytes, body + 4), u32(bytes, body + 8));
  return linktypeItem(iface.linktype, frame, bytes.subarray(data, data + capturedLength), ts, capturedLength < originalLength);
}

function simplePacketItem(bytes: Uint8Array, section: Section, body: number, end: number, frame: number): CaptureItem {
  if (end - body < 4) fail('pcapng simple packet', body, `body of ${end - body} bytes is shorter than 4`);
  const iface = interfaceOf(section, 0, body);
  const originalLength = (section.littleEndian ? u32le : u32be)(bytes, body);
  const room = end - body - 4;
  const limit = iface.snaplen === 0 ? originalLength : Math.min(originalLength, iface.snaplen);
  if (limit > room) fail('pcapng simple packet', body, `packet of ${limit} bytes runs past its block (${room} bytes)`);
  return linktypeItem(iface.linktype, frame, bytes.subarray(body + 4, body + 4 + limit), undefined, limit < originalLength);
}
