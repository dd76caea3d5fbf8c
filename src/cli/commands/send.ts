/** `btc send ADDR CHANNEL FILE`: sends a file's bytes over RFCOMM with progress and throughput. */
import { createReadStream } from 'node:fs';
import { BluetoothSocket, RFCOMM } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { fileToRead } from '../paths.js';
import { Progress } from '../progress.js';
import { parseChannel } from './connect.js';

export const send: Command = {
  spec: {
    name: 'send',
    usage: 'send ADDR CHANNEL FILE',
    summary: 'send a file over RFCOMM, with a progress bar and throughput',
    options: [...ADAPTER_OPTIONS, ...CHANNEL_OPTIONS],
  },
  async run(args: Parsed): Promise<number> {
    const [address, ch, file] = args.positionals;
    if (!address || !ch || !file) throw new UsageError('send needs ADDR CHANNEL FILE');
    const channel = parseChannel(ch);
    const size = fileToRead(file, 'FILE').size;
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const sock = new BluetoothSocket(RFCOMM, { adapter, security });
      await sock.connect([address, channel]);
      const progress = new Progress(`sent`, size);
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
