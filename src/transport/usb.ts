/**
 * A USB Bluetooth dongle driven by raw USB, without the kernel's Bluetooth stack: the USB driver
 * of `@stoprocent/bluetooth-hci-socket` (through the `usb` package, libusb). Where there is no HCI
 * user channel (Windows with a WinUSB driver, FreeBSD, Linux without kernel Bluetooth) this is how
 * a dongle runs this stack. The USB transport of HCI (Core v5.4 Vol 4 Part B §2.1): commands go
 * out on the control endpoint, events come in on the interrupt endpoint 0x81, ACL data on the bulk
 * endpoints 0x02/0x82; the driver puts the H4 indicator in front of each.
 *
 * Specs: `usb` (the first dongle the driver knows by id), `usb:N` (the Nth of those, from 0),
 * `usb:VID:PID` in hex as lsusb prints them (any dongle; the first with those ids).
 *
 * Limits (the driver's): no SCO; one HCI event per interrupt transfer; on Linux the dongle must be
 * free of the kernel's btusb driver; on Windows it needs the WinUSB driver (Zadig).
 */
import { ArgumentError, TransportError } from '../core/index.js';
import { messageOf } from './errors.js';
import { bindCatching, importPackage, loadHciSocketBinding, PREBUILT_BINDING, type HciSocketLike, type Importer } from './hci-socket-binding.js';
import { HciSocketTransport } from './hci-socket-transport.js';

/** Which dongle: the Nth the driver knows, or the first with these USB ids. */
export type UsbDeviceSpec = { readonly kind: 'index'; readonly index: number } | { readonly kind: 'ids'; readonly vid: number; readonly pid: number };

/** How long the dongle may take to answer the driver's HCI Reset before the transport opens. */
export const USB_RESET_TIMEOUT_MS = 5000;

/** A dongle the driver lists (its `getDeviceList()`). */
export interface UsbDongle {
  readonly idVendor: number | null;
  readonly idProduct: number | null;
}

/** The USB driver's socket: the common socket, plus raw binding and its list of known dongles. */
export interface UsbHciSocketLike extends HciSocketLike {
  bindRaw(devId: number, params?: { usb: { vid: number; pid: number } }): unknown;
  getDeviceList(): UsbDongle[] | Promise<UsbDongle[]>;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'state', listener: (up: boolean) => void): unknown;
}

