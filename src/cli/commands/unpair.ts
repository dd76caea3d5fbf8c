/** `btc unpair ADDR --keys FILE`: forgets a bond (removes its link key; no adapter opens). */
import { parseAddress, UsageError, type Parsed } from '../args.js';
import { KEYS_OPTION, keyFile, openKeyFile } from '../bonds.js';
import { info } from '../log.js';
import type { Command } from '../main.js';

export const unpair: Command = {
  spec: {
    name: 'unpair',
    usage: 'unpair ADDR --keys FILE',
    summary: "forget a bonded device: remove its link key from the key file",
    options: [KEYS_OPTION],
  },
  async run(args: Parsed): Promise<number> {
    const address = parseAddress(args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError('unpair takes one ADDR');
    const store = openKeyFile(keyFile(args, 'unpair'));
    if (!store.get(address)) throw new Error(`${address} is not bonded (btc keys --keys ${store.path} lists the bonds)`);
    store.delete(address);
    info(`${address}: bond removed`);
    return 0;
  },
};
