/**
 * Standard output for commands that print a lot (`btc decode`): writes wait while the pipe is full,
 * so memory stays bounded whatever the reader's pace, and a reader that goes away (`btc decode F |
 * head`) ends the command quietly, as `EPIPE` ends Unix tools, instead of crashing it.
 */
import { once } from 'node:events';

/** The reader of standard output closed it; the command should stop writing. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output was closed by its reader');
  }
}

let closed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  closed = true;
});

/** Writes `text`; resolves once the pipe can take more, rejects with OutputClosed when nobody reads. */
export async function writeOut(text: string): Promise<void> {
  if (closed) throw new OutputClosed();
  if (process.stdout.write(text)) return;
  try {
    await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'close')]);
  } catch (error) {
    // `once` rejects with the stream's 'error': EPIPE means the reader left.
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
  if (closed) throw new OutputClosed();
}
