/**
 * Per-handle reassembly of ACL fragments into L2CAP basic frames (Core v5.4 Vol 4 Part E §5.4.2,
 * Vol 3 Part A §7.2). The L2CAP header's Length (first two octets of the start fragment) says how
 * many octets follow the 4-octet header; the PDU is complete when header + Length octets arrived.
 *
 * Rules (conformance.md H1–H3 and the ACL row of the robustness table), each counted in `stats`:
 *   start (PB 0b10, 0b00 or 0b11) — drops a pending partial PDU (`restarted`) and begins a new one;
 *   continuation (PB 0b01) with nothing pending — dropped (`orphanContinuations`);
 *   more octets than the announced length — the whole PDU is dropped (`overruns`);
 *   announced length + 4 above `maxPduLength` (default 65539, the largest an L2CAP header can
 *   announce; set it to MTU + 4) — dropped at the start (`overCap`), its continuations then count
 *   as orphans;
 *   zero-length ACL packet — dropped (`emptyPackets`); broadcast (BC ≠ 0) — dropped (`broadcast`).
 * A start fragment shorter than the 4-octet header waits for continuations to complete the header.
 * Memory per handle is at most `maxPduLength` octets, allocated once the header is known.
 * A start fragment that carries its whole PDU is returned as it is, a view (no copy); only a PDU
 * in several fragments is gathered into a buffer of its own.
 *
 * When a dropped PDU's L2CAP header had arrived (a restart, an overrun, a PDU over the cap),
 * `lost` names its channel and SDU length, so that the channel's owner can learn of the gap; a
 * dropped fragment whose PDU never showed its header (an orphan continuation) names no channel.
 */
import { u16le } from '../core/index.js';
import type { AclPacket } from './wire/acl.js';
import { ACL_PB } from './wire/acl.js';

export interface AclReassemblerOptions {
  /** Largest whole L2CAP PDU (header included) accepted; default 65539. */
  readonly maxPduLength?: number;
}

export interface AclReassemblerStats {
  pdus: number;
  restarted: number;
  orphanContinuations: number;
  overruns: number;
  overCap: number;
  emptyPackets: number;
  broadcast: number;
}

interface Partial {
  buffer: Uint8Array;
  fill: number;
  /** Total PDU octets once the header is known, else undefined. */
  total: number | undefined;
}

const L2CAP_HEADER = 4;
/** SDU octets kept of a dropped PDU: an RFCOMM header (address, control, two length octets, credits) and some. */
const LOST_HEAD_OCTETS = 8;
const HEADER_MAX = 0xffff + L2CAP_HEADER;

export class AclReassembler {
  readonly maxPduLength: number;
  readonly stats: AclReassemblerStats = { pdus: 0, restarted: 0, orphanContinuations: 0, overruns: 0, overCap: 0, emptyPackets: 0, broadcast: 0 };
  private readonly pending = new Map<number, Partial>();
  /** Why the last `push` lost data (a fragment or a partial PDU dropped), or undefined when it did not. */
  anomaly: string | undefined;
  /** With `anomaly`: the channel (destination CID) and SDU length of the PDU dropped, when its header had arrived,
   * and the first octets of its SDU that did (at most LOST_HEAD_OCTETS: enough for an RFCOMM header). */
  lost: { cid: number; length: number; head: Uint8Array } | undefined;

  constructor(options: AclReassemblerOptions = {}) {
    this.maxPduLength = Math.min(options.maxPduLength ?? HEADER_MAX, HEADER_MAX);
  }

  /** Feeds one ACL packet; returns the L2CAP PDU it completes, if any. */
  push(p: AclPacket): Uint8Array | undefined {
    return this.pushFragment(p.handle, p.pb, p.bc, p.data);
  }

  /** `push` with the packet's fields as arguments (the host's path: no packet object per fragment). */
  pushFragment(handle: number, pb: number, bc: number, data: Uint8Array): Uint8Array | undefined {
    this.anomaly = undefined;
    this.lost = undefined;
    if (bc !== 0) {
      this.stats.broadcast++;
      return undefined;
    }
    if (data.length === 0) {
      this.stats.emptyPackets++;
      return undefined;
    }
    let part = this.pending.get(handle);
    if (pb === ACL_PB.CONTINUING) {
      if (!part) {
        this.stats.orphanContinuations++;
        this.anomaly = `a continuation fragment of ${data.length} octet(s) with no PDU started: dropped`;
        return undefined;
      }
      return this.append(handle, part, data);
    }
    if (part) {
      this.stats.restarted++;
      const missing = part.total === undefined ? 'the header of the previous one' : `${part.total - part.fill} octet(s) of the previous one`;
      this.anomaly = `a new PDU started while ${missing} were still missing: that one was dropped`;
      this.drop(handle, part);
    }
    if (data.length >= L2CAP_HEADER && u16le(data, 0) + L2CAP_HEADER === data.length && data.length <= this.maxPduLength) {
      this.stats.pdus++;
      return data;
    }
    part = { buffer: new Uint8Array(L2CAP_HEADER), fill: 0, total: undefined };
    this.pending.set(handle, part);
    return this.append(handle, part, data);
  }

  /** Drops a partial PDU, naming its channel in `lost` when its header is there. */
  private drop(handle: number, part: Partial): void {
    this.pending.delete(handle);
    if (part.fill >= L2CAP_HEADER) {
      this.lost = { cid: u16le(part.buffer, 2), length: u16le(part.buffer, 0), head: part.buffer.slice(L2CAP_HEADER, Math.min(part.fill, L2CAP_HEADER + LOST_HEAD_OCTETS)) };
    }
  }

  /** Forgets a handle's partial PDU (link gone). */
  remove(handle: number): void {
    this.pending.delete(handle);
  }

  /** Whether a partial PDU waits on this handle. */
  isPending(handle: number): boolean {
    return this.pending.has(handle);
  }

  private append(handle: number, part: Partial, data: Uint8Array): Uint8Array | undefined {
    let rest = data;
    if (part.total === undefined) {
      const n = Math.min(L2CAP_HEADER - part.fill, rest.length);
      part.buffer.set(rest.subarray(0, n), part.fill);
      part.fill += n;
      rest = rest.subarray(n);
      if (part.fill < L2CAP_HEADER) return undefined;
      const total = u16le(part.buffer, 0) + L2CAP_HEADER;
      if (total > this.maxPduLength) {
        this.stats.overCap++;
        this.anomaly = `a PDU announcing ${total} octets, over the cap of ${this.maxPduLength}: dropped`;
        this.drop(handle, part);
        return undefined;
      }
      const buffer = new Uint8Array(total);
      buffer.set(part.buffer);
      part.buffer = buffer;
      part.total = total;
    }
    if (part.fill + rest.length > part.total) {
      this.stats.overruns++;
      this.anomaly = `fragments carry ${part.fill + rest.length} octets for a PDU of ${part.total}: dropped`;
      this.drop(handle, part);
      return undefined;
    }
    part.buffer.set(rest, part.fill);
    part.fill += rest.length;
    if (part.fill < part.total) return undefined;
    this.pending.delete(handle);
    this.stats.pdus++;
    return part.buffer;
  }
}
