/**
 * Files named on the command line, checked before an adapter opens: a wrong path is a usage error
 * (exit code 2) at once, not a failure after a connection was made.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';

/** A file to read (`send FILE`): it exists, can be read, and is not a directory. */
export function fileToRead(path: string, what: string): Stats {
  let stat: Stats;
  try {
    stat = statSync(path);
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) throw new UsageError(`${what} ${path} is a directory: give a file`);
  return stat;
}

/** A file to write (`--out`, `--btsnoop`): not a directory, in a directory that exists and can be written. */
export function fileToWrite(path: string, what: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`${what} ${path} is a directory: give a file name`);
  const dir = dirname(path);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${what} ${path}: the directory ${dir} does not exist`);
  try {
    accessSync(stat ? path : dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`cannot write ${what} ${path}: ${(error as Error).message}`);
  }
  return path;
}
