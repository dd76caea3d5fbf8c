/** `btc scan`: inquiry with names, one device per line. */
import { discoverDevices } from '../../socket/index.js';
import { withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, flag, int, type Parsed } from '../args.js';
import { info, logLevel } from '../log.js';
import type { Command } from '../main.js';

const VIRTUAL_HINT = [
  'Hint: the virtual transport (the default) only sees controllers opened in this same process, so a',
  'scan from the CLI finds nothing. To scan between processes, run btvirt (`btvirt -s -l0`, Debian',
  'package bluez-test-tools) and pass --transport h4:unix:/tmp/bt-server-bredr to every btc command;',
  'for a real adapter use --transport hci0.',
  '',
].join('\n');

export const scan: Command = {
  spec: {
    name: 'scan',
    usage: 'scan [--duration N] [--no-names] [--json]',
    summary: 'find devices nearby (inquiry), with their names and classes',
    options: [
      { name: 'duration', value: 'N', help: 'inquiry length in units of 1.28 s (1–48)', default: '4' },
      { name: 'no-names', help: 'do not ask each device for its name' },
      { name: 'json', help: 'one JSON object per device' },
      ...ADAPTER_OPTIONS,
    ],
  },
  async run(args: Parsed): Promise<number> {
    const json = flag(args, 'json');
    const duration = int(args, 'duration', 4, 1, 48);
    return withAdapter(args, async (adapter) => {
      if (!json && logLevel() !== 'quiet') console.log(`Scanning from ${adapter.address} on ${adapter.transport} …`);
      const devices = await discoverDevices({ adapter, duration, lookupNames: !flag(args, 'no-names'), lookupClass: true });
      for (const d of devices) {
        if (json) console.log(JSON.stringify(d));
        else console.log(`${d.address}  class=0x${(d.classOfDevice ?? 0).toString(16).padStart(6, '0')}  ${d.rssi !== undefined ? `rssi=${d.rssi} ` : ''}${d.name ?? ''}`);
      }
      if (!json) console.log(`${devices.length} device(s) found`);
      if (devices.length === 0 && adapter.spec === 'virtual') info(VIRTUAL_HINT.trimEnd());
      return 0;
    });
  },
};
