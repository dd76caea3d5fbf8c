/**
 * `btc connect ADDR [CHANNEL]`: an RFCOMM terminal like `rfcomm connect`. Without CHANNEL the
 * channel is looked up by SDP (`--uuid`, default the Serial Port class, or `--service NAME`).
 * Interactive on a terminal, stdin/stdout when piped.
 */
import { BluetoothSocket, RFCOMM, SERIAL_PORT_CLASS } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, parseAddress, UsageError, type Parsed } from '../args.js';
import { channelQuery, resolveChannel, SERVICE_OPTIONS } from '../channel-lookup.js';
import { info } from '../log.js';
import type { Command } from '../main.js';
import { pipeStdio } from './listen.js';

export const connect: Command = {
  spec: {
    name: 'connect',
    usage: 'connect ADDR [CHANNEL | --uuid UUID | --service NAME]',
    summary: 'RFCOMM terminal to a device (stdin/stdout when piped); finds the channel by SDP if omitted',
    options: [...SERVICE_OPTIONS, ...ADAPTER_OPTIONS, ...CHANNEL_OPTIONS],
    details: `Without CHANNEL, --uuid or --service the Serial Port service (UUID ${SERIAL_PORT_CLASS}) is looked up.`,
  },
  async run(args: Parsed): Promise<number> {
    const [addressText, ch] = args.positionals;
    if (!addressText) throw new UsageError('connect needs the device address');
    const address = parseAddress(addressText);
    const query = channelQuery(ch, args, SERIAL_PORT_CLASS);
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const channel = await resolveChannel(adapter, address, query);
      const sock = new BluetoothSocket(RFCOMM, { adapter, security });
      await sock.connect([address, channel]);
      info(`Connected to ${address} channel ${channel}${process.stdin.isTTY ? ' (Ctrl-D to close)' : ''}`);
      const lost = await pipeStdio(sock);
      sock.close();
      return lost ? 1 : 0;
    });
  },
};
