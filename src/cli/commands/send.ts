/** `btc send ADDR CHANNEL FILE`: sends a file's bytes over RFCOMM with progress and throughput. */
import { createReadStream } from 'node:fs';
import { BluetoothSocket, RFCOMM } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, parseAddress, UsageError, type Parsed } from '../args.js';
import { channelQuery, resolveChannel, SERVICE_OPTIONS } from '../channel-lookup.js';
import { logLevel } from '../log.js';
import type { Command } from '../main.js';
import { fileToRead } from '../paths.js';
import { Progress } from '../progress.js';

export const send: Command = {
  spec: {
    name: 'send',
    usage: 'send ADDR CHANNEL FILE   or   send ADDR FILE --uuid UUID | --service NAME',
    summary: 'send a file over RFCOMM, with a progress bar and throughput',
    options: [...SERVICE_OPTIONS, ...ADAPTER_OPTIONS, ...CHANNEL_OPTIONS],
  },
  async run(args: Parsed): Promise<number> {
    const byService = args.positionals.length === 2;
    const [addressText, ch, file] = byService ? [args.positionals[0], undefined, args.positionals[1]] : args.positionals;
    if (!addressText || !file) throw new UsageError('send needs ADDR CHANNEL FILE (or ADDR FILE with --uuid or --service)');
    const address = parseAddress(addressText);
    const query = channelQuery(ch, args);
    const size = fileToRead(file, 'FILE').size;
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const channel = await resolveChannel(adapter, address, query);
      const sock = new BluetoothSocket(RFCOMM, { adapter, security });
      await sock.connect([address, channel]);
      const progress = new Progress(`sent`, size, process.stderr, logLevel() !== 'quiet');
      for await (const chunk of createReadStream(file, { highWaterMark: 16384 })) {
        await sock.sendall(chunk as Buffer);
        progress.add((chunk as Buffer).length);
      }
      await new Promise<void>((resolve) => sock.end(resolve));
      progress.finish();
      return 0;
    });
  },
};
