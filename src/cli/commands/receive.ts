/**
 * `btc receive [CHANNEL] --out FILE`: accepts one RFCOMM connection and saves what arrives until
 * the sender closes the channel. A transfer cut off by a lost link (on btvirt and other byte
 * streams also a link ended because bytes were lost on the way), one with bytes dropped (for
 * breaking flow control, or in frames lost on the way), or one that is not the `--expect`ed size,
 * fails with exit code 1.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { advertiseService, BluetoothSocket, isPeerClose, RFCOMM } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, int, str, type Parsed } from '../args.js';
import { info, logLevel } from '../log.js';
import type { Command } from '../main.js';
import { fileToWrite } from '../paths.js';
import { Progress } from '../progress.js';
import { parseServerChannel } from './listen.js';

export const receive: Command = {
  spec: {
    name: 'receive',
    usage: 'receive [CHANNEL] --out FILE [--expect BYTES]',
    summary: 'receive one RFCOMM transfer into a file, with progress and throughput',
    options: [
      { name: 'out', value: 'FILE', help: 'where to write the bytes (- for stdout)', default: '-' },
      { name: 'expect', value: 'BYTES', help: 'fail unless exactly this many bytes arrive (the size of the file sent)' },
      ...ADAPTER_OPTIONS,
      ...CHANNEL_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    const channel = parseServerChannel(args.positionals[0]);
    const outName = str(args, 'out')!;
    if (outName !== '-') fileToWrite(outName, '--out');
    const expected = str(args, 'expect') === undefined ? undefined : int(args, 'expect', 0, 0);
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const server = new BluetoothSocket(RFCOMM, { adapter, security });
      server.bind(['', channel]);
      server.listen(1);
      advertiseService(server, 'btc receive');
      info(`Waiting on ${adapter.address} RFCOMM channel ${server.getsockname()[1]}`);
      const [sock, [addr]] = await server.accept();
      info(`Receiving from ${addr}`);
      const out = outName === '-' ? process.stdout : createWriteStream(outName);
      const progress = new Progress('received', expected, process.stderr, logLevel() !== 'quiet');
      let failure: Error | undefined;
      try {
        for (;;) {
          const data = await sock.recv(65536);
          if (data.length === 0) break;
          progress.add(data.length);
          if (!out.write(data)) await once(out, 'drain');
        }
      } catch (error) {
        // The sender closing the channel ends the transfer; anything else cuts it off.
        if (!isPeerClose(error)) failure = error as Error;
      }
      if (out !== process.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
      progress.finish();
      server.close();
      if (failure) throw new Error(`the transfer was cut off after ${progress.done} byte(s): ${failure.message}`, { cause: failure });
      if (sock.droppedBytes > 0) throw new Error(`${sock.droppedBytes} byte(s) were dropped (the sender broke RFCOMM flow control, or frames were lost on the way): the file has gaps`);
      if (expected !== undefined && progress.done !== expected) throw new Error(`incomplete transfer: ${progress.done} of the ${expected} byte(s) expected arrived`);
      return 0;
    });
  },
};
