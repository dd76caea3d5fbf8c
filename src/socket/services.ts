/**
 * Service discovery and advertising as PyBluez offers them: `findService` queries SDP servers for
 * services by UUID and/or name (one device, or every device an inquiry finds when no address is
 * given); `advertiseService` publishes an SPP-style record for a listening socket;
 * `stopAdvertising` withdraws it.
 */
import { parseBdAddr, Uuid, UUID16, type BdAddr } from '../core/index.js';
import { de, l2capServiceRecord, serialPortRecord, serviceRecord, type ServiceInfo } from '../sdp/index.js';

const { uint8 } = de;
import type { Adapter } from './adapter.js';
import { L2CAP, type BluetoothSocket } from './bluetooth-socket.js';
import { defaultAdapter } from './default-adapter.js';
import { discoverDevices } from './discovery.js';
import { errnoForClose, SocketError } from './errors.js';

export const SERIAL_PORT_CLASS = '1101';
export const SERIAL_PORT_PROFILE: [string, number] = ['1101', 0x0102];
export const PUBLIC_BROWSE_GROUP = '1002';

export interface FoundService {
  host: BdAddr;
  name?: string;
  description?: string;
  provider?: string;
  protocol: 'RFCOMM' | 'L2CAP' | undefined;
  /** RFCOMM channel or L2CAP PSM. */
  port?: number;
  serviceClasses: string[];
  profiles: [string, number][];
  serviceId?: string;
}

export interface FindServiceOptions {
  name?: string;
  uuid?: string;
  /** The device to ask; without it an inquiry runs and every device found is asked. */
  address?: BdAddr;
  adapter?: Adapter;
  /** Inquiry length when there is no `address`, in units of 1.28 s (1–48, default 8 ≈ 10 s). */
  duration?: number;
  /** How long each device may take to answer (default 30 s). */
  timeoutMs?: number;
}

/**
 * Services matching `uuid` (default: the public browse group) and `name`: of `address`, or, as
 * PyBluez does without one, of every device nearby (an inquiry, then each device in turn; devices
 * that do not answer SDP are skipped).
 */
export async function findService(options: FindServiceOptions = {}): Promise<FoundService[]> {
  const pattern = options.uuid ? Uuid.parse(options.uuid) : Uuid.from16(UUID16.PublicBrowseRoot);
  const adapter = options.adapter ?? (await defaultAdapter());
  if (options.address !== undefined) return servicesOf(parseBdAddr(options.address), pattern, adapter, options);
  const found: FoundService[] = [];
  for (const device of await discoverDevices({ adapter, duration: options.duration })) {
    try {
      found.push(...(await servicesOf(device.address, pattern, adapter, options)));
    } catch (error) {
      if (!(error instanceof SocketError)) throw error;
    }
  }
  return found;
}

async function servicesOf(address: BdAddr, pattern: Uuid, adapter: Adapter, options: FindServiceOptions): Promise<FoundService[]> {
  adapter.ensureOpen(`query the services of ${address}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const services = await new Promise<ServiceInfo[]>((resolve, reject) => {
    let id = 0;
    const timer = setTimeout(() => {
      adapter.disown(id);
      reject(new SocketError('ETIMEDOUT', `no SDP answer from ${address} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    adapter.driver.runAttached(
      (now) => adapter.stack.sdpQuery(address, [pattern], now),
      (queryId) => {
        id = queryId;
        adapter.own(id, (e) => {
          if (e.type !== 'sdp-result' && e.type !== 'sdp-failed') return;
          clearTimeout(timer);
          adapter.disown(id);
          if (e.type === 'sdp-result') resolve(e.services);
          else reject(new SocketError(errnoForClose(e.reason), `SDP query to ${address} failed: ${e.message}`));
        });
      },
    );
  });
  return services
    .map((s) => toFound(address, s))
    .filter((s) => options.name === undefined || s.name === options.name);
}

function toFound(host: BdAddr, s: ServiceInfo): FoundService {
  return {
    host,
    name: s.name,
    description: s.description,
    provider: s.provider,
    protocol: s.protocol,
    port: s.protocol === 'RFCOMM' ? s.channel : s.protocol === 'L2CAP' ? s.psm : undefined,
    serviceClasses: s.serviceClasses.map(uuidText),
    profiles: s.profiles.map((p) => [uuidText(p.uuid), p.version]),
    serviceId: s.serviceId?.toString(),
  };
}

function uuidText(u: Uuid): string {
  const s = u.short();
  return s.size === 16 ? s.toString() : s.toString().slice(2).toUpperCase().padStart(4, '0');
}

export interface AdvertiseOptions {
  /** A 128-bit service UUID identifying this service (PyBluez `service_id`). */
  serviceId?: string;
  /** Service classes (default: [serviceId?, SERIAL_PORT_CLASS]). */
  serviceClasses?: string[];
  /** Profiles as [uuid, version] (default: [SERIAL_PORT_PROFILE]). */
  profiles?: [string, number][];
  description?: string;
  provider?: string;
}

const advertised = new WeakMap<BluetoothSocket, number>();

/** Publishes an SDP record for a listening socket so that others can find its channel. */
export function advertiseService(sock: BluetoothSocket, name: string, options: AdvertiseOptions = {}): void {
  const adapter = sock.adapterInUse;
  if (!adapter) throw new SocketError('EINVAL', 'advertiseService() needs a socket that is listening (bind + listen first)');
  const port = sock.getsockname()[1];
  if (port === 0) throw new SocketError('EINVAL', 'advertiseService() needs a socket that is listening (bind + listen first)');
  stopAdvertising(sock);
  const serviceId = options.serviceId ? Uuid.parse(options.serviceId) : undefined;
  const classes = (options.serviceClasses ?? [SERIAL_PORT_CLASS]).map((u) => Uuid.parse(u)).filter((u) => !serviceId || !u.equals(serviceId));
  const profiles = (options.profiles ?? [SERIAL_PORT_PROFILE]).map(([u, version]) => ({ uuid: Uuid.parse(u), version }));
  const text = { name, description: options.description, provider: options.provider };
  const record =
    sock.proto === L2CAP
      ? l2capServiceRecord({ psm: port, uuid: serviceId ?? classes[0], serviceClasses: serviceId ? classes : classes.slice(1), profiles, ...text })
      : isPlainSerialPort(classes, profiles)
        ? serialPortRecord({ channel: port, uuid: serviceId, ...text })
        : serviceRecord({
            serviceClasses: [...(serviceId ? [serviceId] : []), ...classes],
            serviceId,
            protocols: [{ uuid: Uuid.from16(UUID16.L2CAP) }, { uuid: Uuid.from16(UUID16.RFCOMM), parameters: [uint8(port)] }],
            profiles,
            ...text,
          });
  advertised.set(sock, adapter.stack.advertise(record));
}

/** Whether the record is exactly the Serial Port one (`serialPortRecord` builds it). */
function isPlainSerialPort(classes: Uuid[], profiles: { uuid: Uuid; version: number }[]): boolean {
  const spp = Uuid.from16(UUID16.SerialPort);
  return classes.length === 1 && classes[0].equals(spp) && profiles.length === 1 && profiles[0].uuid.equals(spp) && profiles[0].version === 0x0102;
}

/** Withdraws the record `advertiseService` published for `sock`. */
export function stopAdvertising(sock: BluetoothSocket): void {
  const handle = advertised.get(sock);
  if (handle === undefined) return;
  advertised.delete(sock);
  sock.adapterInUse?.stack.unadvertise(handle);
}
