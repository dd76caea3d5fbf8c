/**
 * Sessions recorded over btvirt (BlueZ's emulated controllers, `btvirt -s -l0`), for the
 * whole-stack replays: two Adapters in one process, each on its own emulated BR/EDR controller
 * through the unix socket, with the Driver and the real clock, as a user runs them. What the
 * controllers answered (btvirt's own HCI implementation, not this project's virtual controller)
 * and when is in each log; the replay needs no btvirt.
 *
 *   btvirt-demo   SDP finds the Serial Port service, RFCOMM connects, "Hello, world!" is echoed,
 *                 the client closes, both adapters close
 *
 * `npx tsx test/replay/record-sessions.ts` records them too when btvirt is installed.
 */
import { Adapter, BluetoothSocket, advertiseService, findService, RFCOMM, PORT_ANY, SERIAL_PORT_CLASS } from '../../src/socket/index.js';
import type { Stack } from '../../src/stack/stack.js';
import { recordStacksAsync, type SessionLog } from './support/session-log.js';

export interface BtvirtSession {
  readonly name: string;
  readonly note: string;
  /** Runs the session between two adapters on `spec` (an `h4:unix:` spec of a btvirt). */
  readonly run: (client: Adapter, server: Adapter) => Promise<void>;
}

const HELLO = 'Hello, world!';

export const BTVIRT_SESSIONS: readonly BtvirtSession[] = [
  {
    name: 'btvirt-demo',
    note: 'over btvirt: SDP finds the Serial Port service, RFCOMM connects, "Hello, world!" is echoed, the client closes, both adapters close',
    async run(client, server) {
      const listener = new BluetoothSocket(RFCOMM, { adapter: server });
      listener.bind(['', PORT_ANY]);
      listener.listen(1);
      advertiseService(listener, 'Echo', { serviceClasses: [SERIAL_PORT_CLASS] });
      const accepted = listener.accept();
      const [found] = await findService({ adapter: client, address: server.address, uuid: SERIAL_PORT_CLASS });
      if (!found?.port) throw new Error('the Serial Port service was not found over btvirt');
      const sock = new BluetoothSocket(RFCOMM, { adapter: client });
      await sock.connect([server.address, found.port]);
      const [conn] = await accepted;
      await sock.send(Buffer.from(HELLO));
      let got = '';
      while (got.length < HELLO.length) got += (await conn.recv(1024)).toString();
      await conn.send(Buffer.from(got));
      let echoed = '';
      while (echoed.length < HELLO.length) echoed += (await sock.recv(1024)).toString();
      if (echoed !== HELLO) throw new Error(`the echo came back as ${JSON.stringify(echoed)}`);
      await sock.close();
      await conn.close();
      await listener.close();
    },
  },
];

/** Records `session` between two adapters on the btvirt at `socket`; client and server logs. */
export async function recordBtvirtSession(session: BtvirtSession, socket: string): Promise<{ client: SessionLog; server: SessionLog }> {
  let stacks: [Stack, Stack] | undefined;
  const logs = await recordStacksAsync(async () => {
    const server = await Adapter.open(`h4:unix:${socket}`);
    const client = await Adapter.open(`h4:unix:${socket}`);
    try {
      stacks = [client.stack, server.stack];
      await session.run(client, server);
    } finally {
      await client.close();
      await server.close();
    }
  });
  const log = (role: string, stack: Stack): SessionLog => ({
    header: { session: session.name, role, options: stack.options, note: session.note },
    lines: logs.get(stack) ?? [],
  });
  const [client, server] = stacks!;
  return { client: log('client', client), server: log('server', server) };
}
