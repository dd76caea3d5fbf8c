/**
 * A large btsnoop file for the `decode` suite, written on the fly with the project's own encoders
 * (BtsnoopWriter, the RFCOMM frame codec): a connection with an RFCOMM channel opened through L2CAP
 * signaling, then rounds of six packets: RFCOMM data each way (text one way, bytes the other), a
 * credit frame, Number Of Completed Packets, and a Read RSSI command with its Command Complete.
 * One millisecond between packets. Written in 1 MiB pieces, so the bench process never holds it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { concat, fromHex } from '../src/core/index.js';
import { encodeRfcommFrame, type RfcommFrame } from '../src/rfcomm/index.js';
import { BtsnoopWriter, type CaptureDirection } from '../src/trace/index.js';

const HANDLE = 0x000b;
/** L2CAP CIDs of the RFCOMM channel: the host sends to the peer's 0x0041 and receives on 0x0040. */
const CID_TX = 0x0041;
const CID_RX = 0x0040;

/** An H4 ACL packet (start of a PDU) carrying one L2CAP basic frame. */
function acl(cid: number, payload: Uint8Array): Uint8Array {
  const l2cap = concat(Uint8Array.of(payload.length & 0xff, payload.length >> 8, cid & 0xff, cid >> 8), payload);
  return concat(Uint8Array.of(0x02, HANDLE & 0xff, (HANDLE >> 8) | 0x20, l2cap.length & 0xff, l2cap.length >> 8), l2cap);
}

function rfcomm(cid: number, frame: RfcommFrame): Uint8Array {
  return acl(cid, encodeRfcommFrame(frame));
}

const TEXT = new TextEncoder().encode('AT+CIND? 0123456789 the quick brown fox jumps over the lazy dog\r\n');
const BYTES = Uint8Array.from({ length: 60 }, (_, i) => (i * 37) & 0xff);

const SETUP: [CaptureDirection, Uint8Array][] = [
  ['tx', fromHex('01030c00')],
  ['rx', fromHex('040e0401030c00')],
  // Connection Complete, handle 0x000b, ACL
  ['rx', fromHex('04030b000b00' + '112233445566' + '0100')],
  // L2CAP Connection Request psm 3 scid 0x0040, Connection Response dcid 0x0041 success
  ['tx', acl(0x0001, fromHex('0201040003004000'))],
  ['rx', acl(0x0001, fromHex('03010800410040000000' + '0000'))],
  ['tx', rfcomm(CID_TX, { type: 'SABM', dlci: 0, cr: true, pf: true, info: new Uint8Array(0) })],
  ['rx', rfcomm(CID_RX, { type: 'UA', dlci: 0, cr: true, pf: true, info: new Uint8Array(0) })],
  ['tx', rfcomm(CID_TX, { type: 'SABM', dlci: 2, cr: true, pf: true, info: new Uint8Array(0) })],
  ['rx', rfcomm(CID_RX, { type: 'UA', dlci: 2, cr: true, pf: true, info: new Uint8Array(0) })],
];

const ROUND: [CaptureDirection, Uint8Array][] = [
  ['tx', rfcomm(CID_TX, { type: 'UIH', dlci: 2, cr: true, pf: false, info: TEXT })],
  ['rx', fromHex('041305010b000100')],
  ['rx', rfcomm(CID_RX, { type: 'UIH', dlci: 2, cr: false, pf: true, credits: 1, info: new Uint8Array(0) })],
  ['rx', rfcomm(CID_RX, { type: 'UIH', dlci: 2, cr: false, pf: false, info: BYTES })],
  ['tx', fromHex('010514020b00')],
  ['rx', fromHex('040e07010514000b00d0')],
];

/** Writes `packets` packets (at least the setup) to `path`; returns how many were written. */
export function writeDecodeCapture(path: string, packets: number): number {
  const writer = new BtsnoopWriter();
  const fd = openSync(path, 'w');
  const pending: Uint8Array[] = [writer.header()];
  let size = 0;
  const flush = (): void => {
    writeSync(fd, concat(...pending));
    pending.length = 0;
    size = 0;
  };
  let t = 1_700_000_000_000_000;
  let written = 0;
  const put = ([direction, h4]: [CaptureDirection, Uint8Array]): void => {
    const record = writer.write(direction, h4, t);
    t += 1000;
    written++;
    pending.push(record);
    size += record.length;
    if (size >= 1 << 20) flush();
  };
  try {
    SETUP.forEach(put);
    for (let i = 0; written < packets; i++) put(ROUND[i % ROUND.length]);
    flush();
  } finally {
    closeSync(fd);
  }
  return written;
}
