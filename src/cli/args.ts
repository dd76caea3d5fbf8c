/**
 * A small argument parser for the CLI: `--name value`, `--name=value`, `--flag`, `-h`, `-v`, `-q`
 * (any other `-x` is an unknown option), and positionals. Each command declares the options it
 * uses (its own, plus the adapter and channel groups below when it needs them), so `--help` lists
 * only those and errors can name them.
 *
 * Why not Node's `util.parseArgs`: it gives the same unknown-option error, `--opt=value` and short
 * flags, but no help text (so the option list would be declared twice), and in strict mode it
 * refuses `--limit -1` as "ambiguous" instead of letting the one number parser below say which
 * numbers are allowed. A value given as `--opt=value` or after `--opt` is taken as it is.
 */
import { isBdAddr, parseBdAddr } from '../core/index.js';

export interface OptionSpec {
  name: string;
  /** Takes a value (otherwise a boolean flag). */
  value?: string;
  help: string;
  default?: string;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec[];
  details?: string;
}

export interface Parsed {
  positionals: string[];
  options: Map<string, string | true>;
}

export class UsageError extends Error {}

export const TRANSPORT_OPTION: OptionSpec = {
  name: 'transport',
  value: 'SPEC',
  help: 'controller: virtual, h4:unix:/path, h4:tcp:HOST:PORT, hci0 or hci:N, serial:/dev/ttyUSB0[,BAUD][,rtscts], usb, usb:N or usb:VID:PID',
  default: 'virtual',
};
export const BTSNOOP_OPTION: OptionSpec = { name: 'btsnoop', value: 'FILE', help: 'record every HCI packet to a btsnoop file (Wireshark, btmon -r)' };
export const TRACE_OPTION: OptionSpec = { name: 'trace', help: 'print every HCI packet, decoded layer by layer, to stderr as it passes' };

/** For every command that opens an adapter. */
export const PCAPNG_OPTION: OptionSpec = { name: 'pcapng', value: 'FILE', help: 'record every HCI packet to a pcapng file (LINKTYPE 201, Wireshark, tshark)' };
export const ADAPTER_OPTIONS: OptionSpec[] = [TRANSPORT_OPTION, BTSNOOP_OPTION, PCAPNG_OPTION, TRACE_OPTION, { name: 'name', value: 'NAME', help: 'local device name' }];

/** For commands that open RFCOMM channels: the receive window, security and pairing. */
export const CHANNEL_OPTIONS: OptionSpec[] = [
  { name: 'rx-window', value: 'BYTES', help: 'RFCOMM receive window per channel (default 16384 over a unix socket such as btvirt, which drops what a slow reader misses; 65536 elsewhere)' },
  { name: 'security', value: 'LEVEL', help: 'require none | authenticated | encrypted | mitm on RFCOMM/L2CAP channels', default: 'none' },
  { name: 'io', value: 'CAP', help: 'pairing IO capability: NoInputNoOutput | DisplayOnly | DisplayYesNo | KeyboardOnly', default: 'NoInputNoOutput' },
  { name: 'keys', value: 'FILE', help: 'keep link keys in this JSON file (bonds survive restarts)' },
  { name: 'pin', value: 'PIN', help: 'legacy PIN to answer PIN requests with, 1 to 16 characters (e.g. 1234)' },
  { name: 'yes', help: 'accept numeric comparisons without asking' },
];

/** Every command has them (src/cli/log.ts for the levels). */
export const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'verbose', help: 'say more on stderr (-v): details, and the stack of an error' },
  { name: 'quiet', help: 'only errors and results (-q): no status lines or progress' },
  { name: 'help', help: 'show this help (-h)' },
];
const SHORT: Record<string, string> = { '-h': 'help', '-v': 'verbose', '-q': 'quiet' };

export function parseArgs(argv: string[], spec: CommandSpec): Parsed {
  const known = new Map([...spec.options, ...COMMON_OPTIONS].map((o) => [o.name, o]));
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (SHORT[a]) {
      options.set(SHORT[a], true);
    } else if (/^-[A-Za-z]/.test(a)) {
      throw new UsageError(`unknown option ${a} for '${spec.name}' (the short flags are -h, -v and -q; see ${spec.name} --help)`);
    } else if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const opt = known.get(name);
      if (!opt) throw new UsageError(`unknown option --${name} for '${spec.name}' (see ${spec.name} --help)`);
      if (opt.value) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value (${opt.value})`);
        options.set(name, v);
      } else {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        options.set(name, true);
      }
    } else {
      positionals.push(a);
    }
  }
  for (const o of known.values()) if (o.default !== undefined && !options.has(o.name)) options.set(o.name, o.default);
  return { positionals, options };
}

export function helpText(spec: CommandSpec, bin = 'btc'): string {
  const opts = [...spec.options, ...COMMON_OPTIONS];
  const width = Math.max(...opts.map((o) => (o.name + (o.value ? ' ' + o.value : '')).length)) + 4;
  const lines = [`Usage: ${bin} ${spec.usage}`, '', spec.summary];
  if (spec.details) lines.push('', spec.details);
  lines.push('', 'Options:');
  for (const o of opts) {
    const left = `  --${o.name}${o.value ? ' ' + o.value : ''}`;
    lines.push(left.padEnd(width + 2) + o.help + (o.default !== undefined ? ` (default ${o.default})` : ''));
  }
  return lines.join('\n');
}

/** A device address positional (`AA:BB:CC:DD:EE:FF`), checked before anything opens. */
export function parseAddress(text: string | undefined, what = 'ADDR'): string {
  if (text === undefined || !isBdAddr(text)) throw new UsageError(`${what} must be a device address such as 00:1A:7D:DA:71:13, not ${JSON.stringify(text ?? '')}`);
  return parseBdAddr(text);
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.options.get(name) === true;
}

/** The numeric option --name: an integer from `min` to `max`, `fallback` when absent. */
export function int(p: Parsed, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = str(p, name);
  return v === undefined ? fallback : parseInteger(v, `--${name}`, min, max);
}

/**
 * The one parser of the CLI's numbers (options and CHANNEL positionals): decimal digits only, so
 * '', ' 5', '0x10', '1e3', '2.5' and '-1' are refused with a UsageError naming what is allowed.
 */
export function parseInteger(text: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${what} must be ${range}, not ${JSON.stringify(text)}`);
  }
  return n;
}
