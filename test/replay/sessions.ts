/**
 * The sessions the whole-stack replays are recorded from: two stacks on the virtual controller,
 * manual clock (test/support/virtual-net.ts), so that each run gives the same bytes. Each session
 * records both stacks: `client` (the one that connects) and `server`.
 *
 *   demo      SDP finds the Serial Port record, RFCOMM connects, "Hello, world!" is echoed, the
 *             client closes and the idle link goes down (what `btc demo` does)
 *   transfer  2 KiB each way over one RFCOMM channel, read as it arrives (credits flow back)
 *   pairing   numeric comparison (both DisplayYesNo, MITM), both users accept, then a channel at
 *             level 'mitm' opens and carries one message
 *
 * `npx tsx test/replay/record-sessions.ts` writes them to fixtures/sessions/ (fixtures/README.md).
 */
import { fromUtf8, utf8, Uuid, UUID16 } from '../../src/core/index.js';
import { serialPortRecord } from '../../src/sdp/index.js';
import type { StackOptions } from '../../src/stack/stack.js';
import { type NetNode, VirtualNet } from '../support/virtual-net.js';
import { type LogLine, recordStacks, type SessionLog } from './support/session-log.js';

export interface Session {
  readonly name: string;
  readonly note: string;
  readonly options: StackOptions;
  /** Runs the session on `net` between `client` and `server`. */
  readonly run: (net: VirtualNet, client: NetNode, server: NetNode) => void;
}

/** After the last channel closed, the idle link goes down (StackOptions.linkIdleMs, 2 s). */
const LINK_IDLE_WAIT_MS = 5_000;

function openChannel(net: VirtualNet, client: NetNode, server: NetNode, channel: number, level: 'none' | 'mitm' = 'none'): { c: number; s: number } {
  const c = client.stack.connectRfcomm(server.stack.address, channel, net.now, level);
  net.expect(client, 'rfcomm-open', (e) => e.id === c, 120_000);
  const s = net.expect(server, 'rfcomm-open').id;
  return { c, s };
}

function closeChannel(net: VirtualNet, client: NetNode, server: NetNode, ids: { c: number; s: number }): void {
  client.stack.closeRfcomm(ids.c, net.now);
  net.expect(client, 'rfcomm-closed', (e) => e.id === ids.c);
  net.expect(server, 'rfcomm-closed', (e) => e.id === ids.s);
  net.advance(LINK_IDLE_WAIT_MS);
}

/** Reads everything `node` receives on `id` at once (the application keeps up). */
function readAll(net: VirtualNet, node: NetNode, id: number, into: number[]): void {
  node.listeners.push((e) => {
    if (e.type !== 'rfcomm-data' || e.id !== id) return;
    into.push(...e.data);
    node.stack.consumeRfcomm(id, e.data.length, net.now);
  });
}

function writeAll(net: VirtualNet, node: NetNode, id: number, bytes: Uint8Array): () => boolean {
  let sent = 0;
  const more = (): void => {
    sent += node.stack.writeRfcomm(id, bytes.subarray(sent), net.now);
  };
  node.listeners.push((e) => {
    if (e.type === 'rfcomm-writable' && e.id === id && sent < bytes.length) more();
  });
  more();
  return () => sent === bytes.length;
}

function pattern(seed: number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);
}

export const SESSIONS: readonly Session[] = [
  {
    name: 'demo',
    note: 'SDP query for the Serial Port record, RFCOMM connect, "Hello, world!" echoed, client closes, idle link goes down',
    options: {},
    run(net, client, server) {
      const channel = server.stack.listenRfcomm(0);
      server.stack.advertise(serialPortRecord({ channel, name: 'Echo' }));
      const q = client.stack.sdpQuery(server.stack.address, [Uuid.from16(UUID16.SerialPort)], net.now);
      net.expect(client, 'sdp-result', (e) => e.id === q);
      const ids = openChannel(net, client, server, channel);
      client.stack.writeRfcomm(ids.c, utf8('Hello, world!'), net.now);
      const got = net.expect(server, 'rfcomm-data', (e) => e.id === ids.s);
      server.stack.consumeRfcomm(ids.s, got.data.length, net.now);
      server.stack.writeRfcomm(ids.s, got.data.slice(), net.now);
      const echo = net.expect(client, 'rfcomm-data', (e) => e.id === ids.c);
      client.stack.consumeRfcomm(ids.c, echo.data.length, net.now);
      if (fromUtf8(echo.data) !== 'Hello, world!') throw new Error('the demo echo came back wrong');
      closeChannel(net, client, server, ids);
    },
  },
  {
    name: 'transfer',
    note: '2 KiB each way over one RFCOMM channel, read as it arrives, then the client closes',
    options: {},
    run(net, client, server) {
      server.stack.listenRfcomm(1);
      const ids = openChannel(net, client, server, 1);
      const atServer: number[] = [];
      const atClient: number[] = [];
      readAll(net, server, ids.s, atServer);
      readAll(net, client, ids.c, atClient);
      const up = pattern(1, 2048);
      const down = pattern(2, 2048);
      writeAll(net, client, ids.c, up);
      writeAll(net, server, ids.s, down);
      net.runUntil(() => atServer.length === up.length && atClient.length === down.length, 60_000, 'both transfers');
      closeChannel(net, client, server, ids);
    },
  },
  {
    name: 'pairing',
    note: 'numeric comparison (both DisplayYesNo, MITM), both users accept, a channel at level mitm opens and carries one message',
    options: { security: { ioCapability: 'DisplayYesNo', mitm: true } },
    run(net, client, server) {
      for (const node of [client, server]) {
        node.listeners.push((e) => {
          if (e.type === 'security' && e.event.type === 'confirm-request') node.stack.answerConfirm(e.event.id, true, net.now);
        });
      }
      server.stack.listenRfcomm(1, 'mitm');
      const ids = openChannel(net, client, server, 1, 'mitm');
      client.stack.writeRfcomm(ids.c, utf8('paired'), net.now);
      const got = net.expect(server, 'rfcomm-data', (e) => e.id === ids.s);
      server.stack.consumeRfcomm(ids.s, got.data.length, net.now);
      closeChannel(net, client, server, ids);
    },
  },
];

/** Runs `session` on a fresh virtual net and returns the log of each side. */
export function recordSession(session: Session): { client: SessionLog; server: SessionLog } {
  let nodes: [NetNode, NetNode] | undefined;
  const logs = recordStacks(() => {
    const net = new VirtualNet();
    const client = net.add({ stack: session.options });
    const server = net.add({ stack: session.options });
    net.ready(client, server);
    session.run(net, client, server);
    nodes = [client, server];
  });
  const [client, server] = nodes!;
  const log = (role: string, node: NetNode): SessionLog => ({
    header: { session: session.name, role, options: session.options, note: session.note },
    lines: logs.get(node.stack) ?? ([] as LogLine[]),
  });
  return { client: log('client', client), server: log('server', server) };
}
