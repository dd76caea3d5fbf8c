/**
 * `btc bridge ADDR CHANNEL --port N`: joins an RFCOMM channel to a TCP port. Each TCP client gets its
 * own RFCOMM connection to ADDR CHANNEL (e.g. an OBD-II dongle reachable from any TCP tool).
 */
import { createServer, type Socket } from 'node:net';
import { BluetoothSocket, RFCOMM } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, int, str, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { onSignal } from '../signals.js';
import { parseChannel } from './connect.js';

export const bridge: Command = {
  spec: {
    name: 'bridge',
    usage: 'bridge ADDR CHANNEL --port N [--host H]',
    summary: 'bridge an RFCOMM channel to a TCP port (one RFCOMM connection per TCP client)',
    options: [
      { name: 'port', value: 'N', help: 'TCP port to listen on (0 picks a free one)', default: '7000' },
      { name: 'host', value: 'H', help: 'TCP address to listen on', default: '127.0.0.1' },
      ...ADAPTER_OPTIONS,
      ...CHANNEL_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    const [address, ch] = args.positionals;
    if (!address || !ch) throw new UsageError('bridge needs ADDR CHANNEL');
    const channel = parseChannel(ch);
    const port = int(args, 'port', 7000, 0, 65535);
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const server = createServer((tcp: Socket) => {
        const sock = new BluetoothSocket(RFCOMM, { adapter, security });
        tcp.pause();
        sock.connect([address, channel]).then(
          () => {
            process.stderr.write(`bridge: ${tcp.remoteAddress}:${tcp.remotePort} ⇄ ${address} channel ${channel}\n`);
            tcp.pipe(sock);
            sock.pipe(tcp);
            tcp.resume();
            tcp.on('close', () => sock.close());
            sock.on('close', () => tcp.destroy());
            sock.on('error', (e) => tcp.destroy(e));
            tcp.on('error', () => sock.close());
          },
          (error: Error) => {
            process.stderr.write(`bridge: ${error.message}\n`);
            tcp.destroy();
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, str(args, 'host'), resolve);
      });
      const bound = server.address();
      process.stderr.write(`bridge: listening on tcp ${typeof bound === 'object' && bound ? `${bound.address}:${bound.port}` : port} for ${address} channel ${channel}\n`);
      // Until Ctrl-C or SIGTERM (withAdapter closes the RFCOMM channels and the adapter then).
      await new Promise<void>((resolve) => onSignal(resolve));
      server.close();
      return 0;
    });
  },
};
