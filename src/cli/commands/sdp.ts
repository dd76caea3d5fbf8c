/** `btc sdp ADDR`: browse a device's SDP records. */
import { findService } from '../../socket/index.js';
import { withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, flag, str, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';

export const sdp: Command = {
  spec: {
    name: 'sdp',
    usage: 'sdp ADDR [--uuid UUID] [--json]',
    summary: "browse a device's services (SDP): names, RFCOMM channels, L2CAP PSMs",
    options: [
      { name: 'uuid', value: 'UUID', help: 'only services with this UUID (e.g. 1101 for serial port)' },
      { name: 'json', help: 'one JSON object per service' },
      ...ADAPTER_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    const address = args.positionals[0];
    if (!address) throw new UsageError('sdp needs the device address');
    return withAdapter(args, async (adapter) => {
      const services = await findService({ address, uuid: str(args, 'uuid'), adapter });
      for (const s of services) {
        if (flag(args, 'json')) {
          console.log(JSON.stringify(s));
          continue;
        }
        console.log(`Service: ${s.name ?? '(no name)'}`);
        if (s.description) console.log(`  Description: ${s.description}`);
        if (s.provider) console.log(`  Provider: ${s.provider}`);
        console.log(`  Protocol: ${s.protocol ?? '-'}${s.port !== undefined ? ` ${s.protocol === 'RFCOMM' ? 'channel' : 'PSM'} ${s.port}` : ''}`);
        console.log(`  Classes: ${s.serviceClasses.join(', ')}`);
        if (s.profiles.length) console.log(`  Profiles: ${s.profiles.map(([u, v]) => `${u} v${v >> 8}.${v & 0xff}`).join(', ')}`);
      }
      if (!flag(args, 'json')) console.log(`${services.length} service(s)`);
      return 0;
    });
  },
};
