/**
 * The shared test of the codec contract (src/core/codec.ts, docs/layers.md "The codec contract"):
 * one call per codec, with an arbitrary of its values, checks
 *   - round trip: a value's encoding decodes, and the decoded value re-encodes to the same octets
 *     and describes the same;
 *   - totality: any octets decode to `{ ok: true }` or `{ ok: false, error: DecodeError }`, never a
 *     throw (random octets, and encodings with one octet changed);
 *   - every strict prefix of an encoding is an error;
 *   - a poisoned output buffer: written at an offset into a buffer pre-filled with a marker,
 *     nothing outside the written range changes, and the range holds the encoding whatever the
 *     buffer held before;
 *   - `encodedLength(v)` equals the octets `encodeInto` wrote and reported.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { type Codec, DecodeError, encodeWith, hex } from '../../../src/core/index.js';

export interface ContractOptions {
  /** fast-check runs per property (default 100). */
  readonly numRuns?: number;
  /** A value type whose prefixes may themselves be values (an H4 vendor packet has no length): skip that check for these. */
  readonly prefixMayDecode?: (value: unknown) => boolean;
}

const MARKER = 0xa5;

function expectTotal<T>(codec: Codec<T>, bytes: Uint8Array): void {
  let result;
  try {
    result = codec.decode(bytes);
  } catch (e) {
    throw new Error(`${codec.name}: decode threw on ${hex(bytes.subarray(0, 64))}${bytes.length > 64 ? '…' : ''}: ${String(e)}`, { cause: e });
  }
  if (!result.ok) expect(result.error).toBeInstanceOf(DecodeError);
}

export function roundTrips<T>(codec: Codec<T>, value: T): void {
  const bytes = encodeWith(codec, value);
  const result = codec.decode(bytes);
  if (!result.ok) throw new Error(`${codec.name}: its own encoding ${hex(bytes.subarray(0, 64))} does not decode: ${result.error.message}`);
  expect(hex(encodeWith(codec, result.value))).toBe(hex(bytes));
  expect(codec.describe(result.value)).toBe(codec.describe(value));
}

export function rejectsEveryStrictPrefix<T>(codec: Codec<T>, value: T): void {
  const bytes = encodeWith(codec, value);
  for (let n = 0; n < bytes.length; n++) {
    const result = codec.decode(bytes.subarray(0, n));
    if (result.ok) throw new Error(`${codec.name}: the ${n}-octet prefix of ${hex(bytes.subarray(0, 64))} decodes`);
    expect(result.error).toBeInstanceOf(DecodeError);
  }
}

export function keepsToItsRange<T>(codec: Codec<T>, value: T, before: number, after: number): void {
  const length = codec.encodedLength(value);
  const poisoned = new Uint8Array(before + length + after).fill(MARKER);
  const written = codec.encodeInto(value, poisoned, before);
  expect(written).toBe(length);
  for (let i = 0; i < before; i++) expect(poisoned[i]).toBe(MARKER);
  for (let i = before + written; i < poisoned.length; i++) expect(poisoned[i]).toBe(MARKER);
  const zeroed = new Uint8Array(length);
  expect(codec.encodeInto(value, zeroed, 0)).toBe(length);
  expect(hex(poisoned.subarray(before, before + written))).toBe(hex(zeroed));
}

/** Every property of the contract, over `arb`. */
export function checkCodecContract<T>(codec: Codec<T>, arb: fc.Arbitrary<T>, options: ContractOptions = {}): void {
  const numRuns = options.numRuns ?? 100;
  fc.assert(
    fc.property(arb, fc.nat({ max: 9 }), fc.nat({ max: 9 }), (value, before, after) => {
      roundTrips(codec, value);
      keepsToItsRange(codec, value, before, after);
      if (!options.prefixMayDecode?.(value)) rejectsEveryStrictPrefix(codec, value);
    }),
    { numRuns },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectTotal(codec, bytes)),
    { numRuns },
  );
  fc.assert(
    fc.property(arb, fc.nat(), fc.integer({ min: 1, max: 255 }), (value, at, flip) => {
      const bytes = encodeWith(codec, value);
      if (bytes.length === 0) return;
      bytes[at % bytes.length] ^= flip;
      expectTotal(codec, bytes);
    }),
    { numRuns },
  );
}
