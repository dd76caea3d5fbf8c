/**
 * Standard output for commands that print a lot (`btc decode`): text is gathered into batches of
 * about BATCH_CHARS characters and written in one call each; a batch waits while the pipe is
 * full, so memory stays bounded whatever the reader's pace. Each wait takes its 'drain', 'close'
 * and 'error' listeners off the stream again, whichever ends it. A reader that goes away
 * (`btc decode F | head`) ends the command quietly, as `EPIPE` ends Unix tools, instead of
 * crashing it.
 */
import type { Writable } from 'node:stream';

/**
 * Small enough that a batch is written before V8's next young-generation collection or the one
 * after: a batch still held then is moved to the old generation, which then grows until a full
 * collection (64 Ki characters cost `btc decode` a third more CPU and more memory than 16 Ki;
 * docs/performance.md, "Decoding captures").
 */
export const BATCH_CHARS = 16 * 1024;

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
  /** The batch: appended to piece by piece, so V8 keeps it as a rope until it is written. */
  private batch = '';
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
    this.batch += text;
    return this.batch.length >= this.batchChars;
  }

  /** Writes the batch; resolves once the stream can take more, rejects with OutputClosed when nobody reads. */
  async flush(): Promise<void> {
    this.check();
    if (this.batch.length === 0) return;
    const text = this.batch;
    this.batch = '';
    if (!this.stream.write(text)) await writable(this.stream);
    this.check();
  }

  private check(): void {
    if (this.error) throw this.error;
    if (this.closed || this.stream.destroyed) throw new OutputClosed();
  }
}
