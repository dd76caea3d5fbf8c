/**
 * Supported_Commands, the return parameter of Read Local Supported Commands (Core v5.4 Vol 4 Part E
 * §7.4.2, bit table in §6.27): 64 octets, one bit per command, "octet N bit B". A host sends an
 * optional command only when the controller sets its bit. The table holds the commands whose
 * support the host checks before sending them.
 */
import type { CommandName } from './command.js';

/** [octet, bit] of each command whose support the host checks (§6.27). */
export const SUPPORTED_COMMAND_BITS = {
  'Read Encryption Key Size': [20, 4],
} as const satisfies Partial<Record<CommandName, readonly [number, number]>>;

export type CheckedCommandName = keyof typeof SUPPORTED_COMMAND_BITS;

/** True when `supportedCommands` sets the bit of `name`; false when it is clear or the table is too short to hold it. */
export function isCommandSupported(supportedCommands: Uint8Array, name: CheckedCommandName): boolean {
  const [octet, bit] = SUPPORTED_COMMAND_BITS[name];
  return octet < supportedCommands.length && (supportedCommands[octet] & (1 << bit)) !== 0;
}
