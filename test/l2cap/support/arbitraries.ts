/**
 * fast-check arbitraries for L2CAP wire types, generated from the codec tables
 * (`SIGNAL_SPECS`, `CONFIG_OPTION_SPECS`) so that every command and option is covered.
 * Integer fields mix uniform values with the boundaries 0, 47, 48, 672 and the maximum.
 */
import fc from 'fast-check';
import type { Field } from '../../../src/core/index.js';
import {
  CONFIG_OPTION_SPECS,
  type ConfigOption,
  type L2capSignal,
  SIGNAL_CODE,
  SIGNAL_SPECS,
} from '../../../src/l2cap/index.js';

const KNOWN_CODES = new Set<number>(Object.values(SIGNAL_CODE));
const KNOWN_OPTION_TYPES = new Set(CONFIG_OPTION_SPECS.map((s) => s.optionType));

function uint(max: number): fc.Arbitrary<number> {
  const edges = [0, 1, 47, 48, 127, 128, 255, 672, 0xffff, 0xffffffff].filter((v) => v <= max);
  return fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(...edges, max));
}

function fieldArb(f: Field, options: fc.Arbitrary<ConfigOption[]>): fc.Arbitrary<unknown> {
  switch (f.type.kind) {
    case 'uint':
      return uint(2 ** (8 * f.type.size) - 1);
    case 'rest':
      return fc.uint8Array({ maxLength: 64 });
    case 'list':
      return options;
    default:
      throw new Error(`no L2CAP table has a ${f.type.kind} field`);
  }
}

export const unknownOptionArb: fc.Arbitrary<ConfigOption> = fc.record({
  type: fc.constant('unknown' as const),
  hint: fc.boolean(),
  optionType: fc.integer({ min: 0, max: 0x7f }).filter((t) => !KNOWN_OPTION_TYPES.has(t)),
  data: fc.uint8Array({ maxLength: 40 }),
});

/** One arbitrary per known option type, plus unknown options. */
export const optionArbs: fc.Arbitrary<ConfigOption>[] = [
  ...CONFIG_OPTION_SPECS.map((spec) => {
    const rec: Record<string, fc.Arbitrary<unknown>> = { type: fc.constant(spec.type), hint: fc.boolean() };
    for (const f of spec.fields) rec[f.name] = fieldArb(f, fc.constant([]));
    return fc.record(rec) as fc.Arbitrary<ConfigOption>;
  }),
  unknownOptionArb,
];

export const configOptionArb: fc.Arbitrary<ConfigOption> = fc.oneof(...optionArbs);
export const configOptionsArb: fc.Arbitrary<ConfigOption[]> = fc.array(configOptionArb, { maxLength: 6 });

/** One arbitrary per signaling command in the table (data lengths consistent with the code). */
export const signalArbs: { name: string; arb: fc.Arbitrary<L2capSignal> }[] = SIGNAL_SPECS.map((spec) => {
  const rec: Record<string, fc.Arbitrary<unknown>> = { type: fc.constant(spec.type), identifier: uint(0xff) };
  for (const f of spec.fields) rec[f.name] = fieldArb(f, configOptionsArb);
  let arb = fc.record(rec) as fc.Arbitrary<Record<string, unknown>>;
  if (spec.dataLength) {
    const fixLength = spec.dataLength;
    arb = arb.chain((v) => {
      const n = fixLength(v);
      return n === undefined ? fc.constant(v) : fc.uint8Array({ minLength: n, maxLength: n }).map((data) => ({ ...v, data }));
    });
  }
  return { name: spec.name, arb: arb as unknown as fc.Arbitrary<L2capSignal> };
});

export const unknownSignalArb: fc.Arbitrary<L2capSignal> = fc.record({
  type: fc.constant('unknown' as const),
  code: fc.integer({ min: 0, max: 0xff }).filter((c) => !KNOWN_CODES.has(c)),
  identifier: uint(0xff),
  data: fc.uint8Array({ maxLength: 64 }),
});

export const signalArb: fc.Arbitrary<L2capSignal> = fc.oneof(...signalArbs.map((s) => s.arb), unknownSignalArb);
