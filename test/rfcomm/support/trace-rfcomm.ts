/**
 * Pulls the RFCOMM SDUs out of a capture for replay tests: ACL is reassembled per direction and
 * handle, L2CAP Connection Request/Response on the signaling channel (Core v5.4 Vol 3 Part A
 * §4.2–4.3) with PSM 3 and result 0 mark the channel's two CIDs as RFCOMM, and Disconnection
 * Response (§4.7) forgets them.
 */
import { u16le } from '../../../src/core/index.js';
import { AclReassembler, decodeAcl } from '../../../src/hci/index.js';
import { readCapture } from '../../../src/trace/index.js';

export interface TraceSdu {
  readonly direction: 'tx' | 'rx';
  readonly handle: number;
  /** The destination CID the SDU was sent to. */
  readonly cid: number;
  readonly sdu: Uint8Array;
}

const PSM_RFCOMM = 3;
const SIGNALING_CID = 0x0001;

function other(d: 'tx' | 'rx'): 'tx' | 'rx' {
  return d === 'tx' ? 'rx' : 'tx';
}

export function rfcommSdus(file: Uint8Array): TraceSdu[] {
  const reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  const requests = new Map<string, { psm: number; scid: number }>();
  const channels = new Set<string>();
  const out: TraceSdu[] = [];
  for (const rec of readCapture(file)) {
    if (rec.kind !== 'acl' || rec.cut) continue;
    let acl;
    try {
      acl = decodeAcl(rec.h4.subarray(1));
    } catch {
      continue;
    }
    const pdu = reassemblers[rec.direction].push(acl);
    if (!pdu || pdu.length < 4) continue;
    const cid = u16le(pdu, 2);
    const payload = pdu.subarray(4);
    if (cid === SIGNALING_CID) {
      for (let o = 0; o + 4 <= payload.length; ) {
        const code = payload[o];
        const id = payload[o + 1];
        const len = u16le(payload, o + 2);
        const d = payload.subarray(o + 4, o + 4 + len);
        if (code === 0x02 && d.length >= 4) requests.set(`${acl.handle}:${rec.direction}:${id}`, { psm: u16le(d, 0), scid: u16le(d, 2) });
        if (code === 0x03 && d.length >= 8) {
          const req = requests.get(`${acl.handle}:${other(rec.direction)}:${id}`);
          const dcid = u16le(d, 0);
          const result = u16le(d, 4);
          if (req && req.psm === PSM_RFCOMM && result === 0) {
            // The requester sent the request in direction other(rec.direction).
            channels.add(`${acl.handle}:${rec.direction}:${req.scid}`);
            channels.add(`${acl.handle}:${other(rec.direction)}:${dcid}`);
          }
        }
        if (code === 0x07 && d.length >= 4) {
          channels.delete(`${acl.handle}:${other(rec.direction)}:${u16le(d, 0)}`);
          channels.delete(`${acl.handle}:${rec.direction}:${u16le(d, 2)}`);
        }
        o += 4 + len;
      }
      continue;
    }
    if (channels.has(`${acl.handle}:${rec.direction}:${cid}`)) out.push({ direction: rec.direction, handle: acl.handle, cid, sdu: payload });
  }
  return out;
}
