/**
 * The usb: transport. No USB dongle is plugged in here, so the real driver is tested for what it
 * can show (it loads; a dongle that is not there is one clear error), and the transport's own code
 * against a stand-in of the driver's socket (bindRaw, its Reset, 'state', then packets).
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/core/index.js';
import { loadHciSocketBinding, PREBUILT_BINDING } from '../../src/transport/hci-socket-binding.js';
import { openTransport } from '../../src/transport/open.js';
import { openUsb, usbError, type UsbDongle } from '../../src/transport/usb.js';
import { killAll, runCli } from '../support/cli.js';

/** The USB driver's socket as the transport sees it: it answers its own Reset with 'state' true. */
class FakeUsbSocket extends EventEmitter {
  static dongles: UsbDongle[] = [];
  static answersReset = true;
  static last: FakeUsbSocket | undefined;
  bound: unknown[] = [];
  written: number[][] = [];
  stopped = false;
  constructor() {
    super();
    FakeUsbSocket.last = this;
  }
  getDeviceList(): UsbDongle[] {
    return FakeUsbSocket.dongles;
  }
  bindRaw(...args: unknown[]): void {
    this.bound = args;
  }
  bindUser(): void {
    throw new Error('the USB transport binds raw');
  }
  start(): void {
    if (FakeUsbSocket.answersReset) queueMicrotask(() => this.emit('state', true));
  }
  stop(): void {
    this.stopped = true;
  }
  write(data: Buffer): void {
    this.written.push([...data]);
  }
}

const usbDriver = async (name: string) => {
  if (name !== PREBUILT_BINDING) throw new Error(`Cannot find package '${name}'`);
  return { loadDriver: (driver: string) => (driver === 'usb' ? FakeUsbSocket : undefined) };
};

describe('usb: transport', () => {
  afterEach(() => killAll());

  it('from the CLI, a dongle that is not there is one line on stderr and exit code 1', async () => {
    const r = await runCli(['scan', '--transport', 'usb:ffff:fffe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no USB Bluetooth dongle for usb:ffff:fffe: plug one in, check its ids with `lsusb`');
    expect(r.stdout).toBe('');
  });

  it('the real USB driver loads here (the usb package is there)', async () => {
    const { packageName, Socket } = await loadHciSocketBinding('usb');
    expect(packageName).toBe(PREBUILT_BINDING);
    expect(typeof new Socket().write).toBe('function');
  });

  it('a dongle that is not plugged in is one clear TransportError (real driver)', async () => {
    const err = await openTransport('usb:ffff:fffe').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe(
      'no USB Bluetooth dongle for usb:ffff:fffe: plug one in, check its ids with `lsusb` and name them as usb:VID:PID (usb and usb:N know only the dongles on the driver\'s list)',
    );
  });

  it('without the driver it says what to install', async () => {
    const err = await openUsb({ kind: 'index', index: 0 }, { importer: async () => Promise.reject(new Error("Cannot find module 'usb'")) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe(
      `the usb: transport needs a native binding that did not load (${PREBUILT_BINDING}: Cannot find module 'usb'): npm install ${PREBUILT_BINDING} usb (its USB driver needs the usb package, prebuilt for Linux, Windows and macOS)`,
    );
  });

  it('usb:VID:PID binds raw with those ids, waits for the Reset, then carries H4 packets', async () => {
    const t = await openUsb({ kind: 'ids', vid: 0x0a12, pid: 0x0001 }, { importer: usbDriver });
    const socket = FakeUsbSocket.last!;
    expect(socket.bound).toEqual([0, { usb: { vid: 0x0a12, pid: 0x0001 } }]);
    expect(t.description).toBe('usb:0a12:0001 (USB dongle)');
    expect(t.maxAclData).toBeUndefined();
    const got: number[][] = [];
    t.onData((b) => got.push([...b]));
    socket.emit('data', Buffer.from([4, 0x0e, 4, 1, 3, 0x0c, 0]));
    t.write(Uint8Array.of(1, 3, 0x0c, 0));
    expect(got).toEqual([[4, 0x0e, 4, 1, 3, 0x0c, 0]]);
    expect(socket.written).toEqual([[1, 3, 0x0c, 0]]);
    const closed = new Promise<Error | undefined>((r) => t.onClose(r));
    socket.emit('error', new Error('LIBUSB_ERROR_NO_DEVICE'));
    expect((await closed)?.message).toBe('the USB dongle usb:0a12:0001 is gone (unplugged)');
    expect(socket.stopped).toBe(true);
  });

  it('usb:N picks the Nth dongle of the driver\'s list, counting same ids from 1 as the driver does', async () => {
    FakeUsbSocket.dongles = [
      { idVendor: 0x8087, idProduct: 0x0a2b },
      { idVendor: 0x0a12, idProduct: 0x0001 },
      { idVendor: 0x8087, idProduct: 0x0a2b },
    ];
    const t = await openUsb({ kind: 'index', index: 2 }, { importer: usbDriver });
    expect(FakeUsbSocket.last!.bound).toEqual([2, { usb: { vid: 0x8087, pid: 0x0a2b } }]);
    await t.close();
    const err = await openUsb({ kind: 'index', index: 3 }, { importer: usbDriver }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('there is no known USB Bluetooth dongle 3 (found: 8087:0a2b, 0a12:0001, 8087:0a2b): use usb:N below 3 or usb:VID:PID');
  });

  it('a dongle that never answers the Reset fails the open and is stopped', async () => {
    FakeUsbSocket.answersReset = false;
    try {
      const err = await openUsb({ kind: 'index', index: 0 }, { importer: usbDriver, resetTimeoutMs: 1 }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('the USB dongle usb:0 did not answer HCI Reset within 1 ms: unplug it and plug it in again');
      expect(FakeUsbSocket.last!.stopped).toBe(true);
    } finally {
      FakeUsbSocket.answersReset = true;
    }
  });

  it.each([
    ['LIBUSB_ERROR_ACCESS', /no permission .*udev rule/],
    ['LIBUSB_ERROR_BUSY', /held by a kernel driver .*modprobe -r btusb.*hci0/],
    ['LIBUSB_ERROR_NOT_SUPPORTED', /WinUSB .*Zadig/],
  ])('%s says what to do', (code, expected) => {
    expect(usbError({ kind: 'ids', vid: 1, pid: 2 }, new Error(code)).message).toMatch(expected);
  });
});
