/** Finds the external decoders (tshark, btmon). Absent: tests skip; with CI=true they are mandatory. */
import { execFileSync } from 'node:child_process';
import { IN_CI } from '../support/env.js';

function installed(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const PACKAGES: Record<string, string> = { tshark: 'tshark', btmon: 'bluez' };

/** Why tests using `tool` skip, or undefined when it is installed. Throws in CI when it is not. */
export function toolMissing(tool: 'tshark' | 'btmon'): string | undefined {
  if (installed(tool)) return undefined;
  const why = `${tool} not installed (apt-get install -y ${PACKAGES[tool]}): ${tool} comparison skipped`;
  if (IN_CI) throw new Error(why + ' — mandatory with CI=true');
  return why;
}

export function run(tool: string, args: readonly string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

export type TsharkKind = 'command' | 'event' | 'acl' | 'sco' | 'iso' | 'vendor';

/** Per frame number: the HCI kind tshark decoded and its direction (`tx`/`rx`, or '' when unknown). */
export function tsharkFrames(path: string): Map<number, { kind: TsharkKind | undefined; direction: string }> {
  const out = run('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.p2p_dir', '-e', 'frame.protocols']);
  const frames = new Map<number, { kind: TsharkKind | undefined; direction: string }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [number, dir, protocols] = line.split('\t');
    const layers = protocols.split(':');
    const kind: TsharkKind | undefined = layers.includes('bthci_cmd')
      ? 'command'
      : layers.includes('bthci_evt')
        ? 'event'
        : layers.includes('bthci_acl')
          ? 'acl'
          : layers.includes('bthci_sco')
            ? 'sco'
            : layers.includes('bthci_iso')
              ? 'iso'
              : layers.includes('hci_h4')
                ? 'vendor'
                : undefined;
    frames.set(Number(number), { kind, direction: dir === '0' ? 'tx' : dir === '1' ? 'rx' : '' });
  }
  return frames;
}

/** How many frames of a file match a tshark display filter. */
export function tsharkCount(path: string, filter: string): number {
  return run('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-e', 'frame.number']).split('\n').filter((l) => l !== '').length;
}

/** How many command, event and ACL frames tshark decodes in a file. */
export function tsharkKindCounts(path: string): { command: number; event: number; acl: number } {
  return { command: tsharkCount(path, 'bthci_cmd'), event: tsharkCount(path, 'bthci_evt'), acl: tsharkCount(path, 'bthci_acl') };
}
