/**
 * Remote port negotiation as the responder does it (TS 07.10 §5.4.6.3.9; RFCOMM 1.2 §5.5.1), as a
 * pure function.
 *
 * An RPN command with values sets only the parameters whose mask bit is 1; every other parameter
 * keeps its current value. The response carries the resulting values and a mask with a 1 for each
 * parameter accepted. A masked bit rate above 230400 baud (code 8) is not accepted, nor is a mask
 * bit outside RPN_MASK_ALL (reserved); every other value of a masked field is accepted.
 *
 * Mask bit → field (bits of the value octets):
 *   BIT_RATE → baudRate; DATA_BITS → lineSettings 0–1; STOP_BITS → 2; PARITY → 3; PARITY_TYPE → 4–5;
 *   XON_XOFF_INPUT … RTC_OUTPUT → flowControl bits 0 … 5; XON_CHAR → xon; XOFF_CHAR → xoff.
 */
import { RPN_MASK, RPN_MASK_ALL, type RpnParams } from './wire/index.js';

/** The highest bit rate code (230400 baud). */
const MAX_BAUD_RATE = 8;

const LINE_BITS: readonly [number, number][] = [
  [RPN_MASK.DATA_BITS, 0x03],
  [RPN_MASK.STOP_BITS, 0x04],
  [RPN_MASK.PARITY, 0x08],
  [RPN_MASK.PARITY_TYPE, 0x30],
];

const FLOW_BITS: readonly [number, number][] = [
  [RPN_MASK.XON_XOFF_INPUT, 0x01],
  [RPN_MASK.XON_XOFF_OUTPUT, 0x02],
  [RPN_MASK.RTR_INPUT, 0x04],
  [RPN_MASK.RTR_OUTPUT, 0x08],
  [RPN_MASK.RTC_INPUT, 0x10],
  [RPN_MASK.RTC_OUTPUT, 0x20],
];

function merge(current: number, requested: number, mask: number, fields: readonly [number, number][]): number {
  let v = current;
  for (const [bit, bits] of fields) if (mask & bit) v = (v & ~bits) | (requested & bits);
  return v;
}

/**
 * Applies an RPN set request to the current settings: the new settings (mask = RPN_MASK_ALL, as
 * stored) and the parameters of the response (mask = the accepted bits).
 */
export function applyRpn(current: RpnParams, request: RpnParams): { settings: RpnParams; response: RpnParams } {
  let accepted = request.mask & RPN_MASK_ALL;
  if (request.baudRate > MAX_BAUD_RATE) accepted &= ~RPN_MASK.BIT_RATE;
  const settings: RpnParams = {
    baudRate: accepted & RPN_MASK.BIT_RATE ? request.baudRate : current.baudRate,
    lineSettings: merge(current.lineSettings, request.lineSettings, accepted, LINE_BITS),
    flowControl: merge(current.flowControl, request.flowControl, accepted, FLOW_BITS),
    xon: accepted & RPN_MASK.XON_CHAR ? request.xon : current.xon,
    xoff: accepted & RPN_MASK.XOFF_CHAR ? request.xoff : current.xoff,
    mask: RPN_MASK_ALL,
  };
  return { settings, response: { ...settings, mask: accepted } };
}
