/**
 * Fragmentation of an L2CAP PDU into ACL data packets no longer than the controller's
 * ACL_Data_Packet_Length (Core v5.4 Vol 4 Part E §7.4.5, Vol 3 Part A §7.2.1): the first fragment is
 * marked PB 0b10 (first automatically-flushable, what every BR/EDR controller accepts) or 0b00 when
 * asked for non-flushable, the rest PB 0b01 (continuing). An empty PDU gives no packet.
 *
 * The host may fragment below the controller's length (`HciHostOptions.aclFragmentSize`): the
 * fragment size then is min(ACL_Data_Packet_Length, aclFragmentSize). It must lie in
 * `MIN_ACL_FRAGMENT_SIZE..MAX_ACL_FRAGMENT_SIZE`: 27 is the ACL data length every host and
 * controller must accept (Core v5.4 Vol 4 Part E §5.4.2 states it for LE-U; BR/EDR names no
 * smaller floor, and 27 octets is the user payload of one DH1 baseband packet, Vol 2 Part B), and
 * 65535 is what the 16-bit Data_Total_Length field of an ACL packet can hold (§5.4.2).
 */
import { ArgumentError } from '../core/index.js';
import { type AclPacket, ACL_PB } from './wire/acl.js';

/** The smallest ACL fragment size the host accepts as an option (see above). */
export const MIN_ACL_FRAGMENT_SIZE = 27;
/** The largest data length an HCI ACL packet can announce (16-bit Data_Total_Length). */
export const MAX_ACL_FRAGMENT_SIZE = 0xffff;

/** Throws `ArgumentError` unless `size` is an integer in 27..65535. */
export function checkAclFragmentSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_ACL_FRAGMENT_SIZE || size > MAX_ACL_FRAGMENT_SIZE) {
    throw new ArgumentError(
      `aclFragmentSize must be an integer from ${MIN_ACL_FRAGMENT_SIZE} (the smallest ACL data length the Core spec sets, Vol 4 Part E §5.4.2) to ${MAX_ACL_FRAGMENT_SIZE} (the ACL length field), got ${size}`,
    );
  }
  return size;
}

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
