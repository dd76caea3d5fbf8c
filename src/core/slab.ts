/**
 * Buffers for outgoing packets, carved from larger slabs (DESIGN.md rule 10). Allocating one
 * `Uint8Array` per packet costs a backing store each (and their collection); carving them out of
 * a 64 KiB slab costs a view. A region is never handed out twice: a slab is simply dropped when
 * full and collected once no packet cut from it is alive, so a packet's bytes stay valid for as
 * long as anyone (a transport's write queue, say) holds them. Regions come zero-filled.
 */
import { view } from './bytes.js';

export class Slab {
  private slab: Uint8Array;
  private used = 0;

  constructor(private readonly slabSize = 65536) {
    this.slab = new Uint8Array(slabSize);
  }

  /** A fresh zero-filled `length`-byte array; one larger than a quarter slab gets its own. */
  alloc(length: number): Uint8Array {
    if (length > this.slabSize >> 2) return new Uint8Array(length);
    if (this.used + length > this.slabSize) {
      this.slab = new Uint8Array(this.slabSize);
      this.used = 0;
    }
    const out = view(this.slab, this.used, this.used + length);
    this.used += length;
    return out;
  }
}
