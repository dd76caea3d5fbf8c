/**
 * The native bindings that open a raw HCI socket, both optional and loaded only when asked for:
 *
 * - `@stoprocent/bluetooth-hci-socket` (the package's optionalDependency): prebuilt binaries for
 *   Linux x64 (glibc, musl), arm and arm64, so no compiler is needed. Its `native` driver is the
 *   Linux HCI socket; its `usb` driver reaches a dongle by raw USB through the `usb` package.
 * - `@abandonware/bluetooth-hci-socket`: the same socket interface, built from source at install
 *   (node-gyp, Python, a C++ toolchain); Linux HCI socket only.
 *
 * The prebuilt binding is preferred; the other is the fallback. When neither loads, the error
 * names both, with what each needs.
 */
import { TransportError } from '../core/index.js';
import { messageOf } from './errors.js';

export const PREBUILT_BINDING = '@stoprocent/bluetooth-hci-socket';
export const SOURCE_BINDING = '@abandonware/bluetooth-hci-socket';

/** The part of a binding's socket the transports use (both bindings share it). */
export interface HciSocketLike {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  bindUser(devId: number, params?: unknown): unknown;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
}

export type HciSocketClass = new () => HciSocketLike;

/** `native`: the Linux HCI socket; `usb`: raw USB (prebuilt binding only). */
export type HciDriver = 'native' | 'usb';

export interface LoadedBinding {
  /** The npm package the socket class came from. */
  readonly packageName: string;
  readonly Socket: HciSocketClass;
}

/** Imports a package by name (tests replace it). */
export type Importer = (packageName: string) => Promise<unknown>;

export const importPackage: Importer = (packageName) => import(packageName);

/** One binding that did not load, and why. */
export interface BindingFailure {
  readonly packageName: string;
  readonly reason: string;
}

function defaultExport(mod: unknown): unknown {
  return (mod as { default?: unknown } | undefined)?.default ?? mod;
}

function socketClassFrom(packageName: string, mod: unknown, driver: HciDriver): HciSocketClass {
  if (packageName === PREBUILT_BINDING) {
    const loadDriver = (mod as { loadDriver?: unknown }).loadDriver ?? (defaultExport(mod) as { loadDriver?: unknown }).loadDriver;
    if (typeof loadDriver !== 'function') throw new Error('it has no loadDriver(): install version 2 or later');
    const Socket = (loadDriver as (d: string) => unknown)(driver);
    if (typeof Socket !== 'function') throw new Error(`loadDriver('${driver}') gave no socket class`);
    return Socket as HciSocketClass;
  }
  const Socket = defaultExport(mod);
  if (typeof Socket !== 'function') throw new Error('it did not export a socket class: reinstall it');
  return Socket as HciSocketClass;
}

/** The bindings that offer `driver`, in order of preference. */
export function bindingsFor(driver: HciDriver): readonly string[] {
  return driver === 'native' ? [PREBUILT_BINDING, SOURCE_BINDING] : [PREBUILT_BINDING];
}

/** Loads one binding's socket class for `driver`; throws why it cannot. */
export async function loadBinding(packageName: string, driver: HciDriver, importer: Importer = importPackage): Promise<LoadedBinding> {
  return { packageName, Socket: socketClassFrom(packageName, await importer(packageName), driver) };
}

/** The first line of why a binding did not load. */
export function reasonOf(error: unknown): string {
  return messageOf(error).split('\n')[0].replace(/ imported from .*$/, '');
}

/**
 * Loads the first binding that offers `driver`, or throws a `TransportError` saying which to
 * install; `why` is added to that message (e.g. that this machine has no kernel Bluetooth).
 */
export async function loadHciSocketBinding(driver: HciDriver, importer: Importer = importPackage, why?: string): Promise<LoadedBinding> {
  const failures: BindingFailure[] = [];
  for (const packageName of bindingsFor(driver)) {
    try {
      return await loadBinding(packageName, driver, importer);
    } catch (e) {
      failures.push({ packageName, reason: reasonOf(e) });
    }
  }
  throw noBindingError(driver, failures, why);
}

function noBindingError(driver: HciDriver, failures: readonly BindingFailure[], why: string | undefined): TransportError {
  const tried = failures.map((f) => `${f.packageName}: ${f.reason}`).join('; ');
  const install =
    driver === 'native'
      ? `npm install ${PREBUILT_BINDING} (prebuilt for Linux x64, arm and arm64: no compiler needed), or ${SOURCE_BINDING} (builds from source: node-gyp, Python and a C++ toolchain)`
      : `npm install ${PREBUILT_BINDING} usb (its USB driver needs the usb package, prebuilt for Linux, Windows and macOS)`;
  const what = driver === 'native' ? 'the HCI user channel' : 'the usb: transport';
  return new TransportError(`${what} needs a native binding that did not load (${tried}): ${install}${why ? `; ${why}` : ''}`);
}

/**
 * Calls `bind` on `socket` and returns what went wrong, if anything: the bindings report a failed
 * socket() either by throwing or as an 'error' event (the prebuilt one emits it during the call).
 */
export function bindCatching(socket: HciSocketLike, bind: () => unknown): unknown {
  let emitted: unknown;
  const onError = (e: Error) => {
    emitted ??= e;
  };
  socket.on('error', onError);
  try {
    bind();
  } catch (e) {
    return e;
  } finally {
    socket.removeListener('error', onError);
  }
  return emitted;
}
