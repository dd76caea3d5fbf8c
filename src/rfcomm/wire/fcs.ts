/**
 * RFCOMM frame check sequence: the TS 07.10 CRC-8 (TS 07.10 §5.2.1.6 and Annex B; RFCOMM 1.2 §5.1.1).
 *
 * Polynomial x^8 + x^2 + x + 1, processed least significant bit first (reversed form 0xE0), register
 * initialised to 0xFF; the transmitted FCS is the ones' complement (0xFF − crc). A receiver runs the
 * same CRC over the covered octets followed by the received FCS and expects the constant 0xCF.
 *
 * Coverage (RFCOMM 1.2 §5.1.1, erratum on UIH): address + control for UIH; address + control +
 * length for SABM, UA, DM and DISC; for UI (TS 07.10 §5.3.6) the information field as well. The
 * credit octet and a UIH information field are never covered. `frame.ts` picks the octets.
 */

/** One table step per octet: TABLE[crc ^ octet] is the next register value. */
const TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xe0 : crc >>> 1;
    t[i] = crc;
  }
  return t;
})();

/** The register value a receiver expects after running the CRC over covered octets plus the FCS. */
export const FCS_GOOD = 0xcf;

/** The CRC register after one more octet (`crcStep(0xff, first)` starts a frame). */
export function crcStep(crc: number, octet: number): number {
  return TABLE[crc ^ octet];
}

/** The raw CRC register over `bytes[start, end)`, starting from `init` (0xFF for a new frame). */
export function crc8(bytes: Uint8Array, start = 0, end = bytes.length, init = 0xff): number {
  let crc = init;
  for (let i = start; i < end; i++) crc = TABLE[crc ^ bytes[i]];
  return crc;
}

/** The FCS octet to transmit for the covered octets `bytes[start, end)`. */
export function computeFcs(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return 0xff - crc8(bytes, start, end);
}

/** True when `fcs` is the right FCS for the covered octets `bytes[start, end)`. */
export function checkFcs(bytes: Uint8Array, start: number, end: number, fcs: number): boolean {
  return TABLE[crc8(bytes, start, end) ^ fcs] === FCS_GOOD;
}
