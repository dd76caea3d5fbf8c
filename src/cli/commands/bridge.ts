/**
 * `btc bridge`: joins RFCOMM and TCP, in either direction.
 *
 * - `bridge ADDR [CHANNEL] --port N`: a TCP server; each TCP client gets its own RFCOMM connection
 *   to ADDR CHANNEL (CHANNEL, or found by SDP with --uuid / --service), e.g. an OBD-II dongle
 *   reachable from any TCP tool.
 * - `bridge --listen [CHANNEL] --to HOST:PORT`: an RFCOMM server advertised as a serial port; each
 *   RFCOMM connection it accepts gets its own TCP connection to HOST:PORT.
 *
 * Both ways a half-close is kept as far as RFCOMM allows (src/cli/join.ts): when the TCP side
 * half-closes (`nc -N`), the RFCOMM channel stays open until its replies stop, then closes with
 * DISC; when the RFCOMM channel closes, the TCP side gets everything it carried, then a FIN.
 */
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import { advertiseService, BluetoothSocket, RFCOMM, SERIAL_PORT_CLASS, SERIAL_PORT_PROFILE, type Adapter, type SecurityLevel } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, flag, int, parseAddress, parseInteger, str, UsageError, type Parsed } from '../args.js';
import { channelQuery, resolveChannel, SERVICE_OPTIONS, type ChannelQuery } from '../channel-lookup.js';
import { joinSocket } from '../join.js';
import { error as logError, info } from '../log.js';
import type { Command } from '../main.js';
import { onSignal } from '../signals.js';
import { parseServerChannel } from './listen.js';

export const bridge: Command = {
  spec: {
    name: 'bridge',
    usage: 'bridge ADDR [CHANNEL] --port N [--host H]   or   bridge --listen [CHANNEL] --to HOST:PORT',
    summary: 'bridge RFCOMM and TCP: a TCP port to a device channel, or (--listen) an RFCOMM server to a TCP address',
    options: [
      { name: 'port', value: 'N', help: 'TCP port to listen on (0 picks a free one)', default: '7000' },
      { name: 'host', value: 'H', help: 'TCP address to listen on', default: '127.0.0.1' },
      { name: 'listen', help: 'the other way: accept RFCOMM connections on CHANNEL (any free one if omitted) and forward each to --to' },
      { name: 'to', value: 'HOST:PORT', help: 'with --listen: the TCP address each RFCOMM connection is forwarded to' },
      { name: 'service-name', value: 'NAME', help: 'with --listen: the SDP service name', default: 'Serial Port' },
      ...SERVICE_OPTIONS,
      ...ADAPTER_OPTIONS,
      ...CHANNEL_OPTIONS,
    ],
    details: 'A TCP half-close (nc -N) keeps the replies: the RFCOMM channel closes once they stop for a second.',
  },
  async run(args: Parsed): Promise<number> {
    return flag(args, 'listen') ? rfcommToTcp(args) : tcpToRfcomm(args);
  },
};

