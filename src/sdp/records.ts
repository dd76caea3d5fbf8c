/**
 * Service records a program advertises (Core v5.4 Vol 3 Part B §5.1; Serial Port Profile 1.2 §6).
 *
 * `serialPortRecord` builds the record a PyBluez user gets from
 * `advertise_service(sock, name, service_id=uuid, service_classes=[uuid, SERIAL_PORT_CLASS],
 * profiles=[SERIAL_PORT_PROFILE])`:
 *
 *   0x0001 ServiceClassIDList            [uuid?, SerialPort 0x1101]
 *   0x0003 ServiceID                     uuid (when given)
 *   0x0004 ProtocolDescriptorList        [[L2CAP 0x0100], [RFCOMM 0x0003, uint8 channel]]
 *   0x0005 BrowseGroupList               [PublicBrowseRoot 0x1002]
 *   0x0006 LanguageBaseAttributeIDList   [uint16 "en" 0x656e, uint16 UTF-8 106, uint16 0x0100]
 *   0x0009 BluetoothProfileDescriptorList [[SerialPort 0x1101, uint16 0x0102]]
 *   0x0100 ServiceName, 0x0101 ServiceDescription, 0x0102 ProviderName (text, when given)
 *
 * `serviceRecord` is the same shape for any service classes and protocol stack, and
 * `l2capServiceRecord` the one for a service reached directly on an L2CAP PSM. The handle
 * (attribute 0x0000) is added by `SdpDatabase.add`.
 */
import { ArgumentError, Uuid, UUID16 } from '../core/index.js';
import { sequence, text, uint16, uint8, uuid } from './wire/build-data-element.js';
import { ATTRIBUTE_ID, LANGUAGE_OFFSET, PRIMARY_LANGUAGE_BASE } from './wire/constants.js';
import type { DataElement } from './wire/data-element.js';

export interface ProtocolDescriptor {
  readonly uuid: Uuid;
  readonly parameters?: readonly DataElement[];
}

export interface ProfileDescriptor {
  readonly uuid: Uuid;
  /** Major/minor version as 0xMMmm, e.g. 0x0102 for 1.2. */
  readonly version: number;
}

export interface ServiceRecordSpec {
  readonly serviceClasses: readonly Uuid[];
  readonly protocols: readonly ProtocolDescriptor[];
  readonly profiles?: readonly ProfileDescriptor[];
  readonly name?: string;
  readonly description?: string;
  readonly provider?: string;
  readonly serviceId?: Uuid;
  /** Browse groups the record is listed in (default: the PublicBrowseRoot). */
  readonly browseGroups?: readonly Uuid[];
  /** Further attributes, added as given (they may not replace the ones above). */
  readonly attributes?: ReadonlyMap<number, DataElement>;
}

/** ISO 639 "en" and the IANA MIBenum of UTF-8, the language base PyBluez and BlueZ advertise. */
const LANGUAGE_EN = 0x656e;
const ENCODING_UTF8 = 106;
export const SERIAL_PORT_PROFILE_VERSION = 0x0102;

