/**
 * Fragmentation of an L2CAP PDU into ACL data packets no longer than the controller's
 * ACL_Data_Packet_Length (Core v5.4 Vol 4 Part E §7.4.5, Vol 3 Part A §7.2.1): the first fragment is
 * marked PB 0b10 (first automatically-flushable, what every BR/EDR controller accepts) or 0b00 when
 * asked for non-flushable, the rest PB 0b01 (continuing). An empty PDU gives no packet.
 */
import { ArgumentError } from '../core/index.js';
import { type AclPacket, ACL_PB } from './wire/acl.js';

export function aclFragmentCount(pduLength: number, maxDataLength: number): number {
  return Math.ceil(pduLength / maxDataLength);
}

/** The `index`-th fragment of `pdu` (a view, not a copy). */
export function aclFragment(handle: number, pdu: Uint8Array, maxDataLength: number, index: number, nonFlushable = false): AclPacket {
  const start = index * maxDataLength;
  const first = nonFlushable ? ACL_PB.FIRST_NON_FLUSHABLE : ACL_PB.FIRST_FLUSHABLE;
  return { handle, pb: index === 0 ? first : ACL_PB.CONTINUING, bc: 0, data: pdu.subarray(start, Math.min(start + maxDataLength, pdu.length)) };
}

export function fragmentPdu(handle: number, pdu: Uint8Array, maxDataLength: number, nonFlushable = false): AclPacket[] {
  if (!Number.isInteger(maxDataLength) || maxDataLength < 1) throw new ArgumentError(`ACL data length must be a positive integer, got ${maxDataLength}`);
  const out: AclPacket[] = [];
  const n = aclFragmentCount(pdu.length, maxDataLength);
  for (let i = 0; i < n; i++) out.push(aclFragment(handle, pdu, maxDataLength, i, nonFlushable));
  return out;
}
