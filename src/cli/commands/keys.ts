/**
 * `btc keys --keys FILE`: the bonds in a key file, one per line: address, whether the key was made
 * with MITM protection (Core Vol 4 Part E §7.7.24 Key_Type 0x05, 0x08), the key type. The link
 * keys themselves stay secret.
 */
import { isAuthenticatedKeyType, keyTypeName } from '../../security/index.js';
import { flag, type Parsed } from '../args.js';
import { KEYS_OPTION, keyFile, openKeyFile } from '../bonds.js';
import type { Command } from '../main.js';

export const keys: Command = {
  spec: {
    name: 'keys',
    usage: 'keys --keys FILE [--json]',
    summary: 'list the bonded devices in a key file (no adapter opens)',
    options: [KEYS_OPTION, { name: 'json', help: 'one JSON object per bond: address, keyType, keyTypeName, authenticated' }],
  },
  async run(args: Parsed): Promise<number> {
    const store = openKeyFile(keyFile(args, 'keys'));
    const addresses = store.addresses().sort((a, b) => a.localeCompare(b));
    for (const address of addresses) {
      const { keyType } = store.get(address)!;
      const authenticated = isAuthenticatedKeyType(keyType);
      if (flag(args, 'json')) console.log(JSON.stringify({ address, keyType, keyTypeName: keyTypeName(keyType), authenticated }));
      else console.log(`${address}  ${authenticated ? 'authenticated' : 'unauthenticated'}  ${keyTypeName(keyType)} (0x${keyType.toString(16).padStart(2, '0')})`);
    }
    if (!flag(args, 'json')) console.log(`${addresses.length} bond(s)`);
    return 0;
  },
};
