/**
 * The least any RFCOMM implementation adds to a bulk stream, as a yardstick for the goodput goal
 * (RFCOMM ≥ 0.95× raw L2CAP, so RFCOMM may cost at most 1 / 0.95 − 1 ≈ 0.053 more per byte).
 *
 * Two loops carry the same stream in frames of the same size, every byte checked:
 * - bare: the frame's payload is copied from the writer's chunk into a buffer and handed on as a
 *   view, which is what the raw L2CAP path does with an SDU too;
 * - framed: the same, plus what RFCOMM cannot leave out (TS 07.10 §5.2, RFCOMM 1.2 §5.1): the
 *   address, control and two length octets and the FCS written, then read back, the FCS checked,
 *   and the information field handed on as a view of its own.
 * The difference of their costs per byte, set beside the whole raw L2CAP path's, is a floor: no DLC
 * lookup, no credits (and no credit frames), no turn among DLCs, no event and no consume are in it.
 */
import { checkFcs, computeFcs, rfcommOverhead } from '../src/rfcomm/index.js';
import { PatternCheck, patternAt } from './pattern.js';

const CHUNK = 65536;
/** Address octet of DLCI 2 from the initiator (EA = 1, C/R = 1), control octet of UIH with P/F = 0. */
const ADDRESS = (2 << 2) | 0b11;
const UIH = 0xef;
const HEADER = 4;

export class FrameFloor {
  private readonly info: number;
  private readonly buffer: Uint8Array;
  private offset = 0;

  /** Frames as large as an L2CAP MTU of `l2capMtu` holds; `framed` adds RFCOMM's least work. */
  constructor(
    l2capMtu: number,
    private readonly framed: boolean,
  ) {
    this.info = l2capMtu - rfcommOverhead(l2capMtu, false);
    if (this.info <= 127) throw new Error('the floor is measured with two length octets (frames over 127 octets)');
    this.buffer = new Uint8Array(l2capMtu);
  }

  /** Carries `total` bytes, continuing the pattern; throws unless all arrived as sent. */
  transfer(total: number): void {
    const check = new PatternCheck(total, this.offset);
    for (let at = 0; at < total; at += CHUNK) {
      const chunk = patternAt(this.offset + at, Math.min(CHUNK, total - at));
      for (let from = 0; from < chunk.length; from += this.info) {
        const n = Math.min(this.info, chunk.length - from);
        check.add(this.framed ? this.frame(chunk, from, n) : this.bare(chunk, from, n));
      }
    }
    check.verify(this.framed ? 'RFCOMM floor transfer' : 'bare floor transfer');
    this.offset += total;
  }

  private bare(chunk: Uint8Array, from: number, n: number): Uint8Array {
    this.buffer.set(chunk.subarray(from, from + n), 0);
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, n);
  }

  private frame(chunk: Uint8Array, from: number, n: number): Uint8Array {
    const b = this.buffer;
    b[0] = ADDRESS;
    b[1] = UIH;
    b[2] = (n << 1) & 0xfe;
    b[3] = n >>> 7;
    b.set(chunk.subarray(from, from + n), HEADER);
    b[HEADER + n] = computeFcs(b, 0, 2);
    const sdu = new Uint8Array(b.buffer, b.byteOffset, HEADER + n + 1);
    const length = (sdu[2] >>> 1) | (sdu[3] << 7);
    if (sdu[0] !== ADDRESS || (sdu[1] & 0xef) !== UIH || sdu[2] & 1 || sdu.length !== HEADER + length + 1 || !checkFcs(sdu, 0, 2, sdu[HEADER + length])) {
      throw new Error('the RFCOMM floor read back a frame it did not write');
    }
    return new Uint8Array(sdu.buffer, sdu.byteOffset + HEADER, length);
  }
}
