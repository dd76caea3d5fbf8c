/**
 * `btc decode FILE`: reads a btsnoop, pcap/pcapng (LINKTYPE 201/187) or PacketLogger capture and
 * prints one line per packet per layer, like `btmon -r`; `--json` prints one JSON object per packet
 * with the decoded fields of every layer keyed `hci`, `acl`, `l2cap`, `sdp`, `rfcomm`.
 */
import { readFileSync } from 'node:fs';
import { PacketDecoder, readCapture } from '../../trace/index.js';
import { flag, int, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { OutputClosed, writeOut } from '../output.js';

export const decode: Command = {
  spec: {
    name: 'decode',
    usage: 'decode FILE [--json] [--limit N]',
    summary: 'decode a btsnoop / pcapng / PacketLogger capture, one line per packet per layer',
    options: [
      { name: 'json', help: 'one JSON object per packet, keyed by layer (hci, acl, l2cap, sdp, rfcomm)' },
      { name: 'limit', value: 'N', help: 'stop after N packets (default: all)' },
    ],
  },
  async run(args: Parsed): Promise<number> {
    const file = args.positionals[0];
    if (!file) throw new UsageError('decode needs a capture file');
    const limit = int(args, 'limit', Infinity, 1);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const json = flag(args, 'json');
    const decoder = new PacketDecoder();
    let n = 0;
    try {
      for (const record of readCapture(bytes)) {
        if (n >= limit) break;
        n++;
        if (json) {
          await writeOut(JSON.stringify({ index: n, direction: record.direction, ...decoder.decode(record.direction, record.h4) }, jsonBytes) + '\n');
        } else {
          const lines = decoder.describe(record.direction, record.h4);
          await writeOut(`${String(n).padStart(6)} ${record.direction === 'tx' ? '<' : '>'} ${lines.join('\n         ')}\n`);
        }
      }
    } catch (error) {
      // The reader took what it wanted (`| head`): that is a normal end.
      if (error instanceof OutputClosed) return 0;
      throw error;
    }
    return 0;
  },
};

/**
 * Bytes as hex, UUIDs and bigints as strings, in JSON output. The replacer reads the holder's own
 * value: JSON.stringify has already turned a Buffer into `{ type: 'Buffer', data }` by its toJSON.
 */
function jsonBytes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
