/**
 * The process-wide default adapter, as PyBluez uses the system's first adapter: sockets and module
 * functions given no `{ adapter }` use it. `openDefaultAdapter(spec)` chooses it (default: the
 * `BTC_TRANSPORT` environment variable, else `virtual`); `setDefaultAdapter` installs one. Like
 * any adapter it keeps the process alive only while busy and is closed when the program ends
 * (`Adapter.busy`); `(await defaultAdapter()).close()` closes it earlier.
 */
import { Adapter, type AdapterOptions } from './adapter.js';

let current: Adapter | undefined;
let opening: Promise<Adapter> | undefined;

export function currentDefault(): Adapter | undefined {
  return current && !current.isClosed ? current : undefined;
}

export function setDefaultAdapter(adapter: Adapter | undefined): void {
  current = adapter;
  opening = undefined;
}

export async function openDefaultAdapter(spec?: string, options?: AdapterOptions): Promise<Adapter> {
  const adapter = await Adapter.open(spec ?? process.env.BTC_TRANSPORT ?? 'virtual', options);
  setDefaultAdapter(adapter);
  return adapter;
}

/** The default adapter, opened on first use. */
export function defaultAdapter(): Promise<Adapter> {
  const ready = currentDefault();
  if (ready) return Promise.resolve(ready);
  opening ??= openDefaultAdapter().finally(() => (opening = undefined));
  return opening;
}
