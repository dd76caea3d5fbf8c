/**
 * V8 settings for `btc decode`, set when the command is chosen and before its modules load
 * (commands/index.ts): a decode is a run of a second or two that allocates a lot and keeps little.
 * Each setting is read by V8 at every collection or compilation, so setting it at run time takes
 * effect; each measured better on its own (docs/performance.md, "Decoding captures"):
 *
 * - `--semi-space-growth-factor=1`: the young generation stays at its start size (two 1 MiB
 *   semi-spaces) instead of doubling up to 16 MiB as objects survive its collections. Set after
 *   the modules have loaded, it comes too late: loading them already grows it once.
 * - `--heap-growing-percent=20`: the old generation is collected once it has grown by a fifth of
 *   what was live (V8 keeps a floor of a few MiB) instead of up to four times it. With the first,
 *   peak RSS on a 760,000-packet file went from 114 to 62–65 MiB.
 * - `--no-turbo-inlining`: each hot function is optimised alone, sooner and in a smaller
 *   compilation, which is what a short run wants: 14 % less CPU on a 76,000-packet capture.
 * - `--no-concurrent-marking`, `--no-parallel-scavenge`: the collector works on this thread
 *   rather than handing over to helper threads, which on 2 busy cores cost more than they saved.
 */
import { setFlagsFromString } from 'node:v8';

export const DECODE_V8_FLAGS = [
  '--semi-space-growth-factor=1',
  '--heap-growing-percent=20',
  '--no-turbo-inlining',
  '--no-concurrent-marking',
  '--no-parallel-scavenge',
] as const;

export function applyDecodeV8Settings(): void {
  for (const flag of DECODE_V8_FLAGS) setFlagsFromString(flag);
}
