/**
 * `btc doctor`: what this machine has for a real adapter, and what is missing. It tries a socket
 * of the AF_BLUETOOTH family (through the HCI socket binding, which Node itself cannot open), lists
 * the adapters in /sys/class/bluetooth with up/down (from the kernel, when the socket works),
 * checks CAP_NET_ADMIN, which bindings and drivers load, the USB dongles the USB driver knows, and
 * whether a btvirt socket is there. Exit code 0 when a real adapter can be opened (a down adapter
 * with the user channel's needs met, or a USB dongle), 1 otherwise; virtual always works.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { bindingsFor, importPackage, loadBinding, messageOf, reasonOf, usbIds, type HciSocketClass, type HciSocketLike, type Importer, type UsbHciSocketLike } from '../../transport/index.js';
import { flag, type Parsed } from '../args.js';
import type { Command } from '../main.js';

/** CAP_NET_ADMIN's bit in /proc/PID/status CapEff (linux/capability.h). */
const CAP_NET_ADMIN_BIT = 12n;
const SYS_CLASS_BLUETOOTH = '/sys/class/bluetooth';
const BTVIRT_SOCKET = '/tmp/bt-server-bredr';

/** One adapter as the kernel lists it. */
export interface AdapterState {
  readonly name: string;
  /** From the kernel (HCIGETDEVINFO), when an AF_BLUETOOTH socket could be opened. */
  readonly up?: boolean;
}

export interface BindingState {
  readonly packageName: string;
  /** Undefined when it loads; else why not. */
  readonly error?: string;
}

export interface DoctorReport {
  readonly platform: string;
  /** True when a socket(AF_BLUETOOTH) succeeded; false when it failed; undefined when no binding could try. */
  readonly afBluetooth?: boolean;
  readonly afBluetoothError?: string;
  readonly sysClassBluetooth: boolean;
  readonly adapters: readonly AdapterState[];
  readonly root: boolean;
  readonly capNetAdmin: boolean;
  readonly bindings: readonly BindingState[];
  /** Undefined when the USB driver loads; else why not. */
  readonly usbDriverError?: string;
  /** `VID:PID` of the dongles the USB driver knows. */
  readonly usbDongles: readonly string[];
  readonly btvirt: { readonly path: string; readonly present: boolean };
}

/** What the doctor looks at (tests replace it). */
export interface DoctorProbes {
  platform: string;
  importer: Importer;
  sysClassBluetooth: string;
  procStatus: string;
  uid: number;
  btvirtPath: string;
}

export function defaultProbes(btvirtPath = BTVIRT_SOCKET): DoctorProbes {
  return { platform: process.platform, importer: importPackage, sysClassBluetooth: SYS_CLASS_BLUETOOTH, procStatus: '/proc/self/status', uid: process.getuid?.() ?? -1, btvirtPath };
}

