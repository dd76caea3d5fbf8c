/**
 * Extended Inquiry Response data (Core v5.4 Vol 3 Part C §8, Core Specification Supplement Part A
 * §1): a sequence of `Length (1) | EIR_Data_Type (1) | data (Length − 1)` structures, ended by a
 * zero Length or the end of the 240 octets. Parsing is lenient and never throws: it stops at the
 * first structure that would run past the end.
 */
import { fromUtf8 } from '../../core/index.js';

export const EIR_TYPE = {
  FLAGS: 0x01,
  INCOMPLETE_LIST_16_BIT_SERVICE_UUIDS: 0x02,
  COMPLETE_LIST_16_BIT_SERVICE_UUIDS: 0x03,
  SHORTENED_LOCAL_NAME: 0x08,
  COMPLETE_LOCAL_NAME: 0x09,
  TX_POWER_LEVEL: 0x0a,
  MANUFACTURER_SPECIFIC_DATA: 0xff,
} as const;

export interface EirStructure {
  readonly type: number;
  readonly data: Uint8Array;
}

export function parseEir(b: Uint8Array): EirStructure[] {
  const out: EirStructure[] = [];
  let i = 0;
  while (i < b.length) {
    const len = b[i];
    if (len === 0 || i + 1 + len > b.length) break;
    out.push({ type: b[i + 1], data: b.subarray(i + 2, i + 1 + len) });
    i += 1 + len;
  }
  return out;
}

/** The Complete Local Name, else the Shortened Local Name, else undefined. */
export function eirName(b: Uint8Array): string | undefined {
  const s = parseEir(b);
  const name = s.find((x) => x.type === EIR_TYPE.COMPLETE_LOCAL_NAME) ?? s.find((x) => x.type === EIR_TYPE.SHORTENED_LOCAL_NAME);
  return name ? fromUtf8(name.data) : undefined;
}

/** Builds EIR data padded with zeros to `size` octets (240 for Write Extended Inquiry Response). */
export function buildEir(structures: readonly EirStructure[], size = 240): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  for (const s of structures) {
    if (i + 2 + s.data.length > size) break;
    out[i] = 1 + s.data.length;
    out[i + 1] = s.type;
    out.set(s.data, i + 2);
    i += 2 + s.data.length;
  }
  return out;
}
