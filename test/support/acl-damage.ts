/**
 * ACL bytes as a lossy transport leaves them: the first fragment of an L2CAP PDU whose other
 * fragments never arrive (btvirt drops what a slow reader does not take in time), and where to aim it.
 */
import { concat } from '../../src/core/index.js';
import { aclBytes } from '../hci/scripted-controller.js';
import type { ChannelInfo } from '../../src/l2cap/index.js';
import type { Stack } from '../../src/stack/stack.js';

/** An H4 ACL start fragment (PB 0b10) on `handle` of a PDU for `cid` announcing `sduLength` octets and carrying the first `carried`. */
export function partialPdu(handle: number, cid: number, sduLength: number, carried: number): Uint8Array {
  return aclBytes(handle, 0b10, concat(Uint8Array.of(sduLength & 0xff, sduLength >> 8, cid & 0xff, cid >> 8), new Uint8Array(carried)));
}

/** The stack's L2CAP channel on `psm` (its local CID and link), found among the dynamic CIDs. */
export function channelOnPsm(stack: Stack, psm: number): ChannelInfo {
  for (let cid = 0x40; cid < 0x1000; cid++) {
    const info = stack.l2cap.channelInfo(cid);
    if (info?.psm === psm) return info;
  }
  throw new Error(`no L2CAP channel on PSM 0x${psm.toString(16)}`);
}
