/**
 * The key file of `btc pair`, `btc unpair` and `btc keys`: `--keys FILE` (the same JSON key store
 * as `--keys` on the other commands, README "Pairing and security"). Bonds live only there, so the
 * three commands need it.
 */
import { JsonFileKeyStore } from '../socket/index.js';
import { str, UsageError, type OptionSpec, type Parsed } from './args.js';
import { fileToWrite } from './paths.js';

export const KEYS_OPTION: OptionSpec = { name: 'keys', value: 'FILE', help: 'the JSON key file the bonds are kept in (created mode 0600 with the first key)' };

/** --keys FILE, checked before anything opens. */
export function keyFile(args: Parsed, command: string): string {
  const path = str(args, 'keys');
  if (path === undefined) throw new UsageError(`${command} needs --keys FILE: the key file the bonds are kept in`);
  return fileToWrite(path, '--keys');
}

/** The key store in FILE (an absent file is an empty store). */
export function openKeyFile(path: string): JsonFileKeyStore {
  return new JsonFileKeyStore(path);
}
