/**
 * Device discovery as PyBluez offers it: `discoverDevices` runs an inquiry and, optionally, asks
 * each device for its name; `lookupName` asks one device for its name.
 */
import { parseBdAddr, type BdAddr } from '../core/index.js';
import type { Adapter } from './adapter.js';
import { defaultAdapter } from './default-adapter.js';
import { SocketError } from './errors.js';

export interface DiscoverOptions {
  /** Inquiry length in units of 1.28 s (1–48, default 8 ≈ 10 s). */
  duration?: number;
  /** Also read every device's name (from extended inquiry data, else a Remote Name Request). */
  lookupNames?: boolean;
  /** Also return the Class of Device. */
  lookupClass?: boolean;
  /** Stop after this many devices (0 = no limit). */
  maxResponses?: number;
  adapter?: Adapter;
  /** Called for every device as it is found. */
  onDevice?: (device: DiscoveredDevice) => void;
}

export interface DiscoveredDevice {
  address: BdAddr;
  name?: string;
  classOfDevice?: number;
  rssi?: number;
}

/** Runs an inquiry: addresses, or `{ address, name?, classOfDevice? }` with lookupNames/lookupClass. */
export async function discoverDevices(options: DiscoverOptions = {}): Promise<DiscoveredDevice[]> {
  const adapter = options.adapter ?? (await defaultAdapter());
  const duration = options.duration ?? 8;
  if (!Number.isInteger(duration) || duration < 1 || duration > 48) throw new SocketError('EINVAL', `duration is in units of 1.28 s, 1 to 48, not ${duration}`);
  adapter.ensureOpen('discover devices');
  const found = new Map<BdAddr, DiscoveredDevice>();
  const done = adapter.waitFor(
    (e) => {
      if (e.type === 'inquiry-result') {
        const prev = found.get(e.address);
        const device: DiscoveredDevice = { address: e.address, rssi: e.rssi ?? prev?.rssi, name: e.name ?? prev?.name, classOfDevice: e.classOfDevice };
        if (!prev) options.onDevice?.(device);
        found.set(e.address, device);
        return undefined;
      }
      return e.type === 'inquiry-complete' ? e.status : undefined;
    },
    duration * 1280 + 10_000,
    'the inquiry to complete',
  );
  adapter.driver.run((now) => adapter.stack.inquiry(duration, options.maxResponses ?? 0, now));
  await done;
  const devices = [...found.values()];
  if (options.lookupNames) {
    for (const d of devices) {
      if (d.name === undefined) {
        try {
          d.name = await lookupName(d.address, { adapter });
        } catch {
          d.name = undefined;
        }
      }
    }
  }
  return devices.map((d) => ({
    address: d.address,
    ...(options.lookupNames && d.name !== undefined ? { name: d.name } : {}),
    ...(options.lookupClass ? { classOfDevice: d.classOfDevice } : {}),
    ...(d.rssi !== undefined ? { rssi: d.rssi } : {}),
  }));
}

/** The user-friendly name of `address` (Remote Name Request). */
export async function lookupName(address: BdAddr, options: { adapter?: Adapter; timeoutMs?: number } = {}): Promise<string> {
  const addr = parseBdAddr(address);
  const adapter = options.adapter ?? (await defaultAdapter());
  adapter.ensureOpen(`read the name of ${addr}`);
  const answer = adapter.waitFor((e) => (e.type === 'remote-name' && e.address === addr ? e : undefined), options.timeoutMs ?? 30_000, `the name of ${addr}`);
  adapter.driver.run((now) => adapter.stack.remoteName(addr, now));
  const e = await answer;
  if (e.status !== 0) throw new SocketError('EHOSTDOWN', `could not read the name of ${addr}: controller status 0x${e.status.toString(16).padStart(2, '0')}`);
  return e.name;
}