export interface UsbOptions {
  /** Imports a binding by package name (tests replace it). */
  importer?: Importer;
  resetTimeoutMs?: number;
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** `VID:PID` in lsusb's form. */
export function usbIds(vid: number, pid: number): string {
  return `${hex4(vid)}:${hex4(pid)}`;
}

/** Parses what follows `usb` in a transport spec: '' or ':N' or ':VID:PID'. */
export function parseUsbSpec(rest: string, spec: string): UsbDeviceSpec {
  if (rest === '') return { kind: 'index', index: 0 };
  let m = /^:(\d+)$/.exec(rest);
  if (m) return { kind: 'index', index: Number(m[1]) };
  m = /^:(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$/i.exec(rest);
  if (m) return { kind: 'ids', vid: parseInt(m[1], 16), pid: parseInt(m[2], 16) };
  throw new ArgumentError(`malformed USB transport ${JSON.stringify(spec)}: use usb, usb:N (the Nth known dongle, from 0) or usb:VID:PID in hex (as lsusb prints them, e.g. usb:0a12:0001)`);
}

export function describeUsb(device: UsbDeviceSpec): string {
  return device.kind === 'ids' ? `usb:${usbIds(device.vid, device.pid)}` : `usb:${device.index}`;
}

/** One clear error for a failure of the USB driver with `device`. */
export function usbError(device: UsbDeviceSpec, error: unknown): TransportError {
  const text = messageOf(error);
  const name = describeUsb(device);
  if (/no compatible usb/i.test(text)) {
    return new TransportError(
      `no USB Bluetooth dongle for ${name}: plug one in, check its ids with \`lsusb\` and name them as usb:VID:PID (usb and usb:N know only the dongles on the driver's list)`,
      { cause: error },
    );
  }
  if (/LIBUSB_ERROR_ACCESS/.test(text)) {
    return new TransportError(`no permission to open the USB dongle ${name} (LIBUSB_ERROR_ACCESS): run as root or add a udev rule giving your user the device`, { cause: error });
  }
  if (/LIBUSB_ERROR_BUSY/.test(text)) {
    return new TransportError(
      `the USB dongle ${name} is held by a kernel driver (LIBUSB_ERROR_BUSY): on Linux unload btusb (\`sudo modprobe -r btusb\`) or use the HCI user channel (--transport hci0)`,
      { cause: error },
    );
  }
  if (/LIBUSB_ERROR_NOT_SUPPORTED/.test(text)) {
    return new TransportError(`the USB dongle ${name} has no driver libusb can use (LIBUSB_ERROR_NOT_SUPPORTED): on Windows install WinUSB for it with Zadig`, { cause: error });
  }
  if (/LIBUSB_ERROR_NO_DEVICE/.test(text)) return new TransportError(`the USB dongle ${name} is gone (unplugged)`, { cause: error });
  return new TransportError(`USB dongle ${name}: ${text}`, { cause: error });
}

/** What `bindRaw` needs to pick `device`: a device ordinal and the ids (none: the first known dongle). */
async function bindArguments(socket: UsbHciSocketLike, device: UsbDeviceSpec): Promise<[number, { usb: { vid: number; pid: number } }?]> {
  if (device.kind === 'ids') return [0, { usb: { vid: device.vid, pid: device.pid } }];
  if (device.index === 0) return [0];
  const known = await socket.getDeviceList();
  const chosen = known[device.index];
  if (!chosen || chosen.idVendor === null || chosen.idProduct === null) {
    const found = known.map((d) => usbIds(d.idVendor ?? 0, d.idProduct ?? 0)).join(', ') || 'none';
    throw new TransportError(`there is no known USB Bluetooth dongle ${device.index} (found: ${found}): use usb:N below ${known.length} or usb:VID:PID`);
  }
  // The driver counts dongles with the same ids from 1 (0 and 1 both mean the first).
  const sameIdsBefore = known.slice(0, device.index).filter((d) => d.idVendor === chosen.idVendor && d.idProduct === chosen.idProduct).length;
  return [sameIdsBefore + 1, { usb: { vid: chosen.idVendor, pid: chosen.idProduct } }];
}

/**
 * Resolves once the driver reports the dongle up. The driver resets the dongle when it binds and
 * keeps that Reset's Command Complete to itself; it says 'state' true when it came. An 'error' on
 * the way rejects.
 */
function dongleUp(socket: UsbHciSocketLike, device: UsbDeviceSpec, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onError = (e: Error) => settle(usbError(device, e));
    const timer = setTimeout(
      () => settle(new TransportError(`the USB dongle ${describeUsb(device)} did not answer HCI Reset within ${timeoutMs} ms: unplug it and plug it in again`)),
      timeoutMs,
    );
    socket.on('error', onError);
    socket.on('state', (up: boolean) => {
      if (up) settle();
    });
  });
}

/** Opens a USB dongle through the USB driver of @stoprocent/bluetooth-hci-socket. */
export async function openUsb(device: UsbDeviceSpec, options: UsbOptions = {}): Promise<HciSocketTransport> {
  const { packageName, Socket } = await loadHciSocketBinding('usb', options.importer ?? importPackage);
  const socket = new Socket() as UsbHciSocketLike;
  if (typeof socket.bindRaw !== 'function' || typeof socket.getDeviceList !== 'function') {
    throw new TransportError(`${packageName} gave a USB driver without bindRaw/getDeviceList: npm install ${PREBUILT_BINDING}@latest`);
  }
  let args: [number, { usb: { vid: number; pid: number } }?];
  try {
    args = await bindArguments(socket, device);
  } catch (e) {
    throw e instanceof TransportError ? e : usbError(device, e);
  }
  // Raw, not user: only in raw mode does the driver pass events on (after its own Reset).
  const failed = bindCatching(socket, () => socket.bindRaw(...args));
  if (failed) throw usbError(device, failed);
  try {
    socket.start();
  } catch (e) {
    throw usbError(device, e);
  }
  // The driver's events come from USB transfers, never during start(): listening after it is in time.
  try {
    await dongleUp(socket, device, options.resetTimeoutMs ?? USB_RESET_TIMEOUT_MS);
  } catch (e) {
    socket.stop();
    throw e;
  }
  return new HciSocketTransport(socket, `${describeUsb(device)} (USB dongle)`, packageName, (e) => usbError(device, e));
}
