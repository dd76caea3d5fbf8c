/**
 * An outgoing L2CAP PDU laid out, from the start, as the H4 ACL packets that carry it (Core v5.4
 * Vol 4 Part A §2 for the indicator, Vol 4 Part E §5.4.2 for the ACL header, Vol 3 Part A §7.2.1
 * for fragmentation): one buffer holding
 *
 *   02 | handle+PB+BC (2) | length (2) | fragment 0 data | 02 | … | fragment 1 data | …
 *
 * where every fragment but the last carries `fragmentLength` octets. The layers above write the
 * PDU's octets in order through the `ByteSink` methods (L2CAP header, then RFCOMM header, payload
 * and FCS, say), which step over the headers between fragments; `fragment(i)` is then a view of
 * the i-th H4 packet, ready for the transport. A frame is thus written once, headers and payload,
 * into the bytes that leave (DESIGN.md rule 10), whatever the fragment size.
 *
 * Contract: exactly `length` octets must be written; writing more throws `ArgumentError`, and a
 * PDU with octets missing is refused by the scheduler. The first fragment is PB 0b10 (or 0b00,
 * non-flushable), the others PB 0b01; BC is 0.
 */
import { ArgumentError, type ByteSink, Slab, view } from '../core/index.js';
import { ACL_HEADER_LENGTH, ACL_PB } from './wire/acl.js';
import { H4_INDICATOR } from './wire/packet.js';

/** H4 indicator + ACL header in front of every fragment. */
export const ACL_PACKET_OVERHEAD = 1 + ACL_HEADER_LENGTH;

/** Where every outgoing PDU's buffer is cut from (never reused, see core/slab.ts). */
const slab = new Slab();

export class AclTxPdu implements ByteSink {
  readonly bytes: Uint8Array;
  readonly fragments: number;
  /** Where the next octet goes, and where the current fragment's data ends. */
  private pos = ACL_PACKET_OVERHEAD;
  private fragmentEnd: number;

  constructor(
    readonly handle: number,
    /** The PDU's octets (L2CAP header included), H4 and ACL headers excluded. */
    readonly length: number,
    readonly fragmentLength: number,
    nonFlushable = false,
  ) {
    if (!Number.isInteger(length) || length < 1 || length > 0xffff + 4) throw new ArgumentError(`an L2CAP PDU is 1..65539 octets, not ${length}`);
    if (!Number.isInteger(fragmentLength) || fragmentLength < 1) throw new ArgumentError(`an ACL fragment length must be a positive integer, not ${fragmentLength}`);
    this.fragments = Math.ceil(length / fragmentLength);
    this.bytes = slab.alloc(length + this.fragments * ACL_PACKET_OVERHEAD);
    const first = nonFlushable ? ACL_PB.FIRST_NON_FLUSHABLE : ACL_PB.FIRST_FLUSHABLE;
    for (let i = 0, at = 0, left = length; i < this.fragments; i++) {
      const n = Math.min(fragmentLength, left);
      const flags = (handle & 0x0fff) | ((i === 0 ? first : ACL_PB.CONTINUING) << 12);
      this.bytes[at] = H4_INDICATOR.ACL;
      this.bytes[at + 1] = flags & 0xff;
      this.bytes[at + 2] = flags >>> 8;
      this.bytes[at + 3] = n & 0xff;
      this.bytes[at + 4] = n >>> 8;
      at += ACL_PACKET_OVERHEAD + n;
      left -= n;
    }
    this.fragmentEnd = ACL_PACKET_OVERHEAD + Math.min(fragmentLength, length);
  }

  /** True once all `length` octets were written. */
  get complete(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The i-th H4 ACL packet (indicator, header, data): a view, or the buffer itself when the PDU is one packet. */
  fragment(i: number): Uint8Array {
    if (this.fragments === 1) return this.bytes;
    const start = i * (this.fragmentLength + ACL_PACKET_OVERHEAD);
    return view(this.bytes, start, Math.min(this.bytes.length, start + ACL_PACKET_OVERHEAD + this.fragmentLength));
  }

  u8(v: number): this {
    if (this.pos === this.fragmentEnd) this.nextFragment(1);
    this.bytes[this.pos++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u16be(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }

  put(b: Uint8Array): this {
    let from = 0;
    while (from < b.length) {
      if (this.pos === this.fragmentEnd) this.nextFragment(b.length - from);
      const n = Math.min(b.length - from, this.fragmentEnd - this.pos);
      this.bytes.set(from === 0 && n === b.length ? b : view(b, from, from + n), this.pos);
      this.pos += n;
      from += n;
    }
    return this;
  }

  private nextFragment(wanted: number): void {
    if (this.fragmentEnd >= this.bytes.length) {
      throw new ArgumentError(`writing ${wanted} more octet(s) passes the end of a ${this.length}-octet L2CAP PDU: size it with the frame's length`);
    }
    this.pos = this.fragmentEnd + ACL_PACKET_OVERHEAD;
    this.fragmentEnd = Math.min(this.bytes.length, this.pos + this.fragmentLength);
  }
}
