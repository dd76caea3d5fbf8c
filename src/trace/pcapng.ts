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
 * Codec contract: pure (framer.ts). A file that does not start with a readable Section Header
 * Block throws DecodeError; after it, a malformed block is damage (see PcapngFramer).
 */
import { DecodeError, u16be, u16le, u32be, u32le } from '../core/index.js';
import type { CaptureItem } from './capture-record.js';
import { damage, need, STEP, type Framer, type StepCode, type StepOut } from './framer.js';
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

/** Block types whose body is known; a resynchronisation accepts only these. */
const KNOWN_BLOCKS: ReadonlySet<number> = new Set([
  ...Object.values(PCAPNG_BLOCK),
  0x00000004, // Name Resolution
  0x00000005, // Interface Statistics
  0x00000009, // systemd Journal Export
  0x0000000a, // Decryption Secrets
  0x00000bad, // Custom (copiable)
  0x40000bad, // Custom (not copiable)
]);
/** The largest block read (Wireshark's limit); a longer one is damage. */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;

/** A block that does not decode: the DecodeError's fields, caught by the framer and made damage. */
class BlockDamage extends DecodeError {}

function fail(structure: string, offset: number, reason: string): never {
  throw new BlockDamage(LAYER, structure, offset, reason);
}

/**
 * Reads the blocks (framer.ts). A block whose length fields are wrong is damage and reading goes
 * on at the next 4-aligned offset holding a known block type whose leading and trailing lengths
 * agree; a whole block whose body does not decode (a packet for an undescribed interface, a
 * captured length past the block) is damage and reading goes on after it.
 */
export class PcapngFramer implements Framer {
  readonly alignment = 4;
  readonly chained = false;
  private readonly section: Section = { littleEndian: false, interfaces: [] };
  private frame = 0;
  private started = false;

  step(bytes: Uint8Array, at: number, end: number, out: StepOut): StepCode {
    if (end - at < MIN_BLOCK_LENGTH) return need(out, MIN_BLOCK_LENGTH, `block header needs ${MIN_BLOCK_LENGTH} bytes, ${end - at} left`);
    const frame = this.frame + 1;
    const first = u32be(bytes, at) === PCAPNG_BLOCK.SECTION_HEADER;
    if (!this.started && !first) throw new DecodeError(LAYER, 'pcapng section header', at, 'file does not start with a Section Header Block (0x0A0D0D0A)');
    let le = this.section.littleEndian;
    if (first) {
      const bom = u32be(bytes, at + 8);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else if (bom === 0x4d3c2b1a) le = true;
      else return this.damaged(out, frame, at + 8, `byte-order magic 0x${bom.toString(16)} is not 0x1a2b3c4d in either order`);
    }
    const u32 = le ? u32le : u32be;
    const type = u32(bytes, at);
    const length = u32(bytes, at + 4);
    if (length < MIN_BLOCK_LENGTH || length % 4 !== 0 || length > MAX_PCAPNG_BLOCK_BYTES) {
      return this.damaged(out, frame, at + 4, `block total length ${length} is not a multiple of 4 from ${MIN_BLOCK_LENGTH} to ${MAX_PCAPNG_BLOCK_BYTES}`);
    }
    if (end - at < length) return need(out, length, `block of ${length} bytes, ${end - at} left`);
    const trailing = u32(bytes, at + length - 4);
    if (trailing !== length) return this.damaged(out, frame, at + length - 4, `trailing block total length ${trailing} differs from ${length}`);
    this.started = true;
    if (first) {
      this.section.littleEndian = le;
      this.section.interfaces = [];
    }
    out.next = at + length;
    const body = at + 8;
    const bodyEnd = at + length - 4;
    try {
      switch (type) {
        case PCAPNG_BLOCK.SECTION_HEADER:
          if (bodyEnd - body < 16) fail('pcapng section header', at, `body of ${bodyEnd - body} bytes is shorter than 16`);
          return STEP.SKIP;
        case PCAPNG_BLOCK.INTERFACE_DESCRIPTION:
          this.section.interfaces.push(decodeInterface(bytes, body, bodyEnd, le));
          return STEP.SKIP;
        case PCAPNG_BLOCK.ENHANCED_PACKET:
        case PCAPNG_BLOCK.PACKET:
          this.frame = frame;
          out.item = packetItem(bytes, this.section, type, body, bodyEnd, frame);
          return STEP.ITEM;
        case PCAPNG_BLOCK.SIMPLE_PACKET:
          this.frame = frame;
          out.item = simplePacketItem(bytes, this.section, body, bodyEnd, frame);
          return STEP.ITEM;
        default:
          return STEP.SKIP;
      }
    } catch (error) {
      if (!(error instanceof BlockDamage)) throw error;
      return damage(out, frame, error.offset, `record ${frame}: ${error.reason}`, at + length);
    }
  }

  private damaged(out: StepOut, frame: number, field: number, reason: string): StepCode {
    if (!this.started) throw new DecodeError(LAYER, 'pcapng section header', field, reason);
    return damage(out, frame, field, `record ${frame}: ${reason}`);
  }

  plausibleLength(bytes: Uint8Array, at: number, end: number): number {
    if (end - at < MIN_BLOCK_LENGTH) return 0;
    const shb = u32be(bytes, at) === PCAPNG_BLOCK.SECTION_HEADER;
    let le = this.section.littleEndian;
    if (shb) {
      const bom = u32be(bytes, at + 8);
      if (bom !== PCAPNG_BYTE_ORDER_MAGIC && bom !== 0x4d3c2b1a) return -1;
      le = bom !== PCAPNG_BYTE_ORDER_MAGIC;
    }
    const u32 = le ? u32le : u32be;
    const length = u32(bytes, at + 4);
    if (!KNOWN_BLOCKS.has(u32(bytes, at)) || length < MIN_BLOCK_LENGTH || length % 4 !== 0 || length > MAX_PCAPNG_BLOCK_BYTES) return -1;
    if (end - at < length) return 0;
    return u32(bytes, at + length - 4) === length ? length : -1;
  }
}

function decodeInterface(bytes: Uint8Array, body: number, end: number, le: boolean): Interface {
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
      offsetSeconds = new DataView(bytes.buffer, bytes.byteOffset + option.value, 8).getBigInt64(0, le);
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
