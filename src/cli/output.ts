/**
 * Standard output for commands that print a lot (`btc decode`): text is gathered into batches of
 * about BATCH_CHARS characters and written in one call each; a batch waits while the pipe is
 * full, so memory stays bounded whatever the reader's pace. Each wait takes its 'drain', 'close'
 * and 'error' listeners off the stream again, whichever ends it. A reader that goes away
 * (`btc decode F | head`) ends the command quietly, as `EPIPE` ends Unix tools, instead of
 * crashing it.
 */
import type { Writable } from 'node:stream';

export const BATCH_CHARS = 64 * 1024;

/** The reader of standard output closed it; the command should stop writing. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output was closed by its reader');
  }
}

/** Resolves when `stream` can take more (or closed), rejects on an error other than EPIPE; leaves no listener behind. */
function writable(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      off();
      resolve();
    };
    const failed = (error: NodeJS.ErrnoException): void => {
      off();
      if (error.code === 'EPIPE') resolve();
      else reject(error);
    };
    const off = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', failed);
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', failed);
  });
}

export class BatchedOutput {
  private parts: string[] = [];
  private size = 0;
  private closed = false;
  private error: Error | undefined;

  constructor(
    private readonly stream: Writable = process.stdout,
    private readonly batchChars = BATCH_CHARS,
  ) {
    // Kept for the life of the stream: a write after the reader left must not crash the process.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else this.error ??= error;
    });
  }

  /** Adds text; true when the batch is full and `flush()` should be awaited. */
  add(text: string): boolean {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= this.batchChars;
  }

  /** Writes the batch; resolves once the stream can take more, rejects with OutputClosed when nobody reads. */
  async flush(): Promise<void> {
    this.check();
    if (this.size === 0) return;
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text)) await writable(this.stream);
    this.check();
  }

  private check(): void {
    if (this.error) throw this.error;
    if (this.closed || this.stream.destroyed) throw new OutputClosed();
  }
}
