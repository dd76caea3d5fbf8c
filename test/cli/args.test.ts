/**
 * The CLI's own argument parser (src/cli/args.ts), on the cases that decided against Node's
 * `util.parseArgs`: a value is taken as given in both spellings (`--limit -1` included, for the
 * number parser to refuse by name), unknown long and short options are usage errors naming the
 * command, and `--` ends the options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, UsageError, type CommandSpec } from '../../src/cli/args.js';

const SPEC: CommandSpec = {
  name: 'try',
  usage: 'try [ARG...]',
  summary: 'a command for the parser tests',
  options: [
    { name: 'limit', value: 'N', help: 'a number' },
    { name: 'json', help: 'a flag' },
    { name: 'port', value: 'N', help: 'a port', default: '7000' },
  ],
};

describe('parseArgs', () => {
  it('takes any value as given, after --name or after --name=', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const spaced = parseArgs(['--limit', value], SPEC);
        const joined = parseArgs([`--limit=${value}`], SPEC);
        expect(spaced.options.get('limit')).toBe(value);
        expect(joined.options.get('limit')).toBe(value);
      }),
    );
  });

  it('keeps positionals in order, fills defaults, and reads -h -v -q', () => {
    const p = parseArgs(['a', '--json', 'b', '-v', '-q', '-h', '--', '--limit', '-x'], SPEC);
    expect(p.positionals).toEqual(['a', 'b', '--limit', '-x']);
    expect(Object.fromEntries(p.options)).toEqual({ json: true, verbose: true, quiet: true, help: true, port: '7000' });
  });

  it.each([
    [['--bogus'], "unknown option --bogus for 'try' (see try --help)"],
    [['-x'], "unknown option -x for 'try' (the short flags are -h, -v and -q; see try --help)"],
    [['--limit'], '--limit needs a value (N)'],
    [['--json=yes'], '--json takes no value'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseArgs(argv, SPEC)).toThrow(UsageError);
    expect(() => parseArgs(argv, SPEC)).toThrow(message);
  });

  it('lists the command options, then the common ones, with defaults, in the help', () => {
    const lines = helpText(SPEC).split('\n');
    expect(lines[0]).toBe('Usage: btc try [ARG...]');
    const names = lines.filter((l) => l.startsWith('  --')).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(['--limit', '--json', '--port', '--verbose', '--quiet', '--help']);
    expect(lines.find((l) => l.startsWith('  --port'))).toMatch(/a port \(default 7000\)$/);
  });
});
