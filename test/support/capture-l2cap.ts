/**
 * Test-only: the connection-oriented L2CAP channels of a capture. HCI ACL packets are reassembled
 * per direction into basic frames (Core v5.4 Vol 3 Part A §3.1); the signaling channel tells
 * which CIDs form a channel to which PSM: a Connection Request (§4.2) answered by a successful
 * Connection Response (§4.3) opens it, each Configuration Request (§4.4) with an MTU option (§5.1)
 * gives the MTU its sender receives, and a Disconnection Response (§4.7) ends it. Replay tests of
 * the layers above (SDP on PSM 1, RFCOMM on PSM 3) filter what this yields.
 */
import { AclReassembler, decodeAcl } from '../../src/hci/index.js';
import { CID, decodeBasicFrame, decodeSignalingFrame } from '../../src/l2cap/index.js';
import { readCapture } from '../../src/trace/index.js';

export type Direction = 'tx' | 'rx';

export const otherDirection = (d: Direction): Direction => (d === 'tx' ? 'rx' : 'tx');

/** Core v5.4 Vol 3 Part A §5.1: the MTU when a configuration names none. */
const DEFAULT_MTU = 672;

export interface CapturedChannel {
  readonly psm: number;
  /** Channels of the capture numbered from 1 in the order they opened. */
  readonly ordinal: number;
  /** Who sent the Connection Request. */
  readonly openedBy: Direction;
  /** The MTU each side announced it receives, keyed by the direction of the SDUs it receives. */
  readonly mtu: { tx: number; rx: number };
}

export interface CapturedSdu {
  readonly frame: number;
  readonly direction: Direction;
  readonly handle: number;
  /** The destination CID of the frame. */
  readonly cid: number;
  readonly channel: CapturedChannel;
  readonly payload: Uint8Array;
}

/** Every SDU sent on a connection-oriented channel of the capture, in capture order. */
export function* l2capSdusOf(file: Uint8Array): Generator<CapturedSdu> {
  const reassemblers = { tx: new AclReassembler(), rx: new AclReassembler() };
  /** `${handle}:${requester's direction}:${identifier}` → the request. */
  const requests = new Map<string, { psm: number; scid: number }>();
  /** `${handle}:${direction of the SDUs}:${their destination CID}` → the channel. */
  const channels = new Map<string, CapturedChannel>();
  let opened = 0;
  for (const rec of readCapture(file)) {
    if (rec.kind !== 'acl' || rec.cut) continue;
    let acl;
    let frame;
    try {
      acl = decodeAcl(rec.h4.subarray(1));
      const pdu = reassemblers[rec.direction].push(acl);
      if (!pdu) continue;
      frame = decodeBasicFrame(pdu);
    } catch {
      continue;
    }
    const h = acl.handle;
    const dir = rec.direction;
    const back = otherDirection(dir);
    if (frame.cid !== CID.SIGNALING) {
      const channel = channels.get(`${h}:${dir}:${frame.cid}`);
      if (channel) yield { frame: rec.frame, direction: dir, handle: h, cid: frame.cid, channel, payload: frame.payload };
      continue;
    }
    for (const c of decodeSignalingFrame(frame.payload).commands) {
      if (c.kind !== 'signal') continue;
      const s = c.signal;
      if (s.type === 'connection-request') {
        requests.set(`${h}:${dir}:${s.identifier}`, { psm: s.psm, scid: s.scid });
      } else if (s.type === 'connection-response' && s.result !== 0x0001) {
        const key = `${h}:${back}:${s.identifier}`;
        const req = requests.get(key);
        requests.delete(key);
        if (!req || s.result !== 0) continue;
        const channel: CapturedChannel = { psm: req.psm, ordinal: ++opened, openedBy: back, mtu: { tx: DEFAULT_MTU, rx: DEFAULT_MTU } };
        channels.set(`${h}:${dir}:${req.scid}`, channel);
        channels.set(`${h}:${back}:${s.dcid}`, channel);
      } else if (s.type === 'configuration-request') {
        const channel = channels.get(`${h}:${dir}:${s.dcid}`);
        const mtu = s.options.find((o) => o.type === 'mtu');
        if (channel && mtu?.type === 'mtu') channel.mtu[back] = mtu.mtu;
      } else if (s.type === 'disconnection-response') {
        channels.delete(`${h}:${back}:${s.dcid}`);
        channels.delete(`${h}:${dir}:${s.scid}`);
      }
    }
  }
}
