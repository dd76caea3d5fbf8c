/**
 * The RFCOMM channel of a peer's service: given on the command line, or found by SDP from the
 * service's UUID (`--uuid 1101`) or its name (`--service "Serial Port"`). One resolver for
 * `connect`, `send` and `bridge`.
 */
import { findService, type Adapter } from '../socket/index.js';
import { parseInteger, str, UsageError, type OptionSpec, type Parsed } from './args.js';
import { info } from './log.js';

export const SERVICE_OPTIONS: OptionSpec[] = [
  { name: 'uuid', value: 'UUID', help: 'without CHANNEL: find it by SDP, the service with this UUID (e.g. 1101, serial port)' },
  { name: 'service', value: 'NAME', help: 'without CHANNEL: find it by SDP, the service with this name (e.g. "Serial Port")' },
];

export function parseChannel(text: string): number {
  return parseInteger(text, 'CHANNEL', 1, 30);
}

/** What to look up: the channel given, else the UUID and/or name (`fallbackUuid` when neither is). */
export interface ChannelQuery {
  channel?: number;
  uuid?: string;
  name?: string;
}

/** Checks CHANNEL against --uuid/--service before anything opens. */
export function channelQuery(text: string | undefined, args: Parsed, fallbackUuid?: string): ChannelQuery {
  const uuid = str(args, 'uuid');
  const name = str(args, 'service');
  if (text !== undefined) {
    if (uuid !== undefined || name !== undefined) throw new UsageError('give CHANNEL or --uuid/--service, not both');
    return { channel: parseChannel(text) };
  }
  if (uuid === undefined && name === undefined && fallbackUuid === undefined) throw new UsageError('give CHANNEL, or --uuid UUID / --service NAME to find it by SDP');
  return { uuid: uuid ?? (name === undefined ? fallbackUuid : undefined), name };
}

/** The channel: as given, or the first RFCOMM service of `address` that SDP finds for the query. */
export async function resolveChannel(adapter: Adapter, address: string, query: ChannelQuery): Promise<number> {
  if (query.channel !== undefined) return query.channel;
  const services = await findService({ address, adapter, ...(query.uuid ? { uuid: query.uuid } : {}), ...(query.name !== undefined ? { name: query.name } : {}) });
  const rfcomm = services.find((s) => s.protocol === 'RFCOMM' && s.port !== undefined);
  const wanted = [query.uuid && `UUID ${query.uuid}`, query.name !== undefined && `name ${JSON.stringify(query.name)}`].filter(Boolean).join(' and ');
  if (!rfcomm) throw new Error(`${address} advertises no RFCOMM service with ${wanted}; give the channel explicitly (btc sdp ${address} lists its services)`);
  info(`SDP: "${rfcomm.name ?? ''}" on channel ${rfcomm.port}`);
  return rfcomm.port!;
}
