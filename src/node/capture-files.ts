/**
 * File helpers around the pure capture codecs (with read-capture-file.ts, the part of src/trace
 * that touches node:fs). `BtsnoopFileRecorder` and `PcapngFileRecorder` are the driver's packet
 * sinks: they record every H4 packet crossing the transport into a file that Wireshark opens
 * (btsnoop also in `btmon -r`).
 */
import { closeSync, createWriteStream, openSync, readFileSync, readSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { ArgumentError } from '../core/index.js';
import {
  BTSNOOP_DATALINK,
  BTSNOOP_HEADER_LENGTH,
  BtsnoopWriter,
  decodeBtsnoopHeader,
  type BtsnoopRecordInput,
  type BtsnoopWriteDatalink,
} from '../trace/index.js';
import type { CaptureDirection } from '../trace/index.js';
import { PcapngWriter } from '../trace/index.js';
import { readCaptureWithStats, type ReadCaptureOptions } from '../trace/index.js';

/** Reads a capture file of any supported format (see read-capture.ts). */
export function readCaptureFile(path: string, options?: ReadCaptureOptions): ReturnType<typeof readCaptureWithStats> {
  return readCaptureWithStats(new Uint8Array(readFileSync(path)), options);
}

/** Writes a whole btsnoop file at once. */
export function writeBtsnoopFile(path: string, records: Iterable<BtsnoopRecordInput>, datalink?: BtsnoopWriteDatalink): void {
  writeFileSync(path, BtsnoopWriter.encodeFile(records, datalink));
}

export interface BtsnoopFileRecorderOptions {
  /** 1002 (H4, default) or 1001. */
  datalink?: BtsnoopWriteDatalink;
  /** Keep an existing btsnoop file of the same datalink and add to its end (default: replace it). */
  append?: boolean;
  /** Wall-clock microseconds since the Unix epoch (default `Date.now() * 1000`). */
  wallClockUs?: () => number;
}

function existingHeaderLength(path: string, datalink: BtsnoopWriteDatalink): number {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  const head = new Uint8Array(BTSNOOP_HEADER_LENGTH);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const header = decodeBtsnoopHeader(head);
  if (header.datalink !== datalink) {
    throw new ArgumentError(`${path} is a btsnoop file of datalink ${header.datalink}, not ${datalink}: cannot append to it`);
  }
  return BTSNOOP_HEADER_LENGTH;
}

/** What a recorder writes with: the file header once, then one byte string per packet. */
interface PacketWriter {
  header(): Uint8Array;
  write(direction: CaptureDirection, h4: Uint8Array, timestampUs?: number): Uint8Array;
}

/**
 * Appends packets to a capture file as they happen. `record` never throws (a write error is kept
 * and reported by `close`). Timestamps: the driver's monotonic milliseconds, anchored to the wall
 * clock at the first packet, so relative times are exact and absolute times are close.
 */
export class CaptureFileRecorder {
  private anchor: { ms: number; wallUs: number } | undefined;
  private error: Error | undefined;
  private closed = false;
  packets = 0;

  protected constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly writer: PacketWriter,
    headerPresent: boolean,
    private readonly wallClockUs: () => number,
  ) {
    stream.on('error', (e) => {
      this.error ??= e;
    });
    if (!headerPresent) stream.write(this.writer.header());
  }

  protected static async openStream(path: string, append: boolean): Promise<WriteStream> {
    const stream = createWriteStream(path, { flags: append ? 'a' : 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  /** Records one packet; `timestampMs` is the driver's monotonic clock. */
  record(direction: CaptureDirection, h4: Uint8Array, timestampMs: number): void {
    if (this.closed || this.error) return;
    this.anchor ??= { ms: timestampMs, wallUs: this.wallClockUs() };
    const timestampUs = this.anchor.wallUs + Math.round((timestampMs - this.anchor.ms) * 1000);
    try {
      this.stream.write(this.writer.write(direction, h4, timestampUs));
      this.packets++;
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Flushes and closes the file; rejects with the first write error, if any. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.error) throw this.error;
  }
}

const systemWallClockUs = (): number => Date.now() * 1000;

/** Records into a btsnoop file (Wireshark, `btmon -r`). */
export class BtsnoopFileRecorder extends CaptureFileRecorder {
  static async create(path: string, options: BtsnoopFileRecorderOptions = {}): Promise<BtsnoopFileRecorder> {
    const datalink = options.datalink ?? BTSNOOP_DATALINK.HCI_UART_H4;
    const headerPresent = options.append ? existingHeaderLength(path, datalink) > 0 : false;
    const stream = await CaptureFileRecorder.openStream(path, options.append ?? false);
    const writer = new BtsnoopWriter({ datalink, headerWritten: headerPresent });
    return new BtsnoopFileRecorder(path, stream, writer, headerPresent, options.wallClockUs ?? systemWallClockUs);
  }
}

/** Records into a pcapng file of LINKTYPE 201 (pcapng-writer.ts); an existing file is replaced. */
export class PcapngFileRecorder extends CaptureFileRecorder {
  static async create(path: string, options: { wallClockUs?: () => number } = {}): Promise<PcapngFileRecorder> {
    const stream = await CaptureFileRecorder.openStream(path, false);
    return new PcapngFileRecorder(path, stream, new PcapngWriter(), false, options.wallClockUs ?? systemWallClockUs);
  }
}

/**
 * Writes a pcapng file as fast as packets come (`btc decode IN --pcapng OUT`), with backpressure:
 * `write` returns a promise only when the file's stream is full, to be awaited before the next.
 */
export class PcapngFileWriter {
  private readonly writer = new PcapngWriter();
  private error: Error | undefined;
  packets = 0;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (e) => {
      this.error ??= e;
    });
    stream.write(this.writer.header());
  }

  static async create(path: string): Promise<PcapngFileWriter> {
    const stream = createWriteStream(path);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new PcapngFileWriter(path, stream);
  }

  write(direction: CaptureDirection, h4: Uint8Array, timestampUs?: number): Promise<void> | undefined {
    if (this.error) throw this.error;
    this.packets++;
    if (this.stream.write(this.writer.write(direction, h4, timestampUs))) return undefined;
    return new Promise((resolve) => this.stream.once('drain', resolve));
  }

  /** Flushes and closes the file; rejects with the first write error, if any. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.error) throw this.error;
  }
}
