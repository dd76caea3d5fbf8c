/**
 * A small argument parser for the CLI: `--name value`, `--name=value`, `--flag`, `-h`, and
 * positionals. Each command declares the options it uses (its own, plus the adapter and channel
 * groups below when it needs them), so `--help` lists only those and errors can name them.
 */
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
  help: 'controller: virtual, h4:unix:/path, h4:tcp:host:port, hci0, serial:/dev/ttyUSB0[,baud]',
  default: 'virtual',
};
export const BTSNOOP_OPTION: OptionSpec = { name: 'btsnoop', value: 'FILE', help: 'record every HCI packet to a btsnoop file (Wireshark, btmon -r)' };

/** For every command that opens an adapter. */
export const ADAPTER_OPTIONS: OptionSpec[] = [TRANSPORT_OPTION, BTSNOOP_OPTION, { name: 'name', value: 'NAME', help: 'local device name' }];

/** For commands that open RFCOMM channels: the receive window, security and pairing. */
export const CHANNEL_OPTIONS: OptionSpec[] = [
  { name: 'rx-window', value: 'BYTES', help: 'RFCOMM receive window per channel (default 16384 over a unix socket such as btvirt, which drops what a slow reader misses; 65536 elsewhere)' },
  { name: 'security', value: 'LEVEL', help: 'require none | authenticated | encrypted | mitm on RFCOMM/L2CAP channels', default: 'none' },
  { name: 'io', value: 'CAP', help: 'pairing IO capability: NoInputNoOutput | DisplayOnly | DisplayYesNo | KeyboardOnly', default: 'NoInputNoOutput' },
  { name: 'keys', value: 'FILE', help: 'keep link keys in this JSON file (bonds survive restarts)' },
  { name: 'pin', value: 'PIN', help: 'legacy PIN to answer PIN requests with, 1 to 16 characters (e.g. 1234)' },
  { name: 'yes', help: 'accept numeric comparisons without asking' },
];

/** Every command has it. */
const HELP_OPTION: OptionSpec = { name: 'help', help: 'show this help' };

export function parseArgs(argv: string[], spec: CommandSpec): Parsed {
  const known = new Map([...spec.options, HELP_OPTION].map((o) => [o.name, o]));
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') {
      options.set('help', true);
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
  const opts = [...spec.options, HELP_OPTION];
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
