/**
 * Test-only: the SDP PDUs of a capture. HCI ACL packets are reassembled per handle and direction
 * into L2CAP basic frames; the L2CAP Connection Request/Response pairs on the signaling channel
 * (Core v5.4 Vol 3 Part A §4.2-4.3) tell which CIDs belong to PSM 1, and a Disconnection Request
 * (§4.6) or a new connection with the same CIDs ends that. The side that sent the Connection
 * Request is the SDP client.
 */
import { u16le } from '../../../src/core/index.js';
import { AclReassembler } from '../../../src/hci/acl-reassembler.js';
import { decodeAcl } from '../../../src/hci/wire/acl.js';
import { readCapture } from '../../../src/trace/index.js';

export interface CapturedSdpPdu {
  readonly frame: number;
  /** Identifies the L2CAP channel: handle and the client's CID. */
  readonly channel: string;
  readonly fromClient: boolean;
  readonly bytes: Uint8Array;
}

const SIGNALING_CID = 0x0001;
const CONNECTION_REQUEST = 0x02;
const CONNECTION_RESPONSE = 0x03;
const DISCONNECTION_REQUEST = 0x06;
const SDP_PSM = 0x0001;

type Dir = 'tx' | 'rx';
const other = (d: Dir): Dir => (d === 'tx' ? 'rx' : 'tx');

interface Route {
  readonly psm: number;
  readonly channel: string;
  readonly fromClient: boolean;
}

/** An RFCOMM SABM for a DLC (not DLCI 0): which side sent it and the server channel it opens. */
export interface CapturedRfcommOpen {
  readonly frame: number;
  readonly direction: Dir;
  readonly serverChannel: number;
}

export function sdpPdusOfCapture(file: Uint8Array): CapturedSdpPdu[] {
  return scanCapture(file).sdp;
}

const RFCOMM_PSM = 0x0003;
const SABM = 0x2f;

/** The SDP PDUs and the RFCOMM DLC openings of a capture. */
export function scanCapture(file: Uint8Array): { sdp: CapturedSdpPdu[]; rfcommOpens: CapturedRfcommOpen[] } {
  const reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  /** `${handle}/${direction}/${destination cid}` → route. */
  const routes = new Map<string, Route>();
  /** `${handle}/${requester direction}/${identifier}` → the request. */
  const requests = new Map<string, { psm: number; scid: number }>();
  const out: CapturedSdpPdu[] = [];
  const rfcommOpens: CapturedRfcommOpen[] = [];
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
    const payload = pdu.subarray(4, 4 + u16le(pdu, 0));
    const h = acl.handle;
    const dir = rec.direction;
    if (cid === SIGNALING_CID) {
      for (let o = 0; o + 4 <= payload.length; ) {
        const code = payload[o];
        const id = payload[o + 1];
        const len = u16le(payload, o + 2);
        const d = payload.subarray(o + 4, o + 4 + len);
        o += 4 + len;
        if (code === CONNECTION_REQUEST && d.length >= 4) {
          requests.set(`${h}/${dir}/${id}`, { psm: u16le(d, 0), scid: u16le(d, 2) });
        } else if (code === CONNECTION_RESPONSE && d.length >= 8) {
          const key = `${h}/${other(dir)}/${id}`;
          const req = requests.get(key);
          const result = u16le(d, 4);
          if (!req || result === 0x0001) continue;
          requests.delete(key);
          if (result !== 0) continue;
          const dcid = u16le(d, 0);
          const channel = `${h}/${req.scid.toString(16)}`;
          routes.set(`${h}/${other(dir)}/${dcid}`, { psm: req.psm, channel, fromClient: true });
          routes.set(`${h}/${dir}/${req.scid}`, { psm: req.psm, channel, fromClient: false });
        } else if (code === DISCONNECTION_REQUEST && d.length >= 4) {
          routes.delete(`${h}/${dir}/${u16le(d, 0)}`);
          routes.delete(`${h}/${other(dir)}/${u16le(d, 2)}`);
        }
      }
      continue;
    }
    const route = routes.get(`${h}/${dir}/${cid}`);
    if (route?.psm === SDP_PSM) out.push({ frame: rec.frame, channel: route.channel, fromClient: route.fromClient, bytes: payload });
    if (route?.psm === RFCOMM_PSM && payload.length >= 2 && (payload[1] & ~0x10) === SABM && payload[0] >> 2 !== 0) {
      rfcommOpens.push({ frame: rec.frame, direction: dir, serverChannel: payload[0] >> 3 });
    }
  }
  return { sdp: out, rfcommOpens };
}
