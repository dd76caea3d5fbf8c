/**
 * The Linux HCI user channel (HCI_CHANNEL_USER: exclusive raw access to one adapter, the kernel's
 * Bluetooth stack stays out of the way) through the optional native addon
 * `@abandonware/bluetooth-hci-socket`, loaded only when `hci0`/`hci:N` is asked for. Each read and
 * write is one H4 packet, packet indicator first.
 *
 * Limit: the addon reads each packet into a 1024-byte buffer (indicator + 4-byte ACL header + data),
 * so ACL data from the controller must stay within 1019 bytes. The transport says so with
 * `maxAclData = 1019`; the host announces it with Host Buffer Size.
 *
 * Needs: Linux with kernel Bluetooth (AF_BLUETOOTH), CAP_NET_ADMIN, and the adapter down (not
 * managed by BlueZ). Each missing piece fails with one `TransportError` saying what to do.
 */
import { existsSync } from 'node:fs';
import { InvalidStateError, TransportError } from '../core/index.js';
import { errnoOf, messageOf } from './errors.js';
import type { Transport } from './transport.js';

/** 1024-byte addon read buffer − 1 indicator − 4 ACL header. */
export const USER_CHANNEL_MAX_ACL_DATA = 1019;

const ADDON = '@abandonware/bluetooth-hci-socket';

/** The part of the addon's socket this transport uses. */
export interface HciSocketLike {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  bindUser(devId: number): unknown;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
}

export interface UserChannelOptions {
  /** Loads the addon (tests replace it). */
  load?: () => Promise<unknown>;
  /** Whether the kernel has Bluetooth (tests replace it); by default /sys/class/bluetooth exists on Linux. */
  kernelBluetooth?: () => boolean;
  platform?: string;
}

const FALLBACK = 'or use --transport virtual, or h4:unix:/tmp/bt-server-bredr with btvirt';

/** One clear error for a failure to open adapter `index`. */
export function userChannelError(index: number, error: unknown): TransportError {
  const code = errnoOf(error);
  const text = messageOf(error);
  const name = `hci${index}`;
  if (code === 'EAFNOSUPPORT' || /address family not supported/i.test(text)) return noKernelBluetooth(error);
  if (code === 'EPERM' || code === 'EACCES' || /operation not permitted|permission denied/i.test(text)) {
    return new TransportError(
      `opening ${name} as an HCI user channel needs CAP_NET_ADMIN: run as root, or grant node the capability with ` +
        '`sudo setcap cap_net_admin,cap_net_raw+eip $(readlink -f $(which node))`',
      { cause: error },
    );
  }
  if (code === 'EBUSY' || /device or resource busy/i.test(text)) {
    return new TransportError(
      `${name} is up or in use by BlueZ (EBUSY): power it off with \`sudo btmgmt --index ${index} power off\` or \`sudo hciconfig ${name} down\``,
      { cause: error },
    );
  }
  if (code === 'ENODEV' || /no such device/i.test(text)) {
    return new TransportError(`there is no adapter ${name} (ENODEV): list adapters with \`btmgmt info\` or \`ls /sys/class/bluetooth\``, { cause: error });
  }
  return new TransportError(`cannot open ${name} as an HCI user channel: ${text}`, { cause: error });
}

function noKernelBluetooth(cause?: unknown): TransportError {
  return new TransportError(
    `no kernel Bluetooth support (AF_BLUETOOTH unavailable): the HCI user channel needs Linux with the bluetooth module loaded (sudo modprobe bluetooth) and an adapter; ${FALLBACK}`,
    { cause },
  );
}

export class UserChannelTransport implements Transport {
  readonly description: string;
  readonly vendorPackets = true;
  readonly maxAclData = USER_CHANNEL_MAX_ACL_DATA;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private closed = false;

  constructor(
    private readonly socket: HciSocketLike,
    readonly index: number,
  ) {
    this.description = `hci${index} (HCI user channel)`;
    socket.on('error', (e: Error) => this.finish(userChannelError(index, e)));
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new InvalidStateError(`${this.description} is closed`);
    this.socket.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** Registers the one receiver; a later call replaces it. */
  onData(handler: (bytes: Uint8Array) => void): void {
    const first = !this.dataHandler;
    this.dataHandler = handler;
    if (first) this.socket.on('data', (data: Buffer) => this.dataHandler?.(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  async close(): Promise<void> {
    this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.stop();
    } finally {
      this.closeHandler?.(error);
    }
  }
}

/** Opens adapter `index` (hci0 = 0) as an HCI user channel. */
export async function openUserChannel(index: number, options: UserChannelOptions = {}): Promise<UserChannelTransport> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') throw new TransportError(`the HCI user channel exists only on Linux (this is ${platform}); ${FALLBACK}`);
  const kernelBluetooth = options.kernelBluetooth ?? (() => existsSync('/sys/class/bluetooth'));
  if (!kernelBluetooth()) throw noKernelBluetooth();
  let mod: unknown;
  try {
    mod = await (options.load ?? (() => import(ADDON)))();
  } catch (e) {
    throw new TransportError(`the HCI user channel needs the optional dependency ${ADDON}: npm install ${ADDON} (${messageOf(e)}); ${FALLBACK}`, { cause: e });
  }
  const Socket = ((mod as { default?: unknown }).default ?? mod) as new () => HciSocketLike;
  if (typeof Socket !== 'function') throw new TransportError(`${ADDON} did not export a socket class: reinstall it (npm install ${ADDON})`);
  let socket: HciSocketLike;
  try {
    socket = new Socket();
    socket.bindUser(index);
    socket.start();
  } catch (e) {
    throw userChannelError(index, e);
  }
  return new UserChannelTransport(socket, index);
}
