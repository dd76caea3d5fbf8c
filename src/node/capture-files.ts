/**
 * File helpers around the pure capture codecs (with read-capture-file.ts, the part of src/trace
 * that touches node:fs). `BtsnoopFileRecorder` and `PcapngFileRecorder` are the driver's packet
 * sinks: they record every H4 packet crossing the transport into a file that Wireshark opens
 * (btsnoop also in `btmon -r`).
 */
import { closeSync, createWriteStream, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync, type WriteStream } from 'node:fs';
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

/** Octets of records held before they are written at once; below it they wait for the end of the event loop's turn. */
const FLUSH_BYTES = 64 * 1024;

/** Recorders with a file open: their held records are written when the process exits. */
const openRecorders = new Set<CaptureFileRecorder>();
let exitHooked = false;

/**
 * Appends packets to a capture file as they happen. `record` never throws (a write error is kept
 * and reported by `close`). Timestamps: the driver's monotonic milliseconds, anchored to the wall
 * clock at the first packet, so relative times are exact and absolute times are close.
 *
 * Records are held in memory and written by one synchronous write at the end of the event loop's
 * turn (or once 64 KiB are held), and at close and process exit: a file stream would hand every
 * packet to libuv's thread pool and wake the loop once more per packet, which put ≈0.7 ms on each
 * echo round trip over btvirt (docs/performance.md). A record is in the file by the time the
 * program next waits for I/O; only a process killed outright loses the records of that turn.
 */
export class CaptureFileRecorder {
  private anchor: { ms: number; wallUs: number } | undefined;
  private error: Error | undefined;
  private closed = false;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private flushing: NodeJS.Immediate | undefined;
  packets = 0;

  protected constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly writer: PacketWriter,
    headerPresent: boolean,
    private readonly wallClockUs: () => number,
  ) {
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        for (const r of openRecorders) r.flush();
      });
    }
    openRecorders.add(this);
    if (!headerPresent) this.hold(this.writer.header());
  }

  protected static openFile(path: string, append: boolean): number {
    return openSync(path, append ? 'a' : 'w');
  }

  /** Records one packet; `timestampMs` is the driver's monotonic clock. */
  record(direction: CaptureDirection, h4: Uint8Array, timestampMs: number): void {
    if (this.closed || this.error) return;
    this.anchor ??= { ms: timestampMs, wallUs: this.wallClockUs() };
    const timestampUs = this.anchor.wallUs + Math.round((timestampMs - this.anchor.ms) * 1000);
    this.hold(this.writer.write(direction, h4, timestampUs));
    this.packets++;
  }

  /** Flushes and closes the file; rejects with the first write error, if any. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    openRecorders.delete(this);
    try {
      closeSync(this.fd);
    } catch (e) {
      this.error ??= e instanceof Error ? e : new Error(String(e));
    }
    if (this.error) throw this.error;
  }

  private hold(bytes: Uint8Array): void {
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (this.heldBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushing) this.flushing = setImmediate(() => this.flush()).unref();
  }

  /** Writes what is held, in one write (the rest of a partial write follows at once). */
  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.heldBytes === 0) return;
    const bytes = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    if (this.error) return;
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    }
  }
}

const systemWallClockUs = (): number => Date.now() * 1000;

/** Records into a btsnoop file (Wireshark, `btmon -r`). */
export class BtsnoopFileRecorder extends CaptureFileRecorder {
  static async create(path: string, options: BtsnoopFileRecorderOptions = {}): Promise<BtsnoopFileRecorder> {
    const datalink = options.datalink ?? BTSNOOP_DATALINK.HCI_UART_H4;
    const headerPresent = options.append ? existingHeaderLength(path, datalink) > 0 : false;
    const fd = CaptureFileRecorder.openFile(path, options.append ?? false);
    const writer = new BtsnoopWriter({ datalink, headerWritten: headerPresent });
    return new BtsnoopFileRecorder(path, fd, writer, headerPresent, options.wallClockUs ?? systemWallClockUs);
  }
}

/** Records into a pcapng file of LINKTYPE 201 (pcapng-writer.ts); an existing file is replaced. */
export class PcapngFileRecorder extends CaptureFileRecorder {
  static async create(path: string, options: { wallClockUs?: () => number } = {}): Promise<PcapngFileRecorder> {
    const fd = CaptureFileRecorder.openFile(path, false);
    return new PcapngFileRecorder(path, fd, new PcapngWriter(), false, options.wallClockUs ?? systemWallClockUs);
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
