/**
 * Joins an RFCOMM socket to a byte stream pair (stdin/stdout for `connect` and `listen --stdio`, a
 * TCP connection for `bridge`). RFCOMM has no half-close (a DLC is open or gone), so when the input
 * ends (a pipe ran dry, a TCP client half-closed) the channel stays open until nothing has arrived
 * for `lingerMs`, so that replies to the last bytes still reach the output, and then closes
 * gracefully (DISC). When the channel closes the caller ends the output, which then carries
 * everything the channel delivered.
 */
import type { Readable, Writable } from 'node:stream';
import type { BluetoothSocket } from '../socket/index.js';

export const LINGER_MS = 1000;

/** Resolves undefined when the channel closed in order, or the error (link loss) that ended it. */
export function joinSocket(sock: BluetoothSocket, input: Readable, output: Writable, lingerMs = LINGER_MS): Promise<Error | undefined> {
  return new Promise((resolve) => {
    input.pipe(sock, { end: false });
    sock.pipe(output, { end: false });
    let timer: NodeJS.Timeout | undefined;
    const quiet = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => sock.end(), lingerMs);
    };
    const inputEnded = () => {
      quiet();
      sock.on('data', quiet);
    };
    input.once('end', inputEnded);
    const done = (error?: Error) => {
      if (timer) clearTimeout(timer);
      input.off('end', inputEnded);
      sock.off('data', quiet);
      input.unpipe(sock);
      input.pause();
      resolve(error);
    };
    sock.once('close', () => done());
    sock.once('error', (e) => done(e));
  });
}
