/**
 * `btc sdp ADDR`: browse a device's SDP records, named as `sdptool browse` names them: each
 * attribute with its ID, each UUID with its assigned name (src/sdp/names.ts), profile versions as
 * the specification writes them ("1.2", in JSON too).
 */
import { attributeLabel, profileVersion, uuidLabel, uuidName } from '../../sdp/index.js';
import { ATTRIBUTE_ID, LANGUAGE_OFFSET, PRIMARY_LANGUAGE_BASE } from '../../sdp/index.js';
import { findService, type FoundService } from '../../socket/index.js';
import { withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, flag, parseAddress, str, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';

export const sdp: Command = {
  spec: {
    name: 'sdp',
    usage: 'sdp ADDR [--uuid UUID] [--json]',
    summary: "browse a device's services (SDP): names, RFCOMM channels, L2CAP PSMs, profiles",
    options: [
      { name: 'uuid', value: 'UUID', help: 'only services with this UUID (e.g. 1101 for serial port)' },
      { name: 'json', help: 'one JSON object per service (UUIDs with their names, profile versions as "1.2")' },
      ...ADAPTER_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    if (!args.positionals[0]) throw new UsageError('sdp needs the device address');
    const address = parseAddress(args.positionals[0]);
    return withAdapter(args, async (adapter) => {
      const services = await findService({ address, uuid: str(args, 'uuid'), adapter });
      for (const s of services) console.log(flag(args, 'json') ? JSON.stringify(serviceJson(s)) : describeService(s).join('\n'));
      if (!flag(args, 'json')) console.log(`${services.length} service(s)`);
      return 0;
    });
  },
};

const LANG = (offset: number) => attributeLabel(PRIMARY_LANGUAGE_BASE + offset);

/** The lines `btc sdp` prints for one service. */
export function describeService(s: FoundService): string[] {
  const lines = [`Service: ${s.name ?? '(no name)'}`];
  if (s.name !== undefined) lines.push(`  ${LANG(LANGUAGE_OFFSET.ServiceName)}: ${s.name}`);
  if (s.description) lines.push(`  ${LANG(LANGUAGE_OFFSET.ServiceDescription)}: ${s.description}`);
  if (s.provider) lines.push(`  ${LANG(LANGUAGE_OFFSET.ProviderName)}: ${s.provider}`);
  lines.push(`  ${attributeLabel(ATTRIBUTE_ID.ServiceClassIDList)}:`, ...s.serviceClasses.map((u) => `    ${uuidLabel(u)}`));
  if (s.serviceId) lines.push(`  ${attributeLabel(ATTRIBUTE_ID.ServiceID)}: ${uuidLabel(s.serviceId)}`);
  if (s.protocol) {
    lines.push(`  ${attributeLabel(ATTRIBUTE_ID.ProtocolDescriptorList)}:`);
    if (s.protocol === 'RFCOMM') lines.push(`    ${uuidLabel('0100')}`, `    ${uuidLabel('0003')} channel ${s.port}`);
    else lines.push(`    ${uuidLabel('0100')} PSM 0x${(s.port ?? 0).toString(16).padStart(4, '0')} (${s.port})`);
  }
  if (s.profiles.length) {
    lines.push(`  ${attributeLabel(ATTRIBUTE_ID.BluetoothProfileDescriptorList)}:`, ...s.profiles.map(([u, v]) => `    ${uuidLabel(u)} version ${profileVersion(v)}`));
  }
  return lines;
}

/** A UUID in JSON: as found, with its assigned name when it has one. */
function uuidJson(uuid: string): { uuid: string; name?: string } {
  const name = uuidName(uuid);
  return name ? { uuid, name } : { uuid };
}

/** The protocol stack of the ProtocolDescriptorList in JSON, lowest first: L2CAP (with the PSM when
 * the service sits directly on it), then RFCOMM with its channel. */
function protocolsJson(s: FoundService): object[] {
  if (s.protocol === 'RFCOMM') return [uuidJson('0100'), { ...uuidJson('0003'), channel: s.port }];
  if (s.protocol === 'L2CAP') return [{ ...uuidJson('0100'), psm: s.port }];
  return [];
}

/** One service as `btc sdp --json` prints it: the fields of FoundService, UUIDs with their names,
 * the protocol stack, profile versions as "major.minor". */
export function serviceJson(s: FoundService): object {
  return {
    ...s,
    ...(s.serviceId === undefined ? {} : { serviceId: uuidJson(s.serviceId) }),
    serviceClasses: s.serviceClasses.map(uuidJson),
    protocols: protocolsJson(s),
    profiles: s.profiles.map(([uuid, version]) => ({ ...uuidJson(uuid), version: profileVersion(version) })),
  };
}