export function serviceRecord(spec: ServiceRecordSpec): Map<number, DataElement> {
  if (spec.serviceClasses.length === 0) throw new ArgumentError('a service record needs at least one service class UUID');
  const r = new Map<number, DataElement>();
  r.set(ATTRIBUTE_ID.ServiceClassIDList, sequence(...spec.serviceClasses.map(uuid)));
  if (spec.serviceId) r.set(ATTRIBUTE_ID.ServiceID, uuid(spec.serviceId));
  if (spec.protocols.length > 0) {
    r.set(ATTRIBUTE_ID.ProtocolDescriptorList, sequence(...spec.protocols.map((p) => sequence(uuid(p.uuid), ...(p.parameters ?? [])))));
  }
  const groups = spec.browseGroups ?? [Uuid.from16(UUID16.PublicBrowseRoot)];
  if (groups.length > 0) r.set(ATTRIBUTE_ID.BrowseGroupList, sequence(...groups.map(uuid)));
  const names = spec.name !== undefined || spec.description !== undefined || spec.provider !== undefined;
  if (names) r.set(ATTRIBUTE_ID.LanguageBaseAttributeIDList, sequence(uint16(LANGUAGE_EN), uint16(ENCODING_UTF8), uint16(PRIMARY_LANGUAGE_BASE)));
  if (spec.profiles && spec.profiles.length > 0) {
    r.set(ATTRIBUTE_ID.BluetoothProfileDescriptorList, sequence(...spec.profiles.map((p) => sequence(uuid(p.uuid), uint16(p.version)))));
  }
  if (spec.name !== undefined) r.set(PRIMARY_LANGUAGE_BASE + LANGUAGE_OFFSET.ServiceName, text(spec.name));
  if (spec.description !== undefined) r.set(PRIMARY_LANGUAGE_BASE + LANGUAGE_OFFSET.ServiceDescription, text(spec.description));
  if (spec.provider !== undefined) r.set(PRIMARY_LANGUAGE_BASE + LANGUAGE_OFFSET.ProviderName, text(spec.provider));
  for (const [id, v] of spec.attributes ?? []) {
    if (r.has(id) || id === ATTRIBUTE_ID.ServiceRecordHandle) throw new ArgumentError(`attribute 0x${id.toString(16).padStart(4, '0')} is already set by the record`);
    r.set(id, v);
  }
  return r;
}

export interface SerialPortRecordOptions {
  /** RFCOMM server channel, 1..30. */
  readonly channel: number;
  readonly name: string;
  /** A custom service UUID, listed before SerialPort and used as ServiceID. */
  readonly uuid?: Uuid;
  readonly description?: string;
  readonly provider?: string;
}

export function serialPortRecord(o: SerialPortRecordOptions): Map<number, DataElement> {
  if (!Number.isInteger(o.channel) || o.channel < 1 || o.channel > 30) {
    throw new ArgumentError(`RFCOMM server channel ${o.channel} is outside 1..30`);
  }
  const spp = Uuid.from16(UUID16.SerialPort);
  return serviceRecord({
    serviceClasses: o.uuid ? [o.uuid, spp] : [spp],
    serviceId: o.uuid,
    protocols: [{ uuid: Uuid.from16(UUID16.L2CAP) }, { uuid: Uuid.from16(UUID16.RFCOMM), parameters: [uint8(o.channel)] }],
    profiles: [{ uuid: spp, version: SERIAL_PORT_PROFILE_VERSION }],
    name: o.name,
    description: o.description,
    provider: o.provider,
  });
}

export interface L2capServiceRecordOptions {
  /** A valid PSM: odd, with the low bit of the upper byte clear (Core Vol 3 Part A §4.2). */
  readonly psm: number;
  readonly name: string;
  /** The service class; further classes in `serviceClasses`. */
  readonly uuid: Uuid;
  readonly serviceClasses?: readonly Uuid[];
  readonly profiles?: readonly ProfileDescriptor[];
  readonly description?: string;
  readonly provider?: string;
}

export function l2capServiceRecord(o: L2capServiceRecordOptions): Map<number, DataElement> {
  if (!Number.isInteger(o.psm) || o.psm < 1 || o.psm > 0xffff || (o.psm & 0x0001) === 0 || (o.psm & 0x0100) !== 0) {
    throw new ArgumentError(`PSM 0x${o.psm.toString(16)} is not valid (odd, bit 8 clear, ≤ 0xffff)`);
  }
  return serviceRecord({
    serviceClasses: [o.uuid, ...(o.serviceClasses ?? [])],
    serviceId: o.uuid,
    protocols: [{ uuid: Uuid.from16(UUID16.L2CAP), parameters: [uint16(o.psm)] }],
    profiles: o.profiles,
    name: o.name,
    description: o.description,
    provider: o.provider,
  });
}
