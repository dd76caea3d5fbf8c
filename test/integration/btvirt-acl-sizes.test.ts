/**
 * Raw L2CAP between two stacks on btvirt at every ACL fragment size (issue 4: a dynamic PSM, bytes
 * each way, closed from either side, every ACL size from 27 to 1021).
 *
 * btvirt's emulated controller announces one fixed buffer size: Read Buffer Size gives
 * ACL_Data_Packet_Length 192 and Total_Num_ACL_Data_Packets 1 (BlueZ 5.66). The sweep therefore
 * sets `HciHostOptions.aclFragmentSize` on both stacks, which send ACL packets of
 * min(192, fragment size) octets. btvirt relays ACL packets unchanged, so each host also receives
 * and reassembles fragments of that size. Sizes above 192 cannot reach the wire through btvirt:
 * the host clamps them to the controller's 192, and these tests check that clamp; the sizes
 * 193..1021 on the wire are covered by test/integration/virtual-l2cap.test.ts, whose virtual
 * controller announces any length from 27 to 1021.
 *
 * What runs, each with two fresh adapters, a raw L2CAP channel on a dynamic PSM, the bytes sent
 * both ways at once, and the channel closed by the initiator on even sizes, by the acceptor on odd:
 * - every fragment size from 27 to the controller's length (27..192 on btvirt, 166 sizes), 1 MiB
 *   each way (at 27 octets 38 000+ ACL packets per direction, at 192 about 5 500), in six runs of
 *   about 28 sizes (about 140 s in all). The first SDUs make L2CAP PDUs of exactly one and two
 *   fragments, one and two fragments plus one octet, and one octet short of a fragment; the rest
 *   are MTU-sized SDUs. BTVIRT_ACL_SWEEP_BYTES=65536 shortens a local run.
 * - 1 MiB each way at fragment sizes 193, 339, 672 and 1021: clamped to the controller's length.
 *
 * Not vacuous: every SDU is compared byte for byte with a position-dependent pattern and must
 * arrive whole and in order; a packet sink on each transport reads the Data_Total_Length of every
 * H4 ACL packet, and the largest sent and received on both sides must equal the effective fragment
 * size, with full fragments and shorter last fragments both seen.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket } from '../../src/socket/index.js';
import { btvirtSocket, btvirtMissing } from '../support/env.js';
import { patternBytes } from '../support/bulk.js';
import { l2capPair } from '../support/l2cap-sockets.js';

const SPEC = `h4:unix:${btvirtSocket()}`;
const MiB = 1 << 20;
/** Bytes each way at every size of the sweep (see above). */
const SWEEP_BYTES = Number(process.env.BTVIRT_ACL_SWEEP_BYTES ?? MiB);
/** The sweep in runs of this many sizes; the last run goes on to the controller's length. */
const RUNS = 6;
const RUN_SIZES = 28;

