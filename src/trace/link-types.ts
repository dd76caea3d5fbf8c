/**
 * The pcap/pcapng link types that carry HCI (tcpdump.org LINKTYPE list):
 *   187 LINKTYPE_BLUETOOTH_HCI_H4: the H4 packet, indicator first, no direction (inferred from
 *       the packet type: commands tx, events rx, data packets rx with `directionInferred`).
 *   201 LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: a 4-byte big-endian direction word (low bit set =
 *       received by the host, clear = sent by the host, as libpcap and Wireshark write it), then H4.
 *   254 LINKTYPE_BLUETOOTH_LINUX_MONITOR: u16 adapter index, u16 monitor opcode (big-endian), then
 *       the bare HCI packet.
 * Pure: bytes in, one capture item out.
 */
import { u16be, u32be } from '../core/index.js';
import { copyOf, h4Item, impliedDirection, kindOfH4, withIndicator, type CaptureItem } from './capture-record.js';
import { monitorOpcodeName, monitorPacket } from './monitor-opcodes.js';

export const LINKTYPE = {
  BLUETOOTH_HCI_H4: 187,
  BLUETOOTH_HCI_H4_WITH_PHDR: 201,
  BLUETOOTH_LINUX_MONITOR: 254,
} as const;

export function isHciLinktype(linktype: number): boolean {
  return linktype === LINKTYPE.BLUETOOTH_HCI_H4 || linktype === LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR || linktype === LINKTYPE.BLUETOOTH_LINUX_MONITOR;
}

/** The capture item for one packet of a link type; a packet too short for its header is skipped. */
export function linktypeItem(linktype: number, frame: number, data: Uint8Array, timestampUs: number | undefined, cut: boolean): CaptureItem {
  switch (linktype) {
    case LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR: {
      if (data.length < 4) return { type: 'skipped', frame, what: 'packet shorter than its direction header' };
      const direction = u32be(data, 0) & 1 ? 'rx' : 'tx';
      return h4Item(frame, direction, copyOf(data, 4), timestampUs, cut);
    }
    case LINKTYPE.BLUETOOTH_HCI_H4: {
      const item = h4Item(frame, 'rx', copyOf(data), timestampUs, cut);
      if (item.type !== 'record') return item;
      const implied = impliedDirection(kindOfH4(data[0]));
      const record = implied ? { ...item.record, direction: implied } : { ...item.record, directionInferred: true };
      return { type: 'record', record };
    }
    case LINKTYPE.BLUETOOTH_LINUX_MONITOR: {
      if (data.length < 4) return { type: 'skipped', frame, what: 'packet shorter than its monitor header' };
      const opcode = u16be(data, 2);
      const packet = monitorPacket(opcode);
      if (!packet) return { type: 'skipped', frame, what: `monitor ${monitorOpcodeName(opcode)}` };
      return h4Item(frame, packet.direction, withIndicator(packet.indicator, data.subarray(4)), timestampUs, cut);
    }
    default:
      return { type: 'skipped', frame, what: `link type ${linktype}` };
  }
}
