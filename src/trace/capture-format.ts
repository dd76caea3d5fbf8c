/**
 * Tells a capture's format from its first bytes: btsnoop "btsnoop\0", pcapng 0x0A0D0D0A, pcap
 * 0xa1b2c3d4/0xa1b23c4d (either byte order); bytes with none of these are tried as PacketLogger,
 * which has no magic (its first records must chain). Pure.
 */
import { DecodeError } from '../core/index.js';
import { decodeBtsnoopHeader, isBtsnoop } from './btsnoop.js';
import { packetloggerByteOrder } from './packetlogger.js';
import { decodePcapHeader, isPcap } from './pcap.js';
import { isPcapng } from './pcapng.js';

export type CaptureFormat = 'btsnoop' | 'pcap' | 'pcapng' | 'packetlogger';

/** Tells the format from the first bytes and checks the header; DecodeError when unknown. */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat {
  if (isBtsnoop(bytes)) {
    decodeBtsnoopHeader(bytes);
    return 'btsnoop';
  }
  if (isPcapng(bytes)) return 'pcapng';
  if (isPcap(bytes)) {
    decodePcapHeader(bytes);
    return 'pcap';
  }
  if (packetloggerByteOrder(bytes)) return 'packetlogger';
  throw new DecodeError('trace', 'capture file', 0, 'not a btsnoop, pcap, pcapng or PacketLogger file (no known magic, records do not chain)');
}
