/** Opens the adapter a CLI command asked for (--transport, --btsnoop, --pcapng, --name, --rx-window, pairing). */
import { createInterface } from 'node:readline/promises';
import { Adapter, type AdapterOptions, type IoCapability, type SecurityLevel } from '../socket/index.js';
import { IO_CAPABILITIES, pinOctets, SECURITY_LEVELS } from '../security/index.js';
import { ArgumentError } from '../core/index.js';
import { parseTransportSpec } from '../transport/index.js';
import { flag, int, str, UsageError, type Parsed } from './args.js';
import { fileToWrite } from './paths.js';
import { onSignal } from './signals.js';
import { printTrace } from './trace-printer.js';

export async function adapterFromArgs(args: Parsed, defaults: AdapterOptions = {}): Promise<Adapter> {
  const io = str(args, 'io') ?? 'NoInputNoOutput';
  if (!(IO_CAPABILITIES as readonly string[]).includes(io)) throw new UsageError(`--io must be one of ${IO_CAPABILITIES.join(', ')}`);
  const yes = flag(args, 'yes');
  const pin = str(args, 'pin');
  if (pin !== undefined) checkPin(pin);
  const btsnoop = str(args, 'btsnoop');
  if (btsnoop) fileToWrite(btsnoop, '--btsnoop');
  const pcapng = str(args, 'pcapng');
  if (pcapng) fileToWrite(pcapng, '--pcapng');
  const transport = transportSpec(str(args, 'transport') ?? 'virtual');
  return Adapter.open(transport, {
    ...defaults,
    ...(str(args, 'rx-window') === undefined ? {} : { rxWindow: int(args, 'rx-window', 65536, 1, 2 ** 30) }),
    ...(str(args, 'name') ? { name: str(args, 'name') } : {}),
    ...(btsnoop ? { btsnoop } : {}),
    ...(pcapng ? { pcapng } : {}),
    pairing: {
      ioCapability: io as IoCapability,
      ...(str(args, 'keys') ? { keys: str(args, 'keys') } : {}),
      ...(pin !== undefined ? { pin } : {}),
      onConfirm: (value, address, { justWorks }) => {
        if (justWorks || yes) return true;
        return ask(`Pair with ${address}? Confirm that it shows ${String(value).padStart(6, '0')} [y/N] `).then((a) => /^y/i.test(a));
      },
      onPasskeyRequest: (address) => ask(`Passkey shown on ${address}: `).then((a) => (/^\d{1,6}$/.test(a.trim()) ? Number(a.trim()) : null)),
      onPasskeyDisplay: (passkey, address) => process.stderr.write(`Type ${String(passkey).padStart(6, '0')} on ${address}\n`),
    },
  });
}

/** --transport as a usage error: a spec that names no transport (`usb:x`, `h4:tcp:host`) is refused
 * before anything opens, with the forms allowed. */
function transportSpec(spec: string): string {
  try {
    parseTransportSpec(spec);
  } catch (error) {
    if (error instanceof ArgumentError) throw new UsageError(`--transport: ${error.message}`);
    throw error;
  }
  return spec;
}

/** --pin as a usage error: a PIN is 1 to 16 octets (Core Vol 4 Part E §7.1.12 PIN Code Request Reply). */
function checkPin(pin: string): void {
  try {
    pinOctets(pin);
  } catch (error) {
    throw new UsageError(`--pin: ${(error as Error).message}`);
  }
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
  // --trace: from here to the close (src/cli/trace-printer.ts).
  if (flag(args, 'trace')) printTrace(adapter);
  const release = closeOnSignal(adapter);
  try {
    return await fn(adapter);
  } finally {
    release();
    await adapter.close();
  }
}

/** On SIGINT/SIGTERM (src/cli/signals.ts): the sockets close (the peer sees RFCOMM DISC), then the
 * adapter (the links go down); what waits on them fails, and the command ends. */
export function closeOnSignal(adapter: Adapter): () => void {
  return onSignal(() => {
    adapter.closeChannels();
    // withAdapter awaits the same close and reports its failure.
    void adapter.close().catch(() => undefined);
  });
}
