/**
 * Pulls the RFCOMM SDUs out of a capture for replay tests: ACL is reassembled per direction and
 * handle, L2CAP Connection Request/Response on the signaling channel (Core v5.4 Vol 3 Part A
 * §4.2–4.3) with PSM 3 and result 0 mark the channel's two CIDs as RFCOMM, Configuration Requests
 * (§4.4, MTU option §5.1) give each side's MTU, and Disconnection Response (§4.7) forgets them.
 */
import { u16le } from '../../../src/core/index.js';
import { AclReassembler, decodeAcl } from '../../../src/hci/index.js';
import { readCapture } from '../../../src/trace/index.js';

export interface TraceSdu {
  readonly direction: 'tx' | 'rx';
  readonly handle: number;
  /** The destination CID the SDU was sent to. */
  readonly cid: number;
  /** The RFCOMM session (one L2CAP channel on PSM 3), numbered from 1 in the order they opened. */
  readonly session: number;
  /** Who sent the L2CAP Connection Request of the session's channel. */
  readonly openedBy: 'tx' | 'rx';
  /** The smaller of the two MTUs the channel's configuration announced (672 when one is absent). */
  readonly l2capMtu: number;
  readonly sdu: Uint8Array;
}

const PSM_RFCOMM = 3;
const SIGNALING_CID = 0x0001;
/** Core v5.4 Vol 3 Part A §5.1: the MTU when the configuration names none. */
const DEFAULT_MTU = 672;

interface Channel {
  readonly session: number;
  readonly openedBy: 'tx' | 'rx';
  /** The MTU each side announced it can receive, by the direction of the SDUs it receives. */
  readonly mtu: { tx: number; rx: number };
}

function other(d: 'tx' | 'rx'): 'tx' | 'rx' {
  return d === 'tx' ? 'rx' : 'tx';
}

/** The MTU option (type 0x01, hint bit ignored) of a Configuration Request's options. */
function mtuOption(options: Uint8Array): number | undefined {
  for (let o = 0; o + 2 <= options.length; ) {
    const type = options[o] & 0x7f;
    const len = options[o + 1];
    if (type === 0x01 && len === 2 && o + 4 <= options.length) return u16le(options, o + 2);
    o += 2 + len;
  }
  return undefined;
}

export function rfcommSdus(file: Uint8Array): TraceSdu[] {
  const reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  const requests = new Map<string, { psm: number; scid: number }>();
  /** By `${handle}:${direction}:${destination CID}` of the SDUs that travel that way. */
  const channels = new Map<string, Channel>();
  let sessions = 0;
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
            const ch: Channel = { session: ++sessions, openedBy: other(rec.direction), mtu: { tx: DEFAULT_MTU, rx: DEFAULT_MTU } };
            channels.set(`${acl.handle}:${rec.direction}:${req.scid}`, ch);
            channels.set(`${acl.handle}:${other(rec.direction)}:${dcid}`, ch);
          }
        }
        if (code === 0x04 && d.length >= 4) {
          // A Configuration Request names the receiver's CID; the sender announces what it receives.
          const ch = channels.get(`${acl.handle}:${rec.direction}:${u16le(d, 0)}`);
          const mtu = mtuOption(d.subarray(4));
          if (ch && mtu !== undefined) ch.mtu[other(rec.direction)] = mtu;
        }
        if (code === 0x07 && d.length >= 4) {
          channels.delete(`${acl.handle}:${other(rec.direction)}:${u16le(d, 0)}`);
          channels.delete(`${acl.handle}:${rec.direction}:${u16le(d, 2)}`);
        }
        o += 4 + len;
      }
      continue;
    }
    const ch = channels.get(`${acl.handle}:${rec.direction}:${cid}`);
    if (ch) out.push({ direction: rec.direction, handle: acl.handle, cid, session: ch.session, openedBy: ch.openedBy, l2capMtu: Math.min(ch.mtu.tx, ch.mtu.rx), sdu: payload });
  }
  return out;
}
