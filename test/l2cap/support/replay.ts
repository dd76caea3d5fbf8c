/**
 * Replays the L2CAP signaling of a real capture against our L2capManager, which plays the
 * capture's host. ACL is reassembled per direction with the HCI layer's AclReassembler; links
 * follow HCI Connection Complete / Disconnection Complete (and appear on first use in captures
 * that start mid-link).
 *
 * What is fed and compared (identifiers and CIDs are translated between the capture and ours):
 * - the peer's Connection Request → our Connection Response result vs the host's final one
 *   (pending answers skipped; a host refusal for security, 0x0003, is not comparable: counted);
 * - the peer's Configuration Request on a channel both sides accepted → our ConfigRsp result;
 * - the peer's Disconnection Request → our DisconnRsp; Echo/Information Request → our result;
 * - the host's own Connection/Disconnection Requests are mirrored with connect()/disconnect() and
 *   the peer's responses fed back, so that channel state (and SCIDs in use) stays in step.
 * The PSMs registered are those the capture's host accepted at least once.
 */
import { u16le } from '../../../src/core/index.js';
import { AclReassembler, decodeAcl } from '../../../src/hci/index.js';
import {
  CID,
  type L2capSignal,
  L2capManager,
  decodeBasicFrame,
  decodeSignalingFrame,
  describeSignal,
  encodeBasicFrame,
  encodeSignal,
} from '../../../src/l2cap/index.js';
import type { CaptureRecord } from '../../../src/trace/index.js';

export interface SignalRecord {
  readonly direction: 'tx' | 'rx';
  readonly handle: number;
  readonly signal: L2capSignal;
}

export type LinkRecord = { readonly type: 'link-up' | 'link-down'; readonly handle: number } | ({ readonly type: 'signal' } & SignalRecord);

/** Signaling commands and link changes of a capture, in order. */
export function* signalingOf(records: Iterable<CaptureRecord>): Generator<LinkRecord> {
  const acl = { tx: new AclReassembler(), rx: new AclReassembler() };
  for (const rec of records) {
    const h = rec.h4;
    if (rec.kind === 'event' && h.length >= 6 && h[3] === 0) {
      if (h[1] === 0x03 && h.length >= 13 && h[12] === 0x01) yield { type: 'link-up', handle: u16le(h, 4) & 0x0fff };
      if (h[1] === 0x05) yield { type: 'link-down', handle: u16le(h, 4) & 0x0fff };
      continue;
    }
    if (rec.kind !== 'acl' || rec.cut) continue;
    let pkt;
    try {
      pkt = decodeAcl(h.subarray(1));
    } catch {
      continue;
    }
    const pdu = acl[rec.direction].push(pkt);
    if (!pdu) continue;
    let frame;
    try {
      frame = decodeBasicFrame(pdu);
    } catch {
      continue;
    }
    if (frame.cid !== CID.SIGNALING) continue;
    for (const c of decodeSignalingFrame(frame.payload).commands) {
      if (c.kind === 'signal') yield { type: 'signal', direction: rec.direction, handle: pkt.handle, signal: c.signal };
    }
  }
}

export interface ReplayReport {
  compared: number;
  /** Connection Requests the host refused with 0x0003 (security block): our stack has no security policy here. */
  securityRefusals: number;
  mismatches: string[];
}

type Key = `${number}:${number}`;
const key = (handle: number, n: number): Key => `${handle}:${n}`;

