/** Opens the adapter a CLI command asked for (--transport, --btsnoop, --name, --rx-window, pairing). */
import { createInterface } from 'node:readline/promises';
import { Adapter, type AdapterOptions, type IoCapability, type SecurityLevel } from '../socket/index.js';
import { IO_CAPABILITIES, SECURITY_LEVELS } from '../security/index.js';
import { flag, int, str, UsageError, type Parsed } from './args.js';

export async function adapterFromArgs(args: Parsed, defaults: AdapterOptions = {}): Promise<Adapter> {
  const io = str(args, 'io') ?? 'NoInputNoOutput';
  if (!(IO_CAPABILITIES as readonly string[]).includes(io)) throw new UsageError(`--io must be one of ${IO_CAPABILITIES.join(', ')}`);
  const yes = flag(args, 'yes');
  return Adapter.open(str(args, 'transport') ?? 'virtual', {
    ...defaults,
    ...(str(args, 'rx-window') === undefined ? {} : { rxWindow: int(args, 'rx-window', 65536) }),
    ...(str(args, 'name') ? { name: str(args, 'name') } : {}),
    ...(str(args, 'btsnoop') ? { btsnoop: str(args, 'btsnoop') } : {}),
    pairing: {
      ioCapability: io as IoCapability,
      ...(str(args, 'keys') ? { keys: str(args, 'keys') } : {}),
      ...(str(args, 'pin') ? { pin: str(args, 'pin') } : {}),
      onConfirm: (value, address, { justWorks }) => {
        if (justWorks || yes) return true;
        return ask(`Pair with ${address}? Confirm that it shows ${String(value).padStart(6, '0')} [y/N] `).then((a) => /^y/i.test(a));
      },
      onPasskeyRequest: (address) => ask(`Passkey shown on ${address}: `).then((a) => (/^\d{1,6}$/.test(a.trim()) ? Number(a.trim()) : null)),
      onPasskeyDisplay: (passkey, address) => process.stderr.write(`Type ${String(passkey).padStart(6, '0')} on ${address}\n`),
    },
  });
}

/** Asks on the terminal; without one (stdin piped) the answer is empty, i.e. a refusal. */
async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}(no terminal: refused; use --yes or --pin)\n`);
    return '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** The security level --security asks for. */
export function securityLevel(args: Parsed): SecurityLevel {
  const level = str(args, 'security') ?? 'none';
  if (!(SECURITY_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--security must be one of ${SECURITY_LEVELS.join(', ')}`);
  return level as SecurityLevel;
}

/** Runs `fn` with the adapter and closes it afterwards, whatever happens. */
export async function withAdapter<T>(args: Parsed, fn: (adapter: Adapter) => Promise<T>, defaults: AdapterOptions = {}): Promise<T> {
  const adapter = await adapterFromArgs(args, defaults);
  try {
    return await fn(adapter);
  } finally {
    await adapter.close();
  }
}
