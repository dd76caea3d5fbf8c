/**
 * A scripted lower tester for RFCOMM (the scenarios R1–R29 of docs/conformance.md): feeds frames given as hex to an
 * RfcommManager and collects what it transmits and reports, with a manual clock.
 */
import { fromHex, hex } from '../../../src/core/index.js';
import { RfcommManager, type RfcommEvent, type RfcommOptions } from '../../../src/rfcomm/index.js';

export const SID = 0x40;

export class LowerTester {
  readonly rf: RfcommManager;
  now = 0;
  constructor(options: RfcommOptions = {}) {
    this.rf = new RfcommManager(options);
  }

  /** Feeds one frame (hex) from the tester. */
  send(frameHex: string, sid = SID): this {
    this.rf.receive(sid, fromHex(frameHex), this.now);
    return this;
  }

  /** Everything the IUT transmits now, as spaced hex. */
  tx(): string[] {
    const out: string[] = [];
    for (let f = this.rf.pollTransmit(); f; f = this.rf.pollTransmit()) out.push(hex(f.sdu, ' '));
    return out;
  }

  events(): RfcommEvent[] {
    const out: RfcommEvent[] = [];
    for (let e = this.rf.pollEvent(); e; e = this.rf.pollEvent()) out.push(e);
    return out;
  }

  advance(ms: number): this {
    this.now += ms;
    const t = this.rf.pollTimeout();
    if (t !== undefined && t <= this.now) this.rf.handleTimeout(this.now);
    return this;
  }

  /** IUT as responder with server channel 1, the session open (R1). */
  static responder(options: RfcommOptions = {}, l2capMtu = 672): LowerTester {
    const lt = new LowerTester(options);
    lt.rf.registerServerChannel(1);
    lt.rf.sessionUp(SID, { initiator: false, l2capMtu }, lt.now);
    lt.send('03 3f 01 1c');
    lt.tx();
    return lt;
  }

  /**
   * IUT as responder with DLC 2 open: PN (given, default CBFC N1 127 K 7), SABM, MSC both ways.
   * Returns the dlcId.
   */
  static withDlc(options: RfcommOptions = {}, pn = '03 ef 15 83 11 02 f0 07 00 7f 00 00 07 70'): { lt: LowerTester; dlcId: number } {
    const lt = LowerTester.responder(options);
    if (pn) lt.send(pn);
    lt.send('0b 3f 01 59');
    lt.send('03 ef 09 e3 05 0b 8d 70');
    lt.send('03 ef 09 e1 05 0b 8d 70');
    lt.tx();
    const open = lt.events().find((e) => e.type === 'dlc-open');
    if (!open || open.type !== 'dlc-open') throw new Error('DLC did not open');
    return { lt, dlcId: open.dlcId };
  }
}

export function dataOf(events: RfcommEvent[]): string {
  return events
    .filter((e): e is Extract<RfcommEvent, { type: 'dlc-data' }> => e.type === 'dlc-data')
    .map((e) => new TextDecoder().decode(e.data))
    .join('');
}

/** The FCS octet (hex) for header octets given as hex, computed here independently of src. */
export function fcs(header: string): string {
  let crc = 0xff;
  for (const x of fromHex(header)) {
    crc ^= x;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xe0 : crc >>> 1;
  }
  return (0xff - crc).toString(16).padStart(2, '0');
}
