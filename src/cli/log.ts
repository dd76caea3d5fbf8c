/**
 * How much the CLI says on stderr: one level for the whole process, set by `--quiet` / `--verbose`
 * on any command or by the environment variable `BTC_LOG` (`quiet`, `info`, `verbose`; the flags
 * win). `quiet` keeps errors and what a command exists to print (stdout); `info` (the default) adds
 * status lines (connected, listening, progress); `verbose` adds details and, for an error, its stack.
 */
import { UsageError } from './args.js';
import { clearProgressLine } from './progress.js';

export const LOG_LEVELS = ['quiet', 'info', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let level: LogLevel = 'info';

/** The level from the flags and `BTC_LOG`; an unknown `BTC_LOG` is a usage error. */
export function setLogLevel(flags: { quiet: boolean; verbose: boolean }, env = process.env.BTC_LOG): void {
  if (flags.quiet && flags.verbose) throw new UsageError('--quiet and --verbose contradict each other: give one');
  if (env !== undefined && env !== '' && !(LOG_LEVELS as readonly string[]).includes(env)) {
    throw new UsageError(`BTC_LOG must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(env)}`);
  }
  level = flags.quiet ? 'quiet' : flags.verbose ? 'verbose' : ((env || 'info') as LogLevel);
}

export function logLevel(): LogLevel {
  return level;
}

/** A status line (hidden by --quiet). */
export function info(line: string): void {
  if (level === 'quiet') return;
  clearProgressLine();
  process.stderr.write(line + '\n');
}

/** A detail (shown with --verbose). */
export function debug(line: string): void {
  if (level !== 'verbose') return;
  clearProgressLine();
  process.stderr.write(line + '\n');
}

/** An error line: always shown, never on a progress bar's line. */
export function error(line: string): void {
  clearProgressLine();
  process.stderr.write(line + '\n');
}
