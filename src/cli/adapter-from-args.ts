/** Opens the adapter a CLI command asked for with --transport, --btsnoop and --name. */
import { Adapter, type AdapterOptions } from '../socket/index.js';
import { str, type Parsed } from './args.js';

export async function adapterFromArgs(args: Parsed, defaults: AdapterOptions = {}): Promise<Adapter> {
  return Adapter.open(str(args, 'transport') ?? 'virtual', {
    ...defaults,
    ...(str(args, 'name') ? { name: str(args, 'name') } : {}),
    ...(str(args, 'btsnoop') ? { btsnoop: str(args, 'btsnoop') } : {}),
  });
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