async function tcpToRfcomm(args: Parsed): Promise<number> {
  if (str(args, 'to') !== undefined) throw new UsageError('--to goes with --listen (an RFCOMM server forwarding to TCP)');
  const [addressText, ch] = args.positionals;
  if (!addressText) throw new UsageError('bridge needs ADDR CHANNEL (or ADDR with --uuid/--service, or --listen)');
  const address = parseAddress(addressText);
  const query: ChannelQuery = channelQuery(ch, args);
  const port = int(args, 'port', 7000, 0, 65535);
  const security = securityLevel(args);
  return withAdapter(args, async (adapter) => {
    const channel = await resolveChannel(adapter, address, query);
    const server = createServer({ allowHalfOpen: true }, (tcp: Socket) => {
      const peer = `${tcp.remoteAddress}:${tcp.remotePort}`;
      const sock = new BluetoothSocket(RFCOMM, { adapter, security });
      tcp.pause();
      sock.connect([address, channel]).then(
        () => {
          info(`bridge: ${peer} ⇄ ${address} channel ${channel}`);
          tcp.resume();
          join(sock, tcp, peer);
        },
        (error: Error) => {
          logError(`bridge: ${peer}: ${error.message}`);
          tcp.destroy();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, str(args, 'host'), resolve);
    });
    const bound = server.address();
    info(`bridge: listening on tcp ${typeof bound === 'object' && bound ? `${bound.address}:${bound.port}` : port} for ${address} channel ${channel}`);
    // Until Ctrl-C or SIGTERM (withAdapter closes the RFCOMM channels and the adapter then).
    await new Promise<void>((resolve) => onSignal(resolve));
    server.close();
    return 0;
  });
}

async function rfcommToTcp(args: Parsed): Promise<number> {
  for (const name of ['uuid', 'service']) if (str(args, name) !== undefined) throw new UsageError(`--${name} finds a peer's channel: it does not go with --listen`);
  const target = parseTarget(str(args, 'to'));
  const channel = parseServerChannel(args.positionals[0]);
  if (args.positionals.length > 1) throw new UsageError('bridge --listen takes at most a CHANNEL');
  const security = securityLevel(args);
  return withAdapter(args, async (adapter) => {
    const server = listenRfcomm(adapter, channel, security, str(args, 'service-name')!);
    info(`bridge: listening on ${adapter.address} RFCOMM channel ${server.getsockname()[1]} for tcp ${target.host}:${target.port}`);
    const stopped = new Promise<void>((resolve) => onSignal(resolve));
    for (;;) {
      const accepting = server.accept();
      // After a signal the adapter closes and the pending accept fails: that is the end, not news.
      accepting.catch(() => undefined);
      const accepted = await Promise.race([accepting, stopped]);
      if (!accepted) break;
      const [sock, [addr]] = accepted;
      const tcp = tcpConnect({ host: target.host, port: target.port, allowHalfOpen: true });
      // An RFCOMM client gone before the TCP connection is made takes it along.
      const gone = () => tcp.destroy();
      sock.once('close', gone);
      tcp.once('connect', () => {
        sock.off('close', gone);
        info(`bridge: ${addr} ⇄ tcp ${target.host}:${target.port}`);
        join(sock, tcp, addr);
      });
      tcp.once('error', (error) => {
        if (tcp.connecting) {
          logError(`bridge: ${addr}: tcp ${target.host}:${target.port}: ${error.message}`);
          sock.close();
        }
      });
    }
    server.close();
    return 0;
  });
}

function listenRfcomm(adapter: Adapter, channel: number, security: SecurityLevel, serviceName: string): BluetoothSocket {
  const server = new BluetoothSocket(RFCOMM, { adapter, security });
  server.bind(['', channel]);
  server.listen(5);
  advertiseService(server, serviceName, { serviceClasses: [SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
  return server;
}

/** One bridged connection: ends the TCP side (FIN after what the channel carried) when the channel
 * closes, and closes the channel when the TCP connection fails or closes completely. */
function join(sock: BluetoothSocket, tcp: Socket, peer: string): void {
  tcp.on('error', (error) => {
    logError(`bridge: ${peer}: ${error.message}`);
    sock.close();
  });
  tcp.on('close', () => sock.close());
  void joinSocket(sock, tcp, tcp).then((lost) => {
    if (lost) logError(`bridge: ${peer}: ${lost.message}`);
    info(`bridge: ${peer} closed`);
    if (lost) tcp.destroy();
    else tcp.end();
  });
}

/** --to HOST:PORT (a bracketed IPv6 host as in [::1]:7000). */
export function parseTarget(text: string | undefined): { host: string; port: number } {
  if (text === undefined) throw new UsageError('bridge --listen needs --to HOST:PORT');
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(.+)$/.exec(text);
  if (!m) throw new UsageError(`--to must be HOST:PORT (e.g. 127.0.0.1:7000), not ${JSON.stringify(text)}`);
  return { host: m[1] ?? m[2], port: parseInteger(m[3], '--to PORT', 1, 65535) };
}
