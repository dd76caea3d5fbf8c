/**
 * Streaming capture reader, pure: bytes go in as they are read (`push`, or `room` + `commit` to
 * read straight into its buffer), events come out (`next`) as soon as a whole record is there.
 * The format is told from the first DETECT_BYTES bytes (read-capture.ts `detectCaptureFormat`).
 *
 * Memory: the buffer holds the unread part of the current record and what came after it, so it
 * never exceeds the largest record a format allows (framer.ts MAX_PACKET_BYTES, pcapng's
 * MAX_PCAPNG_BLOCK_BYTES) plus one read: whatever the file size. Bytes given to `push` while the
 * buffer is empty are read in place, not copied, and never written to.
 *
 * Events, in file order:
 *   record / skipped      as CaptureItem (capture-record.ts)
 *   damaged               a malformed record: its number, the byte offset of the bad field, why;
 *                         reading goes on where the format allows (see each framer), else ends
 *   resynchronised        after damage, where reading went on and how many bytes were passed over
 *   truncated             the file ended inside a record (its offset, what was missing)
 * A bad file header (magic, version, datalink) throws DecodeError: nothing can be read.
 */
import type { CaptureItem } from './capture-record.js';
import { STEP, type Framer, type StepOut } from './framer.js';
import { BtsnoopFramer } from './btsnoop.js';
import { PacketloggerFramer, packetloggerByteOrder } from './packetlogger.js';
import { PcapFramer } from './pcap.js';
import { PcapngFramer } from './pcapng.js';
import { detectCaptureFormat, type CaptureFormat } from './capture-format.js';

/** Bytes looked at to tell the format (PacketLogger's byte order needs a few whole records). */
export const DETECT_BYTES = 4096;

export type CaptureEvent =
  | CaptureItem
  | { readonly type: 'damaged'; readonly frame: number; readonly offset: number; readonly recordOffset: number; readonly reason: string }
  | { readonly type: 'resynchronised'; readonly offset: number; readonly skippedBytes: number };

const EMPTY = new Uint8Array(0);

function framerFor(format: CaptureFormat, head: Uint8Array): Framer {
  switch (format) {
    case 'btsnoop':
      return new BtsnoopFramer();
    case 'pcap':
      return new PcapFramer();
    case 'pcapng':
      return new PcapngFramer();
    case 'packetlogger':
      return new PacketloggerFramer(packetloggerByteOrder(head) ?? 'big');
  }
}

export class CaptureParser {
  private buffer: Uint8Array = EMPTY;
  /** The buffer is the caller's bytes (push into an empty parser): read only, never compacted in place. */
  private borrowed = false;
  private start = 0;
  private end = 0;
  /** File offset of buffer[0]. */
  private base = 0;
  private ended = false;
  private done = false;
  private framer: Framer | undefined;
  private detected: CaptureFormat | undefined;
  /** Set while looking for a record after damage: the file offset of the damaged record. */
  private resyncFrom: number | undefined;
  private readonly out: StepOut = { item: undefined, next: 0, need: 0, field: 0, frame: 0, reason: '' };

  /** The format, once enough bytes came to tell it (DecodeError from `next` when they do not). */
  get format(): CaptureFormat | undefined {
    return this.detected;
  }

  /** Bytes held: the unread part of the current record and what follows it. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Capacity of the buffer (what the parser's memory is). */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Adds bytes read from the file. */
  push(bytes: Uint8Array): void {
    if (this.ended) throw new Error('push after end()');
    if (bytes.length === 0) return;
    if (this.start === this.end && !this.borrowed) {
      this.base += this.end;
      this.buffer = bytes;
      this.borrowed = true;
      this.start = 0;
      this.end = bytes.length;
      return;
    }
    this.room(bytes.length).set(bytes);
    this.commit(bytes.length);
  }

  /** A free region of at least `size` bytes at the end of the buffer, to read into; then `commit`. */
  room(size: number): Uint8Array {
    if (this.borrowed || this.buffer.length - this.end < size) {
      const held = this.end - this.start;
      if (!this.borrowed && this.buffer.length >= held + size) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(held + size, 2 * size));
        next.set(this.buffer.subarray(this.start, this.end));
        this.buffer = next;
      }
      this.base += this.start;
      this.borrowed = false;
      this.start = 0;
      this.end = held;
    }
    return this.buffer.subarray(this.end, this.end + size);
  }

  /** `n` bytes were written into the region `room` gave. */
  commit(n: number): void {
    this.end += n;
  }

  /** No more bytes will come. */
  finish(): void {
    this.ended = true;
  }

  /** The next event, or undefined when more bytes are needed (or, after `finish`, when all is read). */
  next(): CaptureEvent | undefined {
    const out = this.out;
    for (;;) {
      if (this.done) return undefined;
      let framer = this.framer;
      if (!framer) {
        if (this.end - this.start < DETECT_BYTES && !this.ended) return undefined;
        const head = this.buffer.subarray(this.start, this.end);
        this.detected = detectCaptureFormat(head);
        framer = this.framer = framerFor(this.detected, head);
      }
      if (this.resyncFrom !== undefined) return this.resynchronise(framer, this.resyncFrom);
      if (this.start === this.end && this.ended) {
        this.done = true;
        return undefined;
      }
      const code = framer.step(this.buffer, this.start, this.end, out);
      if (code === STEP.ITEM) {
        this.start = out.next;
        return out.item as CaptureItem;
      }
      if (code === STEP.SKIP) {
        this.start = out.next;
        continue;
      }
      if (code === STEP.NEED) {
        if (!this.ended) return undefined;
        this.done = true;
        return { type: 'truncated', offset: this.base + this.start, reason: out.reason };
      }
      const event: CaptureEvent = { type: 'damaged', frame: out.frame, offset: this.base + out.field, recordOffset: this.base + this.start, reason: out.reason };
      if (out.next >= 0) this.start = out.next;
      else this.resyncFrom = this.base + this.start;
      return event;
    }
  }

  /** After damage: the next offset where a plausible record starts (framer.ts), or undefined for more bytes. */
  private resynchronise(framer: Framer, from: number): CaptureEvent | undefined {
    const step = framer.alignment;
    let at = Math.max(this.start, from - this.base + step);
    for (; at < this.end; at += step) {
      const length = framer.plausibleLength(this.buffer, at, this.end);
      if (length === 0 && !this.ended) break;
      if (length <= 0) continue;
      if (!framer.chained) return this.resumeAt(at, from);
      const after = at + length;
      if (after === this.end && this.ended) return this.resumeAt(at, from);
      const following = framer.plausibleLength(this.buffer, after, this.end);
      if (following === 0 && !this.ended) break;
      if (following > 0) return this.resumeAt(at, from);
    }
    if (at >= this.end && this.ended) {
      this.done = true;
      return undefined;
    }
    // The bytes before the candidate `at` are passed over; it is looked at again with more bytes.
    this.start = Math.min(at, this.end);
    return undefined;
  }

  private resumeAt(at: number, from: number): CaptureEvent {
    this.resyncFrom = undefined;
    this.start = at;
    return { type: 'resynchronised', offset: this.base + at, skippedBytes: this.base + at - from };
  }
}
