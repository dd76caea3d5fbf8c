/** fast-check arbitraries for capture records. */
import fc from 'fast-check';
import type { BtsnoopRecordInput } from '../../src/trace/index.js';

const payload = fc.uint8Array({ minLength: 0, maxLength: 300 });
/** Microseconds since the Unix epoch, 1970–2100, plus the edges. */
const timestampUs = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4_102_444_800_000_000 }));

function h4(indicator: number) {
  return payload.map((p) => Uint8Array.from([indicator, ...p]));
}

/** Any H4 packet for datalink 1002: commands tx, events rx, data and vendor packets either way. */
export const h4Record: fc.Arbitrary<BtsnoopRecordInput> = fc.oneof(
  fc.record({ direction: fc.constant('tx' as const), h4: h4(0x01), timestampUs }),
  fc.record({ direction: fc.constant('rx' as const), h4: h4(0x04), timestampUs }),
  fc.record({ direction: fc.constantFrom('tx' as const, 'rx' as const), h4: fc.constantFrom(0x02, 0x03, 0x05, 0x07, 0xff).chain(h4), timestampUs }),
);

/** What datalink 1001 can hold: commands tx, events rx, ACL either way. */
export const unencapsulatedRecord: fc.Arbitrary<BtsnoopRecordInput> = fc.oneof(
  fc.record({ direction: fc.constant('tx' as const), h4: h4(0x01), timestampUs }),
  fc.record({ direction: fc.constant('rx' as const), h4: h4(0x04), timestampUs }),
  fc.record({ direction: fc.constantFrom('tx' as const, 'rx' as const), h4: h4(0x02), timestampUs }),
);
