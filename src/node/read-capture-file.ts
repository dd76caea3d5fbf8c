/**
 * Reads a capture file from disk with bounded memory: chunks of READ_CHUNK_BYTES go from a file
 * handle straight into the streaming parser's buffer (capture-parser.ts), and the events parsed
 * from each chunk come out as one batch. Memory is the parser's buffer (one record plus one chunk)
 * and one batch of events, whatever the file size.
 *
 * ```ts
 * const file = await CaptureFile.open('big.log');      // DecodeError when it is not a capture
 * for await (const events of file.batches()) for (const e of events) …
 * ```
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureParser, DETECT_BYTES, type CaptureEvent } from '../trace/index.js';
import { detectCaptureFormat, type CaptureFormat } from '../trace/index.js';

export const READ_CHUNK_BYTES = 256 * 1024;

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

  /** The events of the file, a batch per chunk read; closes the file at the end (or on `return`). */
  async *batches(): AsyncGenerator<CaptureEvent[]> {
    try {
      for (;;) {
        const events: CaptureEvent[] = [];
        for (let e = this.parser.next(); e; e = this.parser.next()) events.push(e);
        if (events.length > 0) yield events;
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
