/**
 * Waiting on a condition instead of on the clock, for tests that run in real time (sockets, btvirt):
 * a test that sleeps a fixed time and then checks that something has not happened yet passes
 * vacuously on a fast machine and fails on a loaded one. Wait until the state that makes the check
 * meaningful holds, then check.
 */
import type { DlcInfo } from '../../src/rfcomm/index.js';
import type { Stack } from '../../src/stack/stack.js';

/** Resolves once `cond()` holds, looking again every few milliseconds; rejects naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`still no ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The RFCOMM channels of `stack` (RfcommManager numbers its DLCs 1, 2, … and forgets closed ones). */
export function rfcommChannels(stack: Stack, highestId = 1024): DlcInfo[] {
  const out: DlcInfo[] = [];
  for (let id = 1; id <= highestId; id++) {
    const info = stack.rfcomm.dlcInfo(id);
    if (info) out.push(info);
  }
  return out;
}

/**
 * True once a peer writing to `receiver` has spent every RFCOMM credit `receiver` gave it while the
 * reader took none of the data: nothing more can arrive until the application reads, so a writer of
 * more than the window is held back from now on, however fast or slow the machine.
 */
export function senderOutOfCredits(receiver: Stack): boolean {
  return rfcommChannels(receiver).some((d) => d.open && d.rxCredits === 0 && d.rxUnconsumed > 0);
}
