/**
 * Byte helpers shared by every codec: little- and big-endian integers, hex, concatenation and two
 * cursors. `ByteReader` throws `DecodeError` when a read would pass the end of its window (or the
 * window lies outside the array), so decoders built on it are total (DESIGN.md rule 5).
 * `ByteWriter` throws `ArgumentError` when a write would pass the end of its array: an output
 * buffer smaller than the codec's `xLength` is the caller's mistake, never a silent truncation.
 * The plain `u16le`… readers and `putU16le`… writers do no bounds checks.
 *
 * Ownership of received bytes (DESIGN.md rule 10, docs/layers.md "Bytes and ownership"): the
 * byte fields a decoder returns (`bytesN`, `rest`) are views of the bytes it was given, not
 * copies. Received bytes travel from the transport's chunk to the application as such views; no
 * layer ever writes into bytes it received, and a transport hands over chunks it will not reuse.
 * A view stays valid and unchanged for as long as its holder keeps it (it keeps the whole chunk
 * alive: whoever keeps received bytes for long copies them).
 */
import { ArgumentError, DecodeError } from './errors.js';

export function u16le(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}
export function u16be(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function u32le(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}
export function u32be(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}
export function putU16le(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}
export function putU16be(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
export function putU32le(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}
export function putU32be(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex; with a separator, e.g. `hex(b, ' ')` → `03 3f 01 1c`. */
export function hex(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : '') + HEX[b[i]];
  return s;
}

/**
 * Parses hex, ignoring whitespace, colons and dashes. Throws `DecodeError` naming the first
 * character that is not a hex digit (offset = its index in `s`), or the odd digit count.
 */
export function fromHex(s: string): Uint8Array {
  const bad = /[^0-9a-fA-F\s:-]/.exec(s);
  if (bad) {
    throw new DecodeError('core', 'hex string', bad.index, `${JSON.stringify(bad[0])} is not a hex digit (in ${JSON.stringify(s.slice(0, 40))})`);
  }
  const clean = s.replace(/[\s:-]/g, '');
  if (clean.length % 2 !== 0) {
    throw new DecodeError('core', 'hex string', s.length, `odd number of hex digits (${clean.length}) in ${JSON.stringify(s.slice(0, 40))}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/**
 * `bytes[start, end)` as a new `Uint8Array` over the same memory: what `subarray` returns, made
 * directly on the buffer (half its cost, and a plain Uint8Array even when `bytes` is a Node Buffer),
 * for the data path, where one is made per packet.
 */
export function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}
export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** A read cursor over a byte array. Every read past the end throws `DecodeError`. */
export class ByteReader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly layer: string,
    readonly structure: string,
    offset = 0,
    readonly end = bytes.length,
  ) {
    this.offset = offset;
    if (!(Number.isInteger(offset) && Number.isInteger(end) && 0 <= offset && offset <= end && end <= bytes.length)) {
      this.fail(`window [${offset}, ${end}) lies outside the ${bytes.length}-byte array`);
    }
  }
  get remaining(): number {
    return this.end - this.offset;
  }
  fail(reason: string, at = this.offset): never {
    throw new DecodeError(this.layer, this.structure, at, reason);
  }
  need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`${what} needs ${n} byte(s), ${this.remaining} left`);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytes[this.offset++];
  }
  u16le(what = 'u16'): number {
    this.need(2, what);
    const v = u16le(this.bytes, this.offset);
    this.offset += 2;
    return v;
  }
  u16be(what = 'u16'): number {
    this.need(2, what);
    const v = u16be(this.bytes, this.offset);
    this.offset += 2;
    return v;
  }
  u24le(what = 'u24'): number {
    this.need(3, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
  }
  u32le(what = 'u32'): number {
    this.need(4, what);
    const v = u32le(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }
  u32be(what = 'u32'): number {
    this.need(4, what);
    const v = u32be(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }
  /** The next `n` bytes, as a view (see "Ownership" above). */
  bytesN(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = view(this.bytes, this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** Everything left in the window, as a view. */
  rest(): Uint8Array {
    return this.bytesN(this.remaining);
  }
  /** Throws unless every byte was consumed. */
  done(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} trailing byte(s)`);
  }
}

/**
 * Where an encoder writes its octets in order: a contiguous array (`ByteWriter`), or the buffer of
 * an outgoing ACL packet set, which skips the H4 and ACL headers between fragments
 * (`AclTxPdu` in src/hci), so that a frame is written once, headers and payload, into the bytes
 * that go to the transport (DESIGN.md rule 10).
 */
export interface ByteSink {
  u8(v: number): unknown;
  u16le(v: number): unknown;
  u16be(v: number): unknown;
  put(b: Uint8Array): unknown;
}

/** A write cursor over a fixed-size array (sized by the codec's `xLength`). Writing past its end throws `ArgumentError`. */
export class ByteWriter implements ByteSink {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
  ) {
    if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
      throw new ArgumentError(`write offset ${offset} lies outside the ${bytes.length}-byte output buffer`);
    }
    this.offset = offset;
  }
  static alloc(n: number): ByteWriter {
    return new ByteWriter(new Uint8Array(n));
  }
  /** Throws unless `n` more bytes fit; returns the offset to write at and advances past them. */
  private take(n: number): number {
    const at = this.offset;
    if (n > this.bytes.length - at) {
      throw new ArgumentError(`writing ${n} byte(s) at offset ${at} passes the end of the ${this.bytes.length}-byte output buffer: size it with the codec's length function`);
    }
    this.offset = at + n;
    return at;
  }
  u8(v: number): this {
    this.bytes[this.take(1)] = v & 0xff;
    return this;
  }
  u16le(v: number): this {
    putU16le(this.bytes, this.take(2), v);
    return this;
  }
  u16be(v: number): this {
    putU16be(this.bytes, this.take(2), v);
    return this;
  }
  u24le(v: number): this {
    const at = this.take(3);
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >>> 8) & 0xff;
    this.bytes[at + 2] = (v >>> 16) & 0xff;
    return this;
  }
  u32le(v: number): this {
    putU32le(this.bytes, this.take(4), v);
    return this;
  }
  u32be(v: number): this {
    putU32be(this.bytes, this.take(4), v);
    return this;
  }
  put(b: Uint8Array): this {
    this.bytes.set(b, this.take(b.length));
    return this;
  }
  /** The written prefix. */
  result(): Uint8Array {
    return this.offset === this.bytes.length ? this.bytes : view(this.bytes, 0, this.offset);
  }
}
