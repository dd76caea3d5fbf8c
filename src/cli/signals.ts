/**
 * Ctrl-C (SIGINT) and `kill` (SIGTERM), the same for every command. The first signal runs what the
 * command registered with `onSignal` (`withAdapter` registers closing the sockets, so that the peer
 * sees an RFCOMM DISC, then the adapter, so that the links go down), and the command ends once that
 * is done; with nothing registered (`decode`, or before the adapter is open) the process exits at
 * once, as does a second signal. After a signal the exit code follows the shell: 128 + the signal's
 * number, 130 for SIGINT and 143 for SIGTERM.
 */
import { constants } from 'node:os';
import { clearProgressLine } from './progress.js';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const stops = new Set<() => void>();
let caught: StopSignal | undefined;

/** The shell's exit code for a process ended by `signal`. */
export function exitCodeAfter(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/** The signal that stopped the command, if one came. */
export function caughtSignal(): StopSignal | undefined {
  return caught;
}

/** Runs `stop` on the first SIGINT or SIGTERM (at once when one came already); returns a function
 * that unregisters it. */
export function onSignal(stop: () => void): () => void {
  if (caught) {
    stop();
    return () => undefined;
  }
  stops.add(stop);
  return () => stops.delete(stop);
}

/** Installs the handlers (main does, once). */
export function handleSignals(): void {
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (caught || stops.size === 0) process.exit(exitCodeAfter(signal));
      caught = signal;
      clearProgressLine();
      process.stderr.write(`\nbtc: ${signal}: closing the channels and the link (another ${signal === 'SIGINT' ? 'Ctrl-C' : signal} exits at once)\n`);
      for (const stop of [...stops]) stop();
    });
  }
}
