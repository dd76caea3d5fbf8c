/**
 * `btc pair ADDR --keys FILE`: pairs and bonds with a device without opening a channel (as
 * `bluetoothctl pair`): pages it, asks for authentication (Core Vol 3 Part C §5.2.2, Authentication
 * Requested) and, with --security encrypted or mitm, encryption; the link key lands in FILE. With a
 * key already stored, the device is asked to authenticate with it (a check that the bond holds).
 * A pair that fails leaves the key file as it was.
 */
import type { BdAddr } from '../../core/index.js';
import { keyTypeName, type SecurityLevel, type StoredKey } from '../../security/index.js';
import { withAdapter } from '../adapter-from-args.js';
import { ADAPTER_OPTIONS, CHANNEL_OPTIONS, parseAddress, str, UsageError, type Parsed } from '../args.js';
import { keyFile, KEYS_OPTION, openKeyFile } from '../bonds.js';
import { info } from '../log.js';
import type { Command } from '../main.js';

const LEVELS = ['authenticated', 'encrypted', 'mitm'] as const;

export const pair: Command = {
  spec: {
    name: 'pair',
    usage: 'pair ADDR --keys FILE [--security authenticated|encrypted|mitm] [--io CAP] [--pin PIN] [--yes]',
    summary: 'pair and bond with a device without opening a channel; the link key goes to --keys',
    options: [
      KEYS_OPTION,
      { name: 'security', value: 'LEVEL', help: `what the link must reach: ${LEVELS.join(' | ')}`, default: 'authenticated' },
      { name: 'timeout', value: 'SECONDS', help: 'how long the device may take (paging, prompts)', default: '60' },
      ...ADAPTER_OPTIONS,
      ...CHANNEL_OPTIONS.filter((o) => !['keys', 'security', 'rx-window'].includes(o.name)),
    ],
  },
  async run(args: Parsed): Promise<number> {
    const address = parseAddress(args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError('pair takes one ADDR');
    const path = keyFile(args, 'pair');
    const level = str(args, 'security')!;
    if (!(LEVELS as readonly string[]).includes(level)) throw new UsageError(`--security must be one of ${LEVELS.join(', ')} for pair`);
    const timeout = Number(str(args, 'timeout'));
    if (!/^\d+$/.test(str(args, 'timeout')!) || timeout < 1) throw new UsageError(`--timeout must be a whole number of seconds of at least 1, not ${JSON.stringify(str(args, 'timeout'))}`);
    const before = openKeyFile(path).get(address);
    try {
      return await withAdapter(args, async (adapter) => {
        info(`Pairing with ${address} …`);
        const { keyType } = await adapter.pair(address, { security: level as SecurityLevel, timeoutMs: timeout * 1000 });
        console.log(`Paired with ${address}${keyType === undefined ? '' : `: ${keyTypeName(keyType)}`}; bond kept in ${path}`);
        return 0;
      });
    } catch (error) {
      if (restoreBond(path, address, before)) throw new Error(`${(error as Error).message}; the key file is left as it was`, { cause: error });
      throw error;
    }
  },
};

/**
 * A pairing that ends short of the level asked for (a Just Works key when `mitm` was asked, say)
 * may still have stored a key: put the file back as it was for `address`, so that a failed `pair`
 * keeps no bond. True when something had to be put back.
 */
function restoreBond(path: string, address: BdAddr, before: StoredKey | undefined): boolean {
  const store = openKeyFile(path);
  const now = store.get(address);
  if (sameKey(now, before)) return false;
  if (before) store.set(address, before);
  else store.delete(address);
  return true;
}

function sameKey(a: StoredKey | undefined, b: StoredKey | undefined): boolean {
  if (!a || !b) return a === b;
  return a.keyType === b.keyType && a.linkKey.length === b.linkKey.length && a.linkKey.every((octet, i) => octet === b.linkKey[i]);
}
