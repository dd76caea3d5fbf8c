/** `btc receive [CHANNEL] --out FILE`: accepts one RFCOMM connection and saves what arrives. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { advertiseService, BluetoothSocket, RFCOMM } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { str, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { Progress } from '../progress.js';
import { parseServerChannel } from './listen.js';

export const receive: Command = {
  spec: {
    name: 'receive',
    usage: 'receive [CHANNEL] --out FILE',
    summary: 'receive one RFCOMM transfer into a file, with progress and throughput',
    options: [{ name: 'out', value: 'FILE', help: 'where to write the bytes (- for stdout)', default: '-' }],
  },
  async run(args: Parsed): Promise<number> {
    const channel = parseServerChannel(args.positionals[0]);
    const outName = str(args, 'out')!;
    return withAdapter(args, async (adapter) => {
      const server = new BluetoothSocket(RFCOMM, { adapter, security: securityLevel(args) });
      server.bind(['', channel]);
      server.listen(1);
      advertiseService(server, 'btc receive');
      process.stderr.write(`Waiting on ${adapter.address} RFCOMM channel ${server.getsockname()[1]}\n`);
      const [sock, [addr]] = await server.accept();
      process.stderr.write(`Receiving from ${addr}\n`);
      const out = outName === '-' ? process.stdout : createWriteStream(outName);
      const progress = new Progress('received', undefined);
      try {
        for (;;) {
          const data = await sock.recv(65536);
          if (data.length === 0) break;
          progress.add(data.length);
          if (!out.write(data)) await once(out, 'drain');
        }
      } catch (error) {
        if ((error as { code?: string }).code !== 'ECONNRESET') throw error;
      }
      if (out !== process.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
      progress.finish();
      server.close();
      return 0;
    });
  },
};
