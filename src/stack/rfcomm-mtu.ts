/**
 * The L2CAP MTU this stack offers on RFCOMM sessions (PSM 3), unless `StackOptions.rfcommMtu` names
 * one: whole ACL fragments. A PDU of k × fragment octets leaves in k full ACL packets, where 672 (the
 * L2CAP default) leaves a short last one, and a short packet costs a controller buffer (and, on
 * btvirt's single 192-octet buffer, a round trip) for little. k is the most fragments that hold
 * about 1 KiB, the frame size real links use (the Android phones in the shared captures ask for an
 * N1 of 990 in PN, over an L2CAP MTU of 1691), and at least enough for 672 octets.
 *
 * Measured over btvirt (two processes, docs/performance.md): MTU 672 reached 0.69 of the raw-ACL
 * ceiling, 956 (5 × 192 − 4) 0.85, 1916 (10 × 192 − 4) 0.78.
 */
import { BASIC_HEADER_LENGTH, DEFAULT_MTU } from '../l2cap/index.js';

/** About 1 KiB of L2CAP PDU. */
const TARGET_PDU = 1024 + BASIC_HEADER_LENGTH;

export function rfcommMtuFor(fragmentLength: number): number {
  const atLeast = Math.ceil((DEFAULT_MTU + BASIC_HEADER_LENGTH) / fragmentLength);
  const k = Math.max(atLeast, Math.floor(TARGET_PDU / fragmentLength));
  return k * fragmentLength - BASIC_HEADER_LENGTH;
}