/** The fragment sizes of sweep run `run`: RUN_SIZES of them, the last run up to `controller`. */
function runSizes(run: number, controller: number): number[] {
  const from = 27 + run * RUN_SIZES;
  const to = run === RUNS - 1 ? controller : Math.min(controller, from + RUN_SIZES - 1);
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** ACL data lengths of the H4 ACL packets one adapter sent and received, seen on the transport. */
interface Wire {
  tx: Map<number, number>;
  rx: Map<number, number>;
}

function watchWire(adapter: Adapter): Wire {
  const wire: Wire = { tx: new Map(), rx: new Map() };
  adapter.driver.addSink({
    record(direction, h4) {
      if (h4[0] !== 0x02 || h4.length < 5) return;
      const m = wire[direction];
      const length = h4[3] | (h4[4] << 8);
      m.set(length, (m.get(length) ?? 0) + 1);
    },
  });
  return wire;
}

const maxLength = (m: Map<number, number>) => Math.max(0, ...m.keys());

const open: Adapter[] = [];

async function adapters(fragment: number): Promise<{ a: Adapter; b: Adapter; wa: Wire; wb: Wire }> {
  // Raw L2CAP has no flow control, and btvirt drops what a late reader's socket cannot take (it
  // writes with MSG_DONTWAIT). It never has to here: both adapters live in this process and
  // btvirt's controller gives each one ACL buffer, so at most one packet per direction is in flight.
  const options = (name: string) => ({ name, stack: { hci: { aclFragmentSize: fragment } } });
  const a = await Adapter.open(SPEC, options(`acl-${fragment}-a`));
  open.push(a);
  const b = await Adapter.open(SPEC, options(`acl-${fragment}-b`));
  open.push(b);
  return { a, b, wa: watchWire(a), wb: watchWire(b) };
}

/**
 * SDU lengths that add up to `total`: first PDUs of exactly one and two fragments, one and two
 * fragments plus one octet, and one octet less than a fragment (an L2CAP PDU is the SDU + 4), then
 * MTU-sized SDUs (the last one shorter).
 */
function sduLengths(total: number, fragment: number, mtu: number): number[] {
  const edges = [fragment - 4, fragment - 3, 2 * fragment - 4, 2 * fragment - 3, fragment - 5].filter((n) => n >= 1 && n <= mtu);
  const out: number[] = [];
  let left = total;
  for (const n of edges) {
    if (n > left) break;
    out.push(n);
    left -= n;
  }
  for (; left > 0; left -= Math.min(mtu, left)) out.push(Math.min(mtu, left));
  return out;
}

/** Sends the SDUs from `from` and checks that `to` receives each one, in order, with its bytes. */
async function pump(from: BluetoothSocket, to: BluetoothSocket, sdus: readonly number[]): Promise<void> {
  let at = 0;
  for (const n of sdus) {
    await from.send(patternBytes(at, n));
    at += n;
  }
  at = 0;
  for (const [i, n] of sdus.entries()) {
    const sdu = await to.recv(65535);
    if (sdu.length !== n) throw new Error(`SDU ${i} at offset ${at}: ${sdu.length} bytes, want ${n}`);
    if (!sdu.equals(Buffer.from(patternBytes(at, n)))) throw new Error(`SDU ${i} at offset ${at}: the bytes differ`);
    at += n;
  }
}

/**
 * Two fresh adapters with the given fragment size: a raw L2CAP channel on a dynamic PSM, `total`
 * bytes each way at once, then closed by `closer`. Returns what went over the wire.
 */
async function exchange(fragment: number, total: number, closer: 'initiator' | 'acceptor'): Promise<{ effective: number; controller: number; wa: Wire; wb: Wire }> {
  const { a, b, wa, wb } = await adapters(fragment);
  const controller = a.stack.host.aclMtu;
  const effective = Math.min(fragment, controller);
  expect(a.stack.host.aclFragmentSize).toBe(effective);
  expect(b.stack.host.aclFragmentSize).toBe(effective);

  const { psm, listener, sock, conn } = await l2capPair(b, a);
  expect(psm).toBeGreaterThanOrEqual(0x1001);
  const mtu = Math.min(sock.frameSize, conn.frameSize);
  const sdus = sduLengths(total, effective, mtu);
  await Promise.all([pump(sock, conn, sdus), pump(conn, sock, sdus)]);

  const [closing, other] = closer === 'initiator' ? [sock, conn] : [conn, sock];
  closing.close();
  await expect(other.recv(10)).rejects.toMatchObject({ code: 'ECONNRESET' });
  listener.close();
  await Promise.all([a.close(), b.close()]);
  open.length = 0;
  return { effective, controller, wa, wb };
}

/** The wire saw ACL packets of exactly the effective size, never larger, and shorter last fragments. */
function checkWire({ effective, wa, wb }: { effective: number; wa: Wire; wb: Wire }): void {
  for (const [side, w] of [
    ['a', wa],
    ['b', wb],
  ] as const) {
    expect(maxLength(w.tx), `largest ACL data length ${side} sent`).toBe(effective);
    expect(maxLength(w.rx), `largest ACL data length ${side} received`).toBe(effective);
    expect(w.tx.get(effective) ?? 0, `full fragments ${side} sent`).toBeGreaterThan(0);
    expect([...w.tx.keys()].some((n) => n < effective), `partial fragments ${side} sent`).toBe(true);
  }
}

describe.skipIf(btvirtMissing())('raw L2CAP on btvirt at every ACL fragment size', () => {
  let controller = 0;

  beforeAll(async () => {
    const probe = await Adapter.open(SPEC, { name: 'acl-probe' });
    controller = probe.stack.host.aclMtu;
    await probe.close();
    expect(controller).toBeGreaterThanOrEqual(27);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });

  it.each(Array.from({ length: RUNS }, (_, i) => i))(
    `${SWEEP_BYTES} bytes each way at every fragment size from 27 to the controller's length, closing from alternate sides: run %i`,
    { timeout: 900_000 },
    async (run) => {
      for (const fragment of runSizes(run, controller)) {
        const seen = await exchange(fragment, SWEEP_BYTES, fragment % 2 === 0 ? 'initiator' : 'acceptor');
        expect(seen.effective).toBe(fragment);
        checkWire(seen);
      }
    },
  );

  it('the runs sweep every size from 27 to the controller\'s length once', () => {
    const sizes = Array.from({ length: RUNS }, (_, run) => runSizes(run, controller)).flat();
    expect(sizes).toEqual(Array.from({ length: controller - 26 }, (_, i) => 27 + i));
  });

  it.each([193, 339, 672, 1021])('1 MiB each way at fragment size %i, clamped to the controller\'s length', { timeout: 120_000 }, async (fragment) => {
    const seen = await exchange(fragment, MiB, fragment % 2 === 0 ? 'initiator' : 'acceptor');
    expect(seen.controller).toBe(controller);
    expect(seen.effective).toBe(Math.min(fragment, controller));
    checkWire(seen);
  });
});
