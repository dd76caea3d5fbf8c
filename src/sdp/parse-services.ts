/**
 * What an application wants from a service record (Core v5.4 Vol 3 Part B §5.1), in the shape of
 * PyBluez's `find_service` results: names in the primary language (§5.1.15: the language base
 * from LanguageBaseAttributeIDList, default 0x0100, trailing NULs dropped), the service classes,
 * the profiles with their versions, and how to connect: `RFCOMM` with its server channel when the
 * ProtocolDescriptorList holds RFCOMM, else `L2CAP` with its PSM. Values of an unexpected shape are
 * skipped rather than rejected: a peer's odd record still yields what can be read from it.
 */
import { Uuid, UUID16, fromUtf8 } from '../core/index.js';
import type { ServiceRecord } from './service-record.js';
import { ATTRIBUTE_ID, LANGUAGE_OFFSET, PRIMARY_LANGUAGE_BASE } from './wire/constants.js';
import type { DataElement } from './wire/data-element.js';

export interface ServiceInfo {
  readonly handle: number | undefined;
  readonly name?: string;
  readonly description?: string;
  readonly provider?: string;
  readonly serviceId?: Uuid;
  readonly serviceClasses: Uuid[];
  readonly profiles: { uuid: Uuid; version: number }[];
  readonly protocol: 'RFCOMM' | 'L2CAP' | undefined;
  readonly channel?: number;
  readonly psm?: number;
}

const L2CAP = Uuid.from16(UUID16.L2CAP);
const RFCOMM = Uuid.from16(UUID16.RFCOMM);

function items(el: DataElement | undefined): readonly DataElement[] {
  return el && (el.type === 'sequence' || el.type === 'alternative') ? el.items : [];
}

function smallUint(el: DataElement | undefined): number | undefined {
  return el && el.type === 'uint' && el.size <= 4 ? (el.value as number) : undefined;
}

function uuidOf(el: DataElement | undefined): Uuid | undefined {
  return el && el.type === 'uuid' ? el.value : undefined;
}

function textAt(record: ServiceRecord, id: number): string | undefined {
  const el = record.get(id);
  if (!el || el.type !== 'text') return undefined;
  return fromUtf8(el.bytes).replace(/\0+$/, '');
}

function languageBase(record: ServiceRecord): number {
  const triplets = items(record.get(ATTRIBUTE_ID.LanguageBaseAttributeIDList));
  return smallUint(triplets[2]) ?? PRIMARY_LANGUAGE_BASE;
}

/** The protocol stack: the first alternative when the list is a data element alternative. */
function protocolStack(record: ServiceRecord): readonly DataElement[] {
  const el = record.get(ATTRIBUTE_ID.ProtocolDescriptorList);
  if (el?.type === 'alternative') return items(el.items[0]);
  return items(el);
}

export function parseService(record: ServiceRecord): ServiceInfo {
  const base = languageBase(record);
  let psm: number | undefined;
  let channel: number | undefined;
  let hasL2cap = false;
  let hasRfcomm = false;
  for (const layer of protocolStack(record)) {
    const [id, param] = items(layer);
    const u = uuidOf(id);
    if (!u) continue;
    if (u.equals(L2CAP)) {
      hasL2cap = true;
      psm = smallUint(param) ?? psm;
    } else if (u.equals(RFCOMM)) {
      hasRfcomm = true;
      channel = smallUint(param) ?? channel;
    }
  }
  const profiles: { uuid: Uuid; version: number }[] = [];
  for (const p of items(record.get(ATTRIBUTE_ID.BluetoothProfileDescriptorList))) {
    const [id, version] = items(p);
    const u = uuidOf(id);
    const v = smallUint(version);
    if (u && v !== undefined) profiles.push({ uuid: u, version: v });
  }
  const info: ServiceInfo = {
    handle: smallUint(record.get(ATTRIBUTE_ID.ServiceRecordHandle)),
    name: textAt(record, base + LANGUAGE_OFFSET.ServiceName),
    description: textAt(record, base + LANGUAGE_OFFSET.ServiceDescription),
    provider: textAt(record, base + LANGUAGE_OFFSET.ProviderName),
    serviceId: uuidOf(record.get(ATTRIBUTE_ID.ServiceID)),
    serviceClasses: items(record.get(ATTRIBUTE_ID.ServiceClassIDList)).flatMap((el) => uuidOf(el) ?? []),
    profiles,
    protocol: hasRfcomm ? 'RFCOMM' : hasL2cap ? 'L2CAP' : undefined,
    channel: hasRfcomm ? channel : undefined,
    psm: hasRfcomm ? undefined : psm,
  };
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as unknown as ServiceInfo;
}

export function parseServices(records: readonly ServiceRecord[]): ServiceInfo[] {
  return records.map(parseService);
}

/** PyBluez `find_service(name, uuid)` filtering: exact name, and a UUID among classes, profiles or ServiceID. */
export function findServices(services: readonly ServiceInfo[], query: { name?: string; uuid?: Uuid } = {}): ServiceInfo[] {
  return services.filter((s) => {
    if (query.name !== undefined && s.name !== query.name) return false;
    if (query.uuid) {
      const u = query.uuid;
      const hit = s.serviceClasses.some((c) => c.equals(u)) || s.profiles.some((p) => p.uuid.equals(u)) || (s.serviceId?.equals(u) ?? false);
      if (!hit) return false;
    }
    return true;
  });
}
