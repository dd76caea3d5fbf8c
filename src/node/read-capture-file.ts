/**
 * Reads a capture file from disk with bounded memory: chunks of READ_CHUNK_BYTES go from a file
 * handle straight into the streaming parser's buffer (capture-parser.ts), and the events parsed
 * from each chunk come out as one batch, parsed as the caller iterates it. Memory is the parser's
 * buffer (one record plus one chunk) and the event in hand, whatever the file size.
 *
 * ```ts
 * const file = await CaptureFile.open('big.log');      // DecodeError when it is not a capture
 * for await (const events of file.batches()) for (let e = events.next(); e; e = events.next()) …
 * ```
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureParser, detectCaptureFormat, DETECT_BYTES, type CaptureEvent, type CaptureFormat } from '../trace/decoding.js';

export const READ_CHUNK_BYTES = 256 * 1024;

/** The events of one batch, parsed one at a time. */
export interface CaptureEvents {
  /** The next event of the batch, or undefined at its end. */
  next(): CaptureEvent | undefined;
}

export class CaptureFile {
  private readonly parser = new CaptureParser();
  private position = 0;
  private closed = false;
  /** The largest the parser's buffer grew to, in bytes. */
  peakBufferBytes = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly format: CaptureFormat,
    /** File size in bytes when opened. */
    readonly size: number,
  ) {}

  /** Opens the file and tells its format from its first bytes (DecodeError when it is none). */
  static async open(path: string): Promise<CaptureFile> {
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const head = new Uint8Array(Math.min(DETECT_BYTES, size));
      await handle.read(head, 0, head.length, 0);
      return new CaptureFile(path, handle, detectCaptureFormat(head), size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * The events of the file, a batch per chunk read; closes the file at the end (or on `return`). A
   * batch is parsed as it is read: `next()` gives its events one by one, then undefined. Read each
   * batch to its end (or leave the loop) before asking for the next: no array of events is built.
   */
  async *batches(): AsyncGenerator<CaptureEvents> {
    try {
      for (;;) {
        yield this.parser;
        if (this.ended) return;
        await this.readChunk();
      }
    } finally {
      await this.close();
    }
  }

  private ended = false;

  private async readChunk(): Promise<void> {
    if (this.ended) return;
    const room = this.parser.room(READ_CHUNK_BYTES);
    this.peakBufferBytes = Math.max(this.peakBufferBytes, this.parser.capacity);
    const { bytesRead } = await this.handle.read(room, 0, room.length, this.position);
    this.position += bytesRead;
    this.parser.commit(bytesRead);
    if (bytesRead === 0) {
      this.ended = true;
      this.parser.finish();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
