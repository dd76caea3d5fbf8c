import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/core/index.js';
import { openTransport } from '../../src/transport/open.js';
import { openUserChannel, userChannelError, USER_CHANNEL_MAX_ACL_DATA } from '../../src/transport/user-channel.js';

const hasKernelBluetooth = (await import('node:fs')).existsSync('/sys/class/bluetooth');

describe('HCI user channel', () => {
  it.skipIf(hasKernelBluetooth)('on this machine (no AF_BLUETOOTH) hci0 fails with one clear error', async () => {
    const err = await openTransport('hci0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/^no kernel Bluetooth support \(AF_BLUETOOTH unavailable\).*virtual.*btvirt/);
  });

  it('a missing addon says which package to install', async () => {
    const err = await openUserChannel(0, {
      platform: 'linux',
      kernelBluetooth: () => true,
      load: () => Promise.reject(new Error("Cannot find package '@abandonware/bluetooth-hci-socket'")),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/npm install @abandonware\/bluetooth-hci-socket/);
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
    const err = await openUserChannel(1, { platform: 'linux', kernelBluetooth: () => true, load: async () => ({ default: FailingSocket }) }).catch(
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
    const t = await openUserChannel(2, { platform: 'linux', kernelBluetooth: () => true, load: async () => Tracked });
    expect(bound).toBe(2);
    expect(t.maxAclData).toBe(USER_CHANNEL_MAX_ACL_DATA);
    expect(USER_CHANNEL_MAX_ACL_DATA).toBe(1024 - 1 - 4);
    expect(t.description).toBe('hci2 (HCI user channel)');
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
