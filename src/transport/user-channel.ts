/**
 * The Linux HCI user channel (HCI_CHANNEL_USER: exclusive raw access to one adapter, the kernel's
 * Bluetooth stack stays out of the way) through an optional native binding (hci-socket-binding.ts:
 * the prebuilt `@stoprocent/bluetooth-hci-socket`, else `@abandonware/bluetooth-hci-socket`),
 * loaded only when `hci0`/`hci:N` is asked for. Each read and write is one H4 packet, packet
 * indicator first.
 *
 * Limit: both bindings read each packet into a 1024-byte buffer (indicator + 4-byte ACL header +
 * data), so ACL data from the controller must stay within 1019 bytes. The transport says so with
 * `maxAclData = 1019`; the host announces it with Host Buffer Size.
 *
 * Needs: Linux with kernel Bluetooth (AF_BLUETOOTH), CAP_NET_ADMIN, and the adapter down (not
 * managed by BlueZ). Each missing piece fails with one `TransportError` saying what to do.
 */
import { existsSync } from 'node:fs';
import { TransportError } from '../core/index.js';
import { errnoOf, messageOf } from './errors.js';
import { bindCatching, importPackage, loadHciSocketBinding, type HciSocketLike, type Importer } from './hci-socket-binding.js';
import { HciSocketTransport } from './hci-socket-transport.js';

export type { HciSocketLike } from './hci-socket-binding.js';

/** 1024-byte binding read buffer − 1 indicator − 4 ACL header. */
export const USER_CHANNEL_MAX_ACL_DATA = 1019;

export interface UserChannelOptions {
  /** Imports a binding by package name (tests replace it). */
  importer?: Importer;
  /** Whether the kernel has Bluetooth (tests replace it); by default /sys/class/bluetooth exists. */
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

const NO_KERNEL_BLUETOOTH = 'no kernel Bluetooth support (AF_BLUETOOTH unavailable)';

function noKernelBluetooth(cause?: unknown): TransportError {
  return new TransportError(
    `${NO_KERNEL_BLUETOOTH}: the HCI user channel needs Linux with the bluetooth module loaded (sudo modprobe bluetooth) and an adapter (\`btc doctor\` says what this machine has); ${FALLBACK}`,
    { cause },
  );
}

/** Whether the kernel has Bluetooth: the bluetooth module registers /sys/class/bluetooth. */
export function kernelHasBluetooth(): boolean {
  return existsSync('/sys/class/bluetooth');
}

export class UserChannelTransport extends HciSocketTransport {
  constructor(
    socket: HciSocketLike,
    readonly index: number,
    binding = 'a test socket',
  ) {
    super(socket, `hci${index} (HCI user channel)`, binding, (e) => userChannelError(index, e), USER_CHANNEL_MAX_ACL_DATA);
  }
}

/**
 * Opens adapter `index` (hci0 = 0) as an HCI user channel, through the first binding that loads.
 * Without one, the error names the packages to install, and says so when this machine could not
 * open a user channel even with one (no kernel Bluetooth).
 */
export async function openUserChannel(index: number, options: UserChannelOptions = {}): Promise<UserChannelTransport> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new TransportError(`the HCI user channel exists only on Linux (this is ${platform}); a USB dongle may work through --transport usb:VID:PID, ${FALLBACK}`);
  }
  const kernelBluetooth = options.kernelBluetooth ?? kernelHasBluetooth;
  const { packageName, Socket } = await loadHciSocketBinding(
    'native',
    options.importer ?? importPackage,
    kernelBluetooth() ? undefined : `note that this machine could not open a user channel even with one: ${NO_KERNEL_BLUETOOTH}; ${FALLBACK}`,
  );
  let socket: HciSocketLike;
  try {
    socket = new Socket();
  } catch (e) {
    throw userChannelError(index, e);
  }
  const failed = bindCatching(socket, () => socket.bindUser(index));
  if (failed) throw userChannelError(index, failed);
  try {
    socket.start();
  } catch (e) {
    throw userChannelError(index, e);
  }
  return new UserChannelTransport(socket, index, packageName);
}