/** CAP_NET_ADMIN in the effective set; where there is no such status file, whether this is root. */
function capNetAdmin(procStatus: string, root: boolean): boolean {
  let status: string;
  try {
    status = readFileSync(procStatus, 'utf8');
  } catch {
    return root;
  }
  const m = /^CapEff:\s*([0-9a-f]+)$/im.exec(status);
  return m ? ((BigInt(`0x${m[1]}`) >> CAP_NET_ADMIN_BIT) & 1n) === 1n : root;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

interface KernelDevice {
  devId: number | null;
  devUp: boolean | null;
}

/** Asks the kernel for its adapters through a binding's socket: the AF_BLUETOOTH socket attempt. */
async function kernelDevices(socket: HciSocketLike & { getDeviceList?: () => unknown }): Promise<{ ok: boolean; error?: string; devices: KernelDevice[] }> {
  if (typeof socket.getDeviceList !== 'function') return { ok: false, error: 'the binding cannot list devices', devices: [] };
  let failed: unknown;
  const onError = (e: Error) => {
    failed ??= e;
  };
  socket.on('error', onError);
  try {
    const devices = (await socket.getDeviceList()) as KernelDevice[];
    if (failed) return { ok: false, error: messageOf(failed), devices: [] };
    return { ok: true, devices };
  } catch (e) {
    return { ok: false, error: messageOf(e), devices: [] };
  } finally {
    socket.removeListener('error', onError);
  }
}

export async function examine(probes: DoctorProbes): Promise<DoctorReport> {
  const bindings: BindingState[] = [];
  let Native: HciSocketClass | undefined;
  for (const packageName of bindingsFor('native')) {
    try {
      const { Socket } = await loadBinding(packageName, 'native', probes.importer);
      Native ??= Socket;
      bindings.push({ packageName });
    } catch (e) {
      bindings.push({ packageName, error: reasonOf(e) });
    }
  }

  let afBluetooth: boolean | undefined;
  let afBluetoothError: string | undefined;
  let kernel: KernelDevice[] = [];
  if (Native) {
    const result = await kernelDevices(new Native());
    afBluetooth = result.ok;
    afBluetoothError = result.error;
    kernel = result.devices;
  }

  const sysClassBluetooth = existsSync(probes.sysClassBluetooth);
  const names = sysClassBluetooth ? readdirSync(probes.sysClassBluetooth).filter((n) => /^hci\d+$/.test(n)) : [];
  const adapters = names.sort().map((name): AdapterState => {
    const found = kernel.find((d) => d.devId === Number(name.slice(3)));
    return found && typeof found.devUp === 'boolean' ? { name, up: found.devUp } : { name };
  });

  let usbDriverError: string | undefined;
  let usbDongles: string[] = [];
  try {
    const [packageName] = bindingsFor('usb');
    const { Socket } = await loadBinding(packageName, 'usb', probes.importer);
    const socket = new Socket() as UsbHciSocketLike;
    usbDongles = (await socket.getDeviceList()).map((d) => usbIds(d.idVendor ?? 0, d.idProduct ?? 0));
  } catch (e) {
    usbDriverError = reasonOf(e);
  }

  return {
    platform: probes.platform,
    afBluetooth,
    afBluetoothError,
    sysClassBluetooth,
    adapters,
    root: probes.uid === 0,
    capNetAdmin: capNetAdmin(probes.procStatus, probes.uid === 0),
    bindings,
    usbDriverError,
    usbDongles,
    btvirt: { path: probes.btvirtPath, present: isSocket(probes.btvirtPath) },
  };
}

/** Whether a real adapter can be opened: the spec to use, or undefined. */
export function usableAdapter(r: DoctorReport): string | undefined {
  const binding = r.bindings.some((b) => !b.error);
  const down = r.adapters.find((a) => a.up === false);
  if (r.platform === 'linux' && binding && r.afBluetooth && r.capNetAdmin && down) return down.name;
  if (r.usbDongles.length > 0) return 'usb:0';
  return undefined;
}

/** The report as lines of `label  text`. */
export function describeReport(r: DoctorReport): string[] {
  const lines: [string, string][] = [];
  const kernel =
    r.afBluetooth === true
      ? 'yes: an AF_BLUETOOTH socket opens'
      : r.afBluetooth === false
        ? `no: socket(AF_BLUETOOTH) failed: ${r.afBluetoothError} (Linux: sudo modprobe bluetooth; in a container the host's kernel decides)`
        : `not tried (no binding loads); ${SYS_CLASS_BLUETOOTH} ${r.sysClassBluetooth ? 'exists' : 'is absent'}`;
  lines.push(['kernel Bluetooth', kernel]);
  const adapters = r.adapters.length
    ? r.adapters.map((a) => `${a.name} ${a.up === undefined ? '(up/down unknown)' : a.up ? 'UP (BlueZ has it: power it off for the user channel)' : 'down (ready for the user channel)'}`).join(', ')
    : `none in ${SYS_CLASS_BLUETOOTH}`;
  lines.push(['adapters', adapters]);
  const capabilities = r.capNetAdmin
    ? r.root
      ? 'root (CAP_NET_ADMIN)'
      : 'CAP_NET_ADMIN'
    : r.root
      ? 'root, but without CAP_NET_ADMIN (a container that dropped it: run it with --cap-add NET_ADMIN)'
      : 'no CAP_NET_ADMIN: run as root or `sudo setcap cap_net_admin,cap_net_raw+eip $(readlink -f $(which node))`';
  lines.push(['capabilities', capabilities]);
  lines.push(['bindings', r.bindings.map((b) => (b.error ? `${b.packageName}: does not load (${b.error})` : `${b.packageName}: loads`)).join('; ')]);
  lines.push(['USB driver', r.usbDriverError ? `does not load (${r.usbDriverError})` : `loads; known dongles: ${r.usbDongles.length ? r.usbDongles.join(', ') : 'none plugged in'}`]);
  lines.push(['btvirt', `${r.btvirt.path} ${r.btvirt.present ? 'is there: --transport h4:unix:' + r.btvirt.path : 'is absent (apt-get install bluez-test-tools; btvirt -s -l0)'}`]);
  const usable = usableAdapter(r);
  lines.push(['result', usable ? `a real adapter can be opened: --transport ${usable}` : 'no real adapter can be opened here; --transport virtual always works' + (r.btvirt.present ? ', and so does btvirt' : '')]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return lines.map(([label, text]) => label.padEnd(width) + text);
}

export const doctor: Command = {
  spec: {
    name: 'doctor',
    usage: 'doctor [--json] [--btvirt PATH]',
    summary: 'say what this machine has for a real adapter: kernel Bluetooth, adapters, capabilities, bindings, btvirt',
    options: [
      { name: 'json', help: 'the report as one JSON object' },
      { name: 'btvirt', value: 'PATH', help: 'where to look for a btvirt socket', default: BTVIRT_SOCKET },
    ],
    details: 'Exit code 0 when a real adapter can be opened (hciN down with its needs met, or a USB dongle), 1 otherwise.',
  },
  async run(args: Parsed): Promise<number> {
    const path = args.options.get('btvirt');
    const report = await examine(defaultProbes(typeof path === 'string' ? path : BTVIRT_SOCKET));
    if (flag(args, 'json')) process.stdout.write(JSON.stringify({ ...report, usable: usableAdapter(report) ?? null }) + '\n');
    else process.stdout.write(describeReport(report).join('\n') + '\n');
    return usableAdapter(report) ? 0 : 1;
  },
};
