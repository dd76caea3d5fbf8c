/** Collects H4 events from a transport's byte stream (any chunking) for tests. */
import type { Transport } from '../../../src/transport/transport.js';

export interface H4Event {
  code: number;
  params: Uint8Array;
}

export class EventCollector {
  private buf = new Uint8Array(0);
  readonly events: H4Event[] = [];
  readonly acl: Uint8Array[] = [];
  private waiters: { match: (e: H4Event) => boolean; resolve: (e: H4Event) => void }[] = [];

  constructor(transport: Transport) {
    transport.onData((chunk) => this.push(chunk));
  }

  private push(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    let off = 0;
    for (;;) {
      if (joined.length - off < 1) break;
      const ind = joined[off];
      if (ind === 0x04) {
        if (joined.length - off < 3) break;
        const len = joined[off + 2];
        if (joined.length - off < 3 + len) break;
        this.emit({ code: joined[off + 1], params: joined.slice(off + 3, off + 3 + len) });
        off += 3 + len;
      } else if (ind === 0x02) {
        if (joined.length - off < 5) break;
        const len = joined[off + 3] | (joined[off + 4] << 8);
        if (joined.length - off < 5 + len) break;
        this.acl.push(joined.slice(off, off + 5 + len));
        off += 5 + len;
      } else {
        throw new Error(`unexpected H4 indicator ${ind}`);
      }
    }
    this.buf = joined.slice(off);
  }

  private emit(e: H4Event): void {
    this.events.push(e);
    const w = this.waiters.find((x) => x.match(e));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(e);
    }
  }

  /** The next event (from now on, or already received and not yet waited for) matching. */
  next(match: (e: H4Event) => boolean): Promise<H4Event> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  commandComplete(opcode: number): Promise<H4Event> {
    return this.next((e) => e.code === 0x0e && (e.params[1] | (e.params[2] << 8)) === opcode);
  }
}
