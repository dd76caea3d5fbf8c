#!/usr/bin/env node
/**
 * `btc`: the command-line face of the stack. One binary, a command per job, `--help` on each, and
 * `--transport` choosing the controller (virtual by default).
 */
import { helpText, parseArgs, UsageError, type CommandSpec, type Parsed } from './args.js';
import { COMMANDS } from './commands/index.js';
import { caughtSignal, exitCodeAfter, handleSignals } from './signals.js';

export interface Command {
  spec: CommandSpec;
  run(args: Parsed): Promise<number>;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'btc: a Bluetooth Classic host stack in TypeScript (HCI, L2CAP, RFCOMM, SDP)',
    '',
    'Usage: btc COMMAND [options]   (btc COMMAND --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Transports (--transport): virtual (default, in-process), h4:unix:/tmp/bt-server-bredr (btvirt),',
    'h4:tcp:HOST:PORT (RootCanal, btproxy), hci0 (HCI user channel), serial:/dev/ttyUSB0[,baud].',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    console.error(`btc: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  let args: Parsed;
  try {
    args = parseArgs(rest, command.spec);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`btc ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (args.options.get('help') === true) {
    console.log(helpText(command.spec));
    return 0;
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
      console.error(`btc ${name}: ${error.message}\n\n${helpText(command.spec)}`);
      return 2;
    }
    const e = error as Error & { code?: string };
    console.error(`btc ${name}: ${e.message}`);
    if (process.env.BTC_DEBUG) console.error(e.stack);
    return 1;
  }
}

/** After a signal: says that the command stopped, and the shell's exit code for that signal. */
function interrupted(name: string): number | undefined {
  const signal = caughtSignal();
  if (!signal) return undefined;
  console.error(`btc ${name}: stopped by ${signal}`);
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
