/**
 * Ready-made virtual setups: `createVirtualPair` gives two transports on one fresh link
 * (00:AA:01:01:00:01 and …:02), and `defaultVirtualLink()` is the process-wide link that
 * `openTransport('virtual')` attaches to, so that adapters opened in one process see each other.
 */
import { VirtualController, type VirtualControllerOptions } from './controller.js';
import { VirtualLink } from './link.js';
import { VirtualTransport } from './virtual-transport.js';

export interface VirtualPairOptions extends Omit<VirtualControllerOptions, 'address' | 'name'> {
  /** Local names of the two controllers (default `virtual 1`, `virtual 2`). */
  names?: readonly [string, string];
  seed?: number;
}

export interface VirtualPair {
  readonly link: VirtualLink;
  readonly a: VirtualTransport;
  readonly b: VirtualTransport;
}

export function createVirtualPair(options: VirtualPairOptions = {}): VirtualPair {
  const { names = ['virtual 1', 'virtual 2'], seed, ...controllerOptions } = options;
  const link = new VirtualLink({ seed });
  const a = new VirtualTransport(new VirtualController(link, { ...controllerOptions, address: '00:AA:01:01:00:01', name: names[0] }));
  const b = new VirtualTransport(new VirtualController(link, { ...controllerOptions, address: '00:AA:01:01:00:02', name: names[1] }));
  return { link, a, b };
}

let shared: VirtualLink | undefined;

/** The link shared by every `openTransport('virtual')` in this process. */
export function defaultVirtualLink(): VirtualLink {
  shared ??= new VirtualLink();
  return shared;
}

/** A transport on a new controller attached to the shared link, at its next free address. */
export function openVirtualTransport(options: VirtualControllerOptions = {}): VirtualTransport {
  return new VirtualTransport(new VirtualController(defaultVirtualLink(), options));
}
