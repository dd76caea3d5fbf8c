/**
 * `btc listen [CHANNEL]`: an RFCOMM server with a Serial Port record. Echoes what it receives, or
 * with --stdio joins the first connection to stdin/stdout. A client's orderly close ends a
 * connection normally; a lost link is reported, and with --once or --stdio makes the exit code 1.
 */
import { advertiseService, BluetoothSocket, isPeerClose, PORT_ANY, RFCOMM, SERIAL_PORT_CLASS, SERIAL_PORT_PROFILE } from '../../socket/index.js';
import { securityLevel, withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, flag, parseInteger, str, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { joinSocket } from '../join.js';
import { error as logError } from '../log.js';

export const listen: Command = {
  spec: {
    name: 'listen',
    usage: 'listen [CHANNEL] [--stdio] [--once] [--service-name NAME]',
    summary: 'RFCOMM server advertised as a serial port: echo, or stdin/stdout with --stdio',
    options: [
      { name: 'stdio', help: 'pipe the connection to stdin/stdout instead of echoing' },
      { name: 'once', help: 'exit after the first connection closes' },
      { name: 'service-name', value: 'NAME', help: 'SDP service name', default: 'Serial Port' },
      ...ADAPTER_OPTIONS,
      ...CHANNEL_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    const channel = parseServerChannel(args.positionals[0]);
    const stdio = flag(args, 'stdio');
    const security = securityLevel(args);
    return withAdapter(args, async (adapter) => {
      const server = new BluetoothSocket(RFCOMM, { adapter, security });
      server.bind(['', channel]);
      server.listen(1);
      advertiseService(server, str(args, 'service-name') ?? 'Serial Port', { serviceClasses: [SERIAL_PORT_CLASS], profiles: [SERIAL_PORT_PROFILE] });
      const port = server.getsockname()[1];
      const log = (line: string) => (stdio ? process.stderr : process.stdout).write(line + '\n');
      log(`Listening on ${adapter.address} RFCOMM channel ${port} (${adapter.transport})`);
      const once = flag(args, 'once') || stdio;
      let lost: Error | undefined;
      do {
        const [client, [addr, ch]] = await server.accept();
        log(`Accepted ${addr} on channel ${ch}`);
        lost = stdio ? await pipeStdio(client) : await echo(client, log);
        log(lost ? `Connection from ${addr} lost: ${lost.message}` : `Connection from ${addr} closed`);
      } while (!once);
      server.close();
      return lost ? 1 : 0;
    });
  },
};

/** Echoes until the client closes (resolves undefined) or the link is lost (resolves the error). */
async function echo(client: BluetoothSocket, log: (s: string) => void): Promise<Error | undefined> {
  let total = 0;
  let lost: Error | undefined;
  try {
    for (;;) {
      const data = await client.recv(1024);
      if (data.length === 0) break;
      total += data.length;
      await client.sendall(data);
    }
  } catch (error) {
    if (!isPeerClose(error)) lost = error as Error;
  } finally {
    client.close();
  }
  log(`Echoed ${total} byte(s)`);
  return lost;
}

/** The RFCOMM server channel to bind: 1–30, or PORT_ANY (0) when omitted. */
export function parseServerChannel(text: string | undefined): number {
  return text === undefined ? PORT_ANY : parseInteger(text, 'CHANNEL (omit it for any free channel)', 1, 30);
}

/** Joins a connected socket to stdin/stdout (src/cli/join.ts); a link loss is reported on stderr. */
export async function pipeStdio(sock: BluetoothSocket): Promise<Error | undefined> {
  const lost = await joinSocket(sock, process.stdin, process.stdout);
  if (lost) logError(lost.message);
  return lost;
}
