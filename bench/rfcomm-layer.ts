/**
 * The RFCOMM layer alone: two `RfcommManager`s wired to each other sans-I/O, with no HCI, L2CAP,
 * controller or stack between them. One DLC with credit-based flow control carries a bulk stream;
 * each frame is produced into one reused buffer and handed to the other side as it is, the reader
 * consumes what arrives (so credits flow back), and every byte is checked.
 *
 * What it measures is the layer's own cost per byte: frame building and parsing, credits, the DLC's
 * turn, events. Set beside the whole stack's raw L2CAP path at the same L2CAP MTU, it says how much
 * of the RFCOMM / raw L2CAP goodput gap is the layer itself (docs/performance.md).
 *
 * Not test/rfcomm/support/pair.ts, which wires two managers for the unit tests: that one keeps every
 * event and every byte received (a bulk run would hold all of it) and takes frames with
 * `pollTransmit`, an array of their own each; here frames come from `produce(session, allocate)`,
 * the way the stack takes them, and nothing is kept.
 */
import { ByteWriter } from '../src/core/index.js';
import { RfcommManager } from '../src/rfcomm/index.js';
import { PatternCheck, patternAt } from './pattern.js';

const CHUNK = 65536;
const SESSION = 1;
const SERVER_CHANNEL = 1;

export class RfcommLayerPair {
  private readonly a = new RfcommManager({});
  private readonly b = new RfcommManager({});
  /** One buffer every frame is written into (the receiver reads it before the next is produced). */
  private readonly frameBuffer: Uint8Array;
  private readonly allocate = (length: number): ByteWriter => new ByteWriter(this.frameBuffer.subarray(0, length));
  private readonly dlc: number;
  private offset = 0;
  private check: PatternCheck | undefined;

  /** A session whose L2CAP channel has `l2capMtu` both ways, and one open DLC from a to b. */
  constructor(l2capMtu: number) {
    this.frameBuffer = new Uint8Array(l2capMtu);
    this.b.registerServerChannel(SERVER_CHANNEL);
    this.a.sessionUp(SESSION, { initiator: true, l2capMtu }, 0);
    this.b.sessionUp(SESSION, { initiator: false, l2capMtu }, 0);
    this.dlc = this.a.connect(SESSION, SERVER_CHANNEL, 0);
    let open = false;
    for (let round = 0; round < 20 && !open; round++) {
      this.move(this.a, this.b);
      this.move(this.b, this.a);
      for (let e = this.a.pollEvent(); e; e = this.a.pollEvent()) if (e.type === 'dlc-open' && e.dlcId === this.dlc) open = true;
    }
    if (!open) throw new Error('the RFCOMM layer pair did not open its DLC');
  }

  /** Sends `total` bytes a → b, continuing the pattern; returns when all arrived, checked. */
  transfer(total: number): void {
    const check = new PatternCheck(total, this.offset);
    this.check = check;
    let sent = 0;
    while (!check.done) {
      while (sent < total) {
        const n = this.a.write(this.dlc, patternAt(this.offset + sent, Math.min(CHUNK, total - sent)));
        if (n === 0) break;
        sent += n;
      }
      const moved = this.move(this.a, this.b);
      if (!this.move(this.b, this.a) && !moved) throw new Error(`the RFCOMM layer pair stalled after ${check.received} of ${total} bytes`);
      // a's events (writable, credits) say nothing the loop needs; drained so its queue never fills.
      for (let e = this.a.pollEvent(); e; e = this.a.pollEvent());
    }
    this.check = undefined;
    check.verify('RFCOMM layer transfer');
    this.offset += total;
  }

  /**
   * Every frame `from` has now, each handed to `to` at once; true when any moved. b's events are
   * taken after each frame: its data is a view of the frame buffer, which the next frame reuses.
   */
  private move(from: RfcommManager, to: RfcommManager): boolean {
    let moved = false;
    for (let id = from.pollSendRequest(); id !== undefined; id = from.pollSendRequest()) {
      for (let frame = from.produce(id, this.allocate); frame; frame = from.produce(id, this.allocate)) {
        moved = true;
        to.receive(SESSION, frame.bytes, 0);
        if (to === this.b) this.drain();
      }
    }
    return moved;
  }

  /** b's events: data is checked and consumed at once (its credits go back on the next move b → a). */
  private drain(): void {
    for (let e = this.b.pollEvent(); e; e = this.b.pollEvent()) {
      if (e.type !== 'dlc-data') continue;
      this.check?.add(e.data);
      this.b.consume(e.dlcId, e.data.length, 0);
    }
  }
}
