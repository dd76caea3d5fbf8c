/**
 * `btc connect ADDR [CHANNEL]`: an RFCOMM terminal like `rfcomm connect`. Without CHANNEL the
 * Serial Port channel is looked up by SDP. Interactive on a terminal, stdin/stdout when piped.
 */
import { BluetoothSocket, findService, RFCOMM, SERIAL_PORT_CLASS } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, parseInteger, str, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { pipeStdio } from './listen.js';
import type { Adapter } from '../../socket/index.js';

export const connect: Command = {
  spec: {
    name: 'connect',
    usage: 'connect ADDR [CHANNEL] [--uuid UUID]',
    summary: 'RFCOMM terminal to a device (stdin/stdout when piped); finds the channel by SDP if omitted',
    options: [{ name: 'uuid', value: 'UUID', help: 'service to look up when CHANNEL is omitted', default: SERIAL_PORT_CLASS }, ...ADAPTER_OPTIONS, ...CHANNEL_OPTIONS],
  },
  async run(args: Parsed): Promise<number> {
    const [address, ch] = args.positionals;
    if (!address) throw new UsageError('connect needs the device address');
    const given = ch === undefined ? undefined : parseChannel(ch);
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const channel = given ?? (await channelBySdp(adapter, address, str(args, 'uuid')!));
      const sock = new BluetoothSocket(RFCOMM, { adapter, security });
      await sock.connect([address, channel]);
      process.stderr.write(`Connected to ${address} channel ${channel}${process.stdin.isTTY ? ' (Ctrl-D to close)' : ''}\n`);
      const lost = await pipeStdio(sock);
      sock.close();
      return lost ? 1 : 0;
    });
  },
};

export function parseChannel(text: string): number {
  return parseInteger(text, 'CHANNEL', 1, 30);
}

export async function channelBySdp(adapter: Adapter, address: string, uuid: string): Promise<number> {
  const services = await findService({ address, uuid, adapter });
  const rfcomm = services.find((s) => s.protocol === 'RFCOMM' && s.port !== undefined);
  if (!rfcomm) throw new Error(`${address} advertises no RFCOMM service with UUID ${uuid}; give the channel explicitly`);
  process.stderr.write(`SDP: "${rfcomm.name ?? ''}" on channel ${rfcomm.port}\n`);
  return rfcomm.port!;
}
