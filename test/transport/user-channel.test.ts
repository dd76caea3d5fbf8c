import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/core/index.js';
import { openTransport } from '../../src/transport/open.js';
import { loadHciSocketBinding, PREBUILT_BINDING, SOURCE_BINDING } from '../../src/transport/hci-socket-binding.js';
import { kernelHasBluetooth, openUserChannel, userChannelError, USER_CHANNEL_MAX_ACL_DATA } from '../../src/transport/user-channel.js';

const hasKernelBluetooth = kernelHasBluetooth();

/** An importer that gives the prebuilt binding's shape with `Socket` as its native driver. */
const prebuilt = (Socket: unknown) => async (name: string) => {
  if (name !== PREBUILT_BINDING) throw new Error(`Cannot find package '${name}'`);
  return { loadDriver: (driver: string) => (driver === 'native' ? Socket : undefined) };
};

describe('HCI user channel', () => {
  it('loads the real prebuilt binding, whose bind then fails for want of kernel Bluetooth (or of hci99 where there is Bluetooth)', async () => {
    const loaded = await loadHciSocketBinding('native');
    expect(loaded.packageName).toBe(PREBUILT_BINDING);
    expect(typeof loaded.Socket).toBe('function');
    const err = await openTransport('hci:99').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    if (hasKernelBluetooth) {
      expect((err as Error).message).toMatch(/no adapter hci99 \(ENODEV\)|CAP_NET_ADMIN/);
    } else {
      expect((err as Error).message).toMatch(/^no kernel Bluetooth support \(AF_BLUETOOTH unavailable\).*virtual.*btvirt/);
      expect(((err as Error).cause as Error).message).toBe('Address family not supported by protocol');
    }
  });

  it('with neither binding it says which to install, and why this machine could not use one', async () => {
    const missing = async (name: string) => {
      throw new Error(`Cannot find package '${name}'`);
    };
    const withKernel = await openUserChannel(0, { platform: 'linux', kernelBluetooth: () => true, importer: missing }).catch((e: unknown) => e);
    expect(withKernel).toBeInstanceOf(TransportError);
    const message = (withKernel as Error).message;
    expect(message).toContain(`npm install ${PREBUILT_BINDING} (prebuilt for Linux x64, arm and arm64: no compiler needed), or ${SOURCE_BINDING} (builds from source`);
    expect(message).toContain(`${PREBUILT_BINDING}: Cannot find package '${PREBUILT_BINDING}'; ${SOURCE_BINDING}: Cannot find package`);
    expect(message).not.toMatch(/AF_BLUETOOTH/);
    const without = await openUserChannel(0, { platform: 'linux', kernelBluetooth: () => false, importer: missing }).catch((e: unknown) => e);
    expect((without as Error).message).toMatch(/npm install .*; note that this machine could not open a user channel even with one: no kernel Bluetooth support \(AF_BLUETOOTH unavailable\).*virtual/);
  });

  it('prefers the prebuilt binding and falls back to the one built from source', async () => {
    class Socket extends EventEmitter {
      bindUser(): void {}
      start(): void {}
      stop(): void {}
      write(): void {}
    }
    const both = await openUserChannel(0, {
      platform: 'linux',
      importer: async (name) => (name === PREBUILT_BINDING ? { loadDriver: () => Socket } : { default: Socket }),
    });
    expect(both.binding).toBe(PREBUILT_BINDING);
    await both.close();
    const fallback = await openUserChannel(0, {
      platform: 'linux',
      importer: async (name) => {
        if (name === PREBUILT_BINDING) throw new Error('No native build was found for platform=linux arch=riscv64');
        return { default: Socket };
      },
    });
    expect(fallback.binding).toBe(SOURCE_BINDING);
    await fallback.close();
  });

  it("a binding that reports socket() failing as an 'error' event (the prebuilt one does) fails the open", async () => {
    class EmittingSocket extends EventEmitter {
      bindUser(): void {
        this.emit('error', Object.assign(new Error('Address family not supported by protocol'), { errno: 97, syscall: 'socket creation failed' }));
      }
      start(): void {
        throw new Error('start must not be reached');
      }
      stop(): void {}
      write(): void {}
    }
    await expect(openUserChannel(0, { platform: 'linux', importer: prebuilt(EmittingSocket) })).rejects.toThrow(/^no kernel Bluetooth support \(AF_BLUETOOTH unavailable\)/);
  });

  it('is Linux-only', async () => {
    await expect(openUserChannel(0, { platform: 'darwin' })).rejects.toThrow(/only on Linux \(this is darwin\)/);
  });

  it.each([
    ['EPERM', 'Operation not permitted', /CAP_NET_ADMIN.*setcap cap_net_admin,cap_net_raw\+eip/],
    ['EBUSY', 'Device or resource busy', /hci1 is up or in use by BlueZ.*btmgmt --index 1 power off.*hciconfig hci1 down/],
    ['ENODEV', 'No such device', /no adapter hci1/],
    ['EAFNOSUPPORT', 'Address family not supported by protocol', /AF_BLUETOOTH unavailable/],
  ])('%s from the addon becomes a TransportError saying what to do', async (code, message, expected) => {
    class FailingSocket extends EventEmitter {
      bindUser(): void {
        throw Object.assign(new Error(message), { code });
      }
      start(): void {}
      stop(): void {}
      write(): void {}
    }
    const err = await openUserChannel(1, { platform: 'linux', kernelBluetooth: () => true, importer: prebuilt(FailingSocket) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(expected);
    expect(userChannelError(1, new Error(message)).message).toMatch(expected);
  });

  it('carries whole H4 packets and announces the 1019-byte ACL limit', async () => {
    const written: Buffer[] = [];
    let bound = -1;
    let stopped = false;
    class FakeSocket extends EventEmitter {
      bindUser(i: number): void {
        bound = i;
      }
      start(): void {}
      stop(): void {
        stopped = true;
      }
      write(b: Buffer): void {
        written.push(Buffer.from(b));
      }
    }
    let instance: FakeSocket | undefined;
    const Tracked = class extends FakeSocket {
      constructor() {
        super();
        instance = this;
      }
    };
    const t = await openUserChannel(2, { platform: 'linux', kernelBluetooth: () => true, importer: prebuilt(Tracked) });
    expect(bound).toBe(2);
    expect(t.maxAclData).toBe(USER_CHANNEL_MAX_ACL_DATA);
    expect(USER_CHANNEL_MAX_ACL_DATA).toBe(1024 - 1 - 4);
    expect(t.description).toBe('hci2 (HCI user channel)');
    expect(t.binding).toBe(PREBUILT_BINDING);
    const got: number[][] = [];
    t.onData((b) => got.push([...b]));
    instance!.emit('data', Buffer.from([4, 0x0e, 4, 1, 3, 0x0c, 0]));
    expect(got).toEqual([[4, 0x0e, 4, 1, 3, 0x0c, 0]]);
    t.write(Uint8Array.of(1, 3, 0x0c, 0));
    expect(written.map((b) => [...b])).toEqual([[1, 3, 0x0c, 0]]);
    const closed = new Promise<Error | undefined>((r) => t.onClose(r));
    instance!.emit('error', Object.assign(new Error('Network is down'), { code: 'ENETDOWN' }));
    const error = await closed;
    expect(error).toBeInstanceOf(TransportError);
    expect(stopped).toBe(true);
    expect(() => t.write(Uint8Array.of(1))).toThrow(/closed/);
  });
});
