/**
 * The one codec contract every wire type follows (DESIGN.md rules 4, 5 and 10; docs/layers.md,
 * "The codec contract").
 *
 * A wire type `T` (a discriminated union of plain readonly objects) has one `Codec<T>`:
 *
 *   encodedLength(v)            the exact number of octets `encodeInto` writes for `v`
 *   encodeInto(v, out, offset)  writes `v` at `offset` and returns the number of octets written
 *                               (never the end offset); writes nothing outside
 *                               [offset, offset + encodedLength(v)); throws `ArgumentError` for a
 *                               value that has no encoding or an `out` too small
 *   decode(bytes)               total: `{ ok: true, value }` or `{ ok: false, error }` for any
 *                               bytes, never a throw; exactly one value spanning all of `bytes`
 *                               (so every strict prefix of an encoding is an error)
 *   describe(v)                 one line for traces and logs
 *
 * Why `decode` returns a result rather than throwing: totality is then in the type, so a caller
 * that forgets the malformed case does not compile, and generic code (the trace describer, the
 * shared contract test, fuzzers) treats every codec alike. Each wire file keeps its `decodeX`
 * that throws `DecodeError`, for a decoder nested in another (an option list inside a signaling
 * command, a data element inside an SDP PDU), where the first failure must end the whole structure
 * with its offset; `decode` here is that function with the throw turned into a value. Anything
 * other than a `DecodeError` escaping a decoder is a bug and is not caught.
 *
 * Why `encodeInto` returns the octets written: a caller that lays several structures out in one
 * buffer adds it to its own cursor, and one that sized the buffer with `encodedLength` can check
 * it; an end offset would make both depend on where the caller started.
 */
import { ArgumentError, DecodeError } from './errors.js';

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };

export interface Codec<T> {
  /** What it codes, as error messages and test names say it (`'RFCOMM frame'`). */
  readonly name: string;
  encodedLength(value: T): number;
  encodeInto(value: T, out: Uint8Array, offset: number): number;
  decode(bytes: Uint8Array): DecodeResult<T>;
  describe(value: T): string;
}

/** The parts a wire file already has: its length, its `encodeXInto`, its throwing `decodeX`, its `describeX`. */
export interface CodecParts<T> {
  readonly name: string;
  readonly length: (value: T) => number;
  readonly encodeInto: (value: T, out: Uint8Array, offset: number) => number;
  readonly decode: (bytes: Uint8Array) => T;
  readonly describe: (value: T) => string;
}

export function defineCodec<T>(parts: CodecParts<T>): Codec<T> {
  return {
    name: parts.name,
    encodedLength: parts.length,
    encodeInto(value, out, offset) {
      const n = parts.length(value);
      if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
        throw new ArgumentError(`${parts.name}: ${n} octet(s) at offset ${offset} do not fit a ${out.length}-byte buffer: size it with encodedLength`);
      }
      return parts.encodeInto(value, out, offset);
    },
    decode: (bytes) => decodeResult(parts.decode, bytes),
    describe: parts.describe,
  };
}

/** Runs a throwing decoder and turns its `DecodeError` into a result; anything else is a bug and propagates. */
export function decodeResult<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array): DecodeResult<T> {
  try {
    return { ok: true, value: decode(bytes) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e };
    throw e;
  }
}

/** A new array holding `value`'s encoding. */
export function encodeWith<T>(codec: Codec<T>, value: T): Uint8Array {
  const out = new Uint8Array(codec.encodedLength(value));
  codec.encodeInto(value, out, 0);
  return out;
}