export function replaySignaling(items: readonly LinkRecord[]): ReplayReport {
  const accepted = new Set<number>();
  const psmOf = new Map<Key, number>();
  for (const it of items) {
    if (it.type !== 'signal') continue;
    const s = it.signal;
    if (it.direction === 'rx' && s.type === 'connection-request') psmOf.set(key(it.handle, s.identifier), s.psm);
    if (it.direction === 'tx' && s.type === 'connection-response' && s.result === 0) {
      const psm = psmOf.get(key(it.handle, s.identifier));
      if (psm !== undefined) accepted.add(psm);
    }
  }
  const l2 = new L2capManager({ maxChannelsPerLink: 64, maxOutstandingRequests: 64 });
  for (const psm of accepted) l2.registerPsm(psm);
  const report: ReplayReport = { compared: 0, securityRefusals: 0, mismatches: [] };
  const up = new Set<number>();
  /** Our answers to the peer's requests, by (handle, identifier). */
  const ours = new Map<Key, L2capSignal>();
  /** Capture CID of the host → our CID, per handle. */
  const hostToOur = new Map<Key, number>();
  /** The host's outstanding requests → our identifier and CID. */
  const mirrored = new Map<Key, { id: number; cid: number }>();

  const now = 0;
  const drain = (): L2capSignal[] => {
    const out: L2capSignal[] = [];
    for (let f = l2.pollTransmit(); f; f = l2.pollTransmit()) {
      const frame = decodeBasicFrame(f.pdu);
      if (frame.cid !== CID.SIGNALING) continue;
      for (const c of decodeSignalingFrame(frame.payload).commands) if (c.kind === 'signal') out.push(c.signal);
    }
    while (l2.pollEvent());
    return out;
  };
  const feed = (handle: number, s: L2capSignal): L2capSignal[] => {
    l2.receivePdu(handle, encodeBasicFrame({ cid: CID.SIGNALING, payload: encodeSignal(s) }), now);
    return drain();
  };
  const ensureUp = (handle: number): void => {
    if (up.has(handle)) return;
    l2.linkUp(handle, '00:00:00:00:00:00', now);
    up.add(handle);
  };
  /** Closes a channel the capture's host refused but we accepted, so that its SCID is free again. */
  const forget = (handle: number, cid: number): void => {
    l2.disconnect(cid, now);
    const req = drain().find((r) => r.type === 'disconnection-request');
    if (req && req.type === 'disconnection-request') feed(handle, { type: 'disconnection-response', identifier: req.identifier, dcid: req.dcid, scid: req.scid });
  };
  const compare = (what: string, host: number, our: number | undefined, s: L2capSignal): void => {
    report.compared++;
    if (host !== our) report.mismatches.push(`${what}: host ${host}, ours ${our ?? 'none'} for ${describeSignal(s)}`);
  };

  for (const it of items) {
    if (it.type !== 'signal') {
      if (up.has(it.handle)) {
        l2.linkDown(it.handle, now);
        up.delete(it.handle);
        drain();
      }
      if (it.type === 'link-up') ensureUp(it.handle);
      continue;
    }
    const { handle, signal: s } = it;
    ensureUp(handle);
    if (it.direction === 'rx') {
      switch (s.type) {
        case 'connection-request':
        case 'echo-request':
        case 'information-request':
          for (const r of feed(handle, s)) if (r.identifier === s.identifier) ours.set(key(handle, s.identifier), r);
          break;
        case 'configuration-request':
        case 'disconnection-request': {
          const cid = hostToOur.get(key(handle, s.dcid));
          if (cid === undefined) break;
          for (const r of feed(handle, { ...s, dcid: cid })) if (r.identifier === s.identifier) ours.set(key(handle, s.identifier), r);
          if (s.type === 'disconnection-request') hostToOur.delete(key(handle, s.dcid));
          break;
        }
        case 'connection-response':
        case 'disconnection-response': {
          const m = mirrored.get(key(handle, s.identifier));
          if (!m || (s.type === 'connection-response' && s.result === 1)) break;
          mirrored.delete(key(handle, s.identifier));
          feed(handle, { ...s, identifier: m.id, scid: m.cid });
          break;
        }
        default:
          break;
      }
      continue;
    }
    switch (s.type) {
      case 'connection-response': {
        if (s.result === 1) break;
        const our = ours.get(key(handle, s.identifier));
        if (!our || our.type !== 'connection-response') break;
        ours.delete(key(handle, s.identifier));
        if (s.result === 3) {
          report.securityRefusals++;
          if (our.result === 0) forget(handle, our.dcid);
          break;
        }
        compare('ConnRsp result', s.result, our.result, s);
        if (s.result === 0 && our.result === 0) hostToOur.set(key(handle, s.dcid), our.dcid);
        break;
      }
      case 'configuration-response':
      case 'information-response': {
        const our = ours.get(key(handle, s.identifier));
        if (!our || our.type !== s.type) break;
        ours.delete(key(handle, s.identifier));
        compare(`${s.type} result`, s.result, 'result' in our ? our.result : undefined, s);
        break;
      }
      case 'disconnection-response':
      case 'echo-response': {
        const our = ours.get(key(handle, s.identifier));
        if (!our) break;
        ours.delete(key(handle, s.identifier));
        compare(`${s.type} code`, 1, our.type === s.type ? 1 : 0, s);
        break;
      }
      case 'connection-request': {
        let cid: number;
        try {
          cid = l2.connect(handle, s.psm, {}, now);
        } catch {
          break;
        }
        const req = drain().find((r) => r.type === 'connection-request');
        if (req) mirrored.set(key(handle, s.identifier), { id: req.identifier, cid });
        hostToOur.set(key(handle, s.scid), cid);
        break;
      }
      case 'disconnection-request': {
        const cid = hostToOur.get(key(handle, s.scid));
        if (cid === undefined || !l2.channelInfo(cid)) break;
        l2.disconnect(cid, now);
        const req = drain().find((r) => r.type === 'disconnection-request');
        if (req) mirrored.set(key(handle, s.identifier), { id: req.identifier, cid });
        hostToOur.delete(key(handle, s.scid));
        break;
      }
      default:
        break;
    }
  }
  return report;
}
