/**
 * The frames a session sends besides data: SABM, UA, DM, DISC and multiplexer commands, encoded at
 * once into a bounded queue (overflow: dropped, reported through `onOverflow`); `onQueued` tells
 * the session that it has something to send.
 *
 * C/R (TS 07.10 §5.2.1.2 Table 1, RFCOMM 1.2 §5.1.3 and erratum 1510): SABM and DISC are commands
 * and carry C/R = 1 from the multiplexer initiator, 0 from the responder; UA and DM are responses
 * and carry the opposite; every UIH frame (MCC or data) carries the command value. `isInitiator`
 * is read at each frame because a responder session becomes the initiator when it starts the
 * multiplexer itself.
 */
import { BoundedQueue } from '../core/index.js';
import { encodeMcc, encodeRfcommFrame, type Mcc } from './wire/index.js';

const EMPTY = new Uint8Array(0);

export class ControlOutput {
  private readonly queue: BoundedQueue<Uint8Array>;

  constructor(
    capacity: number,
    private readonly isInitiator: () => boolean,
    private readonly onOverflow: () => void,
    private readonly onQueued: () => void,
  ) {
    this.queue = new BoundedQueue(capacity);
  }

  get length(): number {
    return this.queue.length;
  }

  frame(type: 'SABM' | 'UA' | 'DM' | 'DISC', dlci: number, pf: boolean): void {
    const command = type === 'SABM' || type === 'DISC';
    this.raw(encodeRfcommFrame({ type, dlci, cr: command === this.isInitiator(), pf, info: EMPTY }));
  }

  /** An MCC in a UIH on DLCI 0 (P/F = 0, RFCOMM 1.2 §5.1.3). */
  mcc(mcc: Mcc): void {
    this.raw(encodeRfcommFrame({ type: 'UIH', dlci: 0, cr: this.isInitiator(), pf: false, info: encodeMcc(mcc) }));
  }

  raw(sdu: Uint8Array): void {
    if (!this.queue.push(sdu)) this.onOverflow();
    else this.onQueued();
  }

  shift(): Uint8Array | undefined {
    return this.queue.shift();
  }

  clear(): void {
    this.queue.clear();
  }
}
