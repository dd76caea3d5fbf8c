#!/usr/bin/env node
/**
 * `btc`: the command-line face of the stack. One binary, a command per job, `--help` on each, and
 * `--transport` choosing the controller (virtual by default).
 */
import { readFileSync } from 'node:fs';
import { flag, helpText, parseArgs, UsageError, type CommandSpec, type Parsed } from './args.js';
import { COMMANDS } from './commands/index.js';
import { error as logError, logLevel, setLogLevel } from './log.js';
import { caughtSignal, exitCodeAfter, handleSignals } from './signals.js';

/** Exit codes, the same for every command (README, CLI section). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The package's version, from package.json (two levels up from src/cli, dist/cli and the bundle in dist/btc). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

export interface Command {
  spec: CommandSpec;
  run(args: Parsed): Promise<number>;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'btc: a Bluetooth Classic host stack in TypeScript (HCI, L2CAP, RFCOMM, SDP)',
    '',
    'Usage: btc COMMAND [options]   (btc COMMAND --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Transports (--transport): virtual (default, in-process), h4:unix:/tmp/bt-server-bredr (btvirt),',
    'h4:tcp:HOST:PORT (RootCanal, btproxy), hci0 or hci:N (HCI user channel),',
    'serial:/dev/ttyUSB0[,BAUD][,rtscts], usb, usb:N or usb:VID:PID (a dongle by raw USB).',
    '',
    'Every command takes --verbose (-v), --quiet (-q) and --help (-h); BTC_LOG=quiet|info|verbose sets',
    'the level for a whole session. Exit codes: 0 done, 1 failed, 2 usage error, 130/143 after',
    'Ctrl-C/SIGTERM. btc --version prints the version.',
  ].join('\n');
}

/** Flags that may come before the command (`btc -v scan`): moved after it. */
const LEADING_FLAGS = new Set(['--verbose', '-v', '--quiet', '-q']);

export async function main(argv: string[]): Promise<number> {
  const leading: string[] = [];
  while (argv.length > 0 && LEADING_FLAGS.has(argv[0])) leading.push(argv.shift()!);
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    console.log(version());
    return EXIT.ok;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(overview());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`btc: unknown command '${name}' (btc --help lists them)`);
    return EXIT.usage;
  }
  const command = await entry.load();
  let args: Parsed;
  try {
    args = parseArgs([...leading, ...rest], command.spec);
    setLogLevel({ quiet: flag(args, 'quiet'), verbose: flag(args, 'verbose') });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`btc ${name}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (args.options.get('help') === true) {
    console.log(helpText(command.spec));
    return EXIT.ok;
  }
  handleSignals();
  try {
    const code = await command.run(args);
    return interrupted(name) ?? code;
  } catch (error) {
    // What failed because of Ctrl-C (a send cut short, an accept on the closed adapter) is not news.
    const afterSignal = interrupted(name);
    if (afterSignal !== undefined) return afterSignal;
    if (error instanceof UsageError) {
      logError(`btc ${name}: ${error.message} (btc ${name} --help)`);
      return EXIT.usage;
    }
    const e = error as Error;
    logError(`btc ${name}: ${e.message}`);
    if (logLevel() === 'verbose' && e.stack) logError(e.stack);
    return EXIT.failure;
  }
}

/** After a signal: says that the command stopped, and the shell's exit code for that signal. */
function interrupted(name: string): number | undefined {
  const signal = caughtSignal();
  if (!signal) return undefined;
  logError(`btc ${name}: stopped by ${signal}`);
  return exitCodeAfter(signal);
}

main(process.argv.slice(2)).then(
  (code) => {
    // After a signal the channels and the adapter are closed: nothing left (a terminal's stdin) may
    // keep the process.
    if (caughtSignal()) process.exit(code);
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
