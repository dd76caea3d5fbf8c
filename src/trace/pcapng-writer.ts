/**
 * Writes pcapng (IETF draft-ietf-opsawg-pcapng) for HCI packets, little-endian: one Section
 * Header Block, one Interface Description Block of LINKTYPE 201 BLUETOOTH_HCI_H4_WITH_PHDR
 * (snaplen 0 = no limit, microsecond timestamps: the default if_tsresol 6), then one Enhanced
 * Packet Block per packet:
 *   interface 0 | timestamp high u32 | low u32 (microseconds since the Unix epoch) |
 *   captured length = original length | data: direction u32 big-endian (0 sent by the host,
 *   1 received, link-types.ts) + the H4 packet | padding to 4 | block total length
 * Pure: bytes out, the caller writes them.
 */
import { ArgumentError, putU16le, putU32be, putU32le } from '../core/index.js';
import type { CaptureDirection } from './capture-record.js';
import { LINKTYPE } from './link-types.js';
import { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC } from './pcapng.js';

const SHB_LENGTH = 28;
const IDB_LENGTH = 20;
/** Block type, length, interface, timestamp (2), captured, original, trailing length. */
const EPB_FIXED_LENGTH = 32;
const PHDR_LENGTH = 4;

/** The Section Header Block and the Interface Description Block that start every file written here. */
export function encodePcapngHeader(): Uint8Array {
  const out = new Uint8Array(SHB_LENGTH + IDB_LENGTH);
  putU32le(out, 0, PCAPNG_BLOCK.SECTION_HEADER);
  putU32le(out, 4, SHB_LENGTH);
  putU32le(out, 8, PCAPNG_BYTE_ORDER_MAGIC);
  putU16le(out, 12, 1);
  putU16le(out, 14, 0);
  // Section length -1: not given.
  putU32le(out, 16, 0xffffffff);
  putU32le(out, 20, 0xffffffff);
  putU32le(out, 24, SHB_LENGTH);
  putU32le(out, 28, PCAPNG_BLOCK.INTERFACE_DESCRIPTION);
  putU32le(out, 32, IDB_LENGTH);
  putU16le(out, 36, LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR);
  putU16le(out, 38, 0);
  putU32le(out, 40, 0);
  putU32le(out, 44, IDB_LENGTH);
  return out;
}

export function pcapngPacketLength(h4Length: number): number {
  return EPB_FIXED_LENGTH + ((PHDR_LENGTH + h4Length + 3) & ~3);
}

/** One Enhanced Packet Block for an H4 packet (indicator first); `timestampUs` since the Unix epoch, 0 when absent. */
export function encodePcapngPacket(direction: CaptureDirection, h4: Uint8Array, timestampUs = 0): Uint8Array {
  if (h4.length === 0) throw new ArgumentError('cannot record an empty packet: h4 must start with its packet indicator');
  const length = pcapngPacketLength(h4.length);
  const out = new Uint8Array(length);
  const us = Math.max(0, Math.trunc(timestampUs));
  const high = Math.floor(us / 0x1_0000_0000);
  putU32le(out, 0, PCAPNG_BLOCK.ENHANCED_PACKET);
  putU32le(out, 4, length);
  putU32le(out, 8, 0);
  putU32le(out, 12, high);
  putU32le(out, 16, us - high * 0x1_0000_0000);
  putU32le(out, 20, PHDR_LENGTH + h4.length);
  putU32le(out, 24, PHDR_LENGTH + h4.length);
  putU32be(out, 28, direction === 'rx' ? 1 : 0);
  out.set(h4, 28 + PHDR_LENGTH);
  putU32le(out, length - 4, length);
  return out;
}

/** Pure pcapng writer with the shape of BtsnoopWriter: the header once, then one byte string per packet. */
export class PcapngWriter {
  private headerWritten = false;

  write(direction: CaptureDirection, h4: Uint8Array, timestampUs?: number): Uint8Array {
    const packet = encodePcapngPacket(direction, h4, timestampUs);
    if (this.headerWritten) return packet;
    const header = this.header();
    const out = new Uint8Array(header.length + packet.length);
    out.set(header, 0);
    out.set(packet, header.length);
    return out;
  }

  /** The header alone (marks it written), for a file that may stay empty. */
  header(): Uint8Array {
    this.headerWritten = true;
    return encodePcapngHeader();
  }
}
