/**
 * The default Set Event Mask (Core v5.4 Vol 4 Part E §7.3.1): bit n − 1 enables the event with code
 * n, for every event in the event table (so every Secure Simple Pairing event is on). Command
 * Complete, Command Status and Number Of Completed Packets cannot be masked; their bits stay 0.
 */
import { EVENT_LIST } from './wire/event.js';
import { EVENT_CODE } from './wire/constants.js';

const UNMASKABLE: ReadonlySet<number> = new Set([EVENT_CODE.COMMAND_COMPLETE, EVENT_CODE.COMMAND_STATUS, EVENT_CODE.NUMBER_OF_COMPLETED_PACKETS]);

export function defaultEventMask(): Uint8Array {
  const mask = new Uint8Array(8);
  for (const { code } of EVENT_LIST) {
    if (UNMASKABLE.has(code) || code < 1 || code > 64) continue;
    const bit = code - 1;
    mask[bit >> 3] |= 1 << (bit & 7);
  }
  return mask;
}
