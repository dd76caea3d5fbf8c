/**
 * `btc decode FILE`: reads a btsnoop, pcap/pcapng (LINKTYPE 187/201/254) or PacketLogger capture
 * as a stream (bounded memory whatever the file size) and prints one line per packet per layer,
 * like `btmon -r`, numbered with Wireshark's frame numbers; `--json` prints one JSON object per
 * packet with the decoded fields of every layer keyed `hci`, `le`, `acl`, `l2cap` (with its
 * `payload` in hex), `sdp`, `rfcomm` (and `rfcomm.at` for an AT line), `avdtp`, `avctp`.
 * Records that are not HCI (PacketLogger notes, kernel and power records, monitor index events)
 * are shown as notes. `--pcapng OUT` converts instead of printing.
 *
 * Damage (docs/traces.md): each damaged record is named on stderr with its number and byte offset,
 * and decoding goes on where the format allows. Exit status 0 when every readable record was
 * decoded (a cut last record and damage that reading went past only warn); 1 when damage left the
 * rest of the file unread, or at the first damage with `--strict`.
 *
 * Options are read once into `DecodeOptions`; each output is a `TraceSink` fed the file's events.
 */
import { DecodeError, hex } from '../../core/index.js';
import type { PcapngFileWriter } from '../../node/index.js';
import { CaptureFile } from '../../node/decoding.js';
import { isTimeMode, PacketDecoder, TimeColumn, TIME_MODES, type CaptureEvent, type CaptureRecord, type TimeMode } from '../../trace/decoding.js';
import { flag, int, str, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { fileToWrite } from '../paths.js';
import { BatchedOutput, OutputClosed } from '../output.js';

interface DecodeOptions {
  file: string;
  json: boolean;
  limit: number;
  time: TimeMode | undefined;
  strict: boolean;
  pcapng: string | undefined;
}

type Note = Extract<CaptureEvent, { type: 'skipped' }>;

/** One output of the command: gets every HCI record and note in file order, then `finish`. */
interface TraceSink {
  /** A promise only when the sink must be waited for (a full output batch). */
  record(record: CaptureRecord): Promise<void> | undefined;
  note(note: Note): Promise<void> | undefined;
  finish(): Promise<string | undefined>;
}

function decodeOptions(args: Parsed): DecodeOptions {
  const file = args.positionals[0];
  if (!file) throw new UsageError('decode needs a capture file');
  const time = str(args, 'time');
  if (time !== undefined && !isTimeMode(time)) throw new UsageError(`--time must be one of ${TIME_MODES.join(', ')}, not ${JSON.stringify(time)}`);
  const pcapng = str(args, 'pcapng');
  if (pcapng !== undefined) {
    fileToWrite(pcapng, '--pcapng');
    if (flag(args, 'json') || time !== undefined) throw new UsageError('--pcapng converts the capture and prints no packets: it takes no --json or --time');
  }
  return { file, json: flag(args, 'json'), limit: int(args, 'limit', Infinity, 1), time, strict: flag(args, 'strict'), pcapng };
}

export const decode: Command = {
  spec: {
    name: 'decode',
    usage: 'decode FILE [--json] [--time MODE] [--limit N] [--strict] [--pcapng OUT] [--html OUT]',
    summary: 'decode a btsnoop / pcap / pcapng / PacketLogger capture, one line per packet per layer',
    options: [
      { name: 'json', help: 'one JSON object per packet, keyed by layer (hci, acl, l2cap, sdp, rfcomm)' },
      { name: 'time', value: 'MODE', help: 'show each packet\'s time: absolute (UTC), relative (s since the first) or delta (s since the previous)' },
      { name: 'limit', value: 'N', help: 'stop after N packets (default: all)' },
      { name: 'strict', help: 'stop with exit status 1 at the first damaged or truncated record' },
      { name: 'pcapng', value: 'OUT', help: 'convert: write the packets to a pcapng file (LINKTYPE 201, with direction) instead of printing them' },
      { name: 'html', value: 'OUT', help: 'draw the capture as a message sequence chart in one self-contained HTML file instead of printing it' },
    ],
  },
  async run(args: Parsed): Promise<number> {
    const options = decodeOptions(args);
    const html = str(args, 'html');
    if (html !== undefined) {
      fileToWrite(html, '--html');
      if (options.json || options.time !== undefined || options.pcapng !== undefined) throw new UsageError('--html draws the capture and prints no packets: it takes no --json, --time or --pcapng');
    }
    let capture: CaptureFile;
    try {
      capture = await CaptureFile.open(options.file);
    } catch (error) {
      if (error instanceof DecodeError) throw new Error(`${options.file}: ${error.message}`);
      throw new UsageError(`cannot read ${options.file}: ${(error as Error).message}`);
    }
    // The chart's and the pcapng writer's code are loaded only when they are asked for.
    const chart = html !== undefined ? new (await import('../../node/index.js')).SequenceChartFile(html, options.file) : undefined;
    const sink: TraceSink = chart ?? (options.pcapng ? await PcapngSink.create(options.pcapng) : new PrintSink(options));
    const damage = new DamageReport(options.file, capture.size);
    let packets = 0;
    try {
      read: for await (const events of capture.batches()) {
        for (let event = events.next(); event; event = events.next()) {
          if (event.type === 'record') {
            if (packets >= options.limit) break read;
            packets++;
            const wait = sink.record(event.record);
            if (wait) await wait;
          } else if (event.type === 'skipped') {
            const wait = sink.note(event);
            if (wait) await wait;
          } else {
            if (sink instanceof PrintSink) await sink.flush();
            damage.report(event);
            if (options.strict && (event.type === 'damaged' || event.type === 'truncated')) break read;
          }
        }
      }
      const summary = await sink.finish();
      if (summary) process.stdout.write(summary + '\n');
    } catch (error) {
      // The reader took what it wanted (`| head`): that is a normal end.
      if (error instanceof OutputClosed) return 0;
      throw error;
    }
    return damage.exitCode(options.strict);
  },
};

/** Says on stderr what is damaged and where reading went on; decides the exit status. */
class DamageReport {
  private damaged = 0;
  private truncated = false;
  /** File offset of damage that no record was found after. */
  private unresolved: number | undefined;

  constructor(
    private readonly file: string,
    private readonly size: number,
  ) {}

  report(event: Exclude<CaptureEvent, { type: 'record' | 'skipped' }>): void {
    if (event.type === 'damaged') {
      this.damaged++;
      this.unresolved = event.recordOffset;
      this.say(`damaged record at byte ${event.recordOffset} (bad field at byte ${event.offset}): ${event.reason}`);
    } else if (event.type === 'resynchronised') {
      this.unresolved = undefined;
      this.say(`decoding goes on at byte ${event.offset}, ${event.skippedBytes} byte(s) after the damaged record's start`);
    } else {
      this.truncated = true;
      this.say(`the file ends inside a record at byte ${event.offset}: ${event.reason}`);
    }
  }

  exitCode(strict: boolean): number {
    if (this.unresolved !== undefined) {
      this.say(`no record could be read after byte ${this.unresolved}: the last ${this.size - this.unresolved} byte(s) are not decoded`);
      return 1;
    }
    return strict && (this.damaged > 0 || this.truncated) ? 1 : 0;
  }

  private say(text: string): void {
    process.stderr.write(`btc decode: ${this.file}: ${text}\n`);
  }
}

/** Text or JSON lines on stdout, in batches. */
class PrintSink implements TraceSink {
  private readonly out = new BatchedOutput();
  private readonly decoder = new PacketDecoder();
  private readonly time: TimeColumn | undefined;
  /** Between the lines of a packet without --time: a newline and the width of the frame and direction. */
  private readonly newline = '\n' + ' '.repeat(9);

  constructor(private readonly options: DecodeOptions) {
    this.time = options.time ? new TimeColumn(options.time) : undefined;
  }

  record(r: CaptureRecord): Promise<void> | undefined {
    const time = this.time?.text(r.timestampUs);
    let text: string;
    if (this.options.json) {
      const head = { frame: r.frame, direction: r.direction, ...this.timeFields(r.timestampUs, time) };
      text = JSON.stringify({ ...head, ...this.decoder.decode(r.direction, r.h4) }, jsonBytes) + '\n';
    } else {
      const lines = this.decoder.describe(r.direction, r.h4);
      const prefix = `${String(r.frame).padStart(6)} ${r.direction === 'tx' ? '<' : '>'} ${time === undefined ? '' : time + ' '}`;
      text = prefix + (lines.length === 1 ? lines[0] : lines.join(time === undefined ? this.newline : '\n' + ' '.repeat(prefix.length))) + '\n';
    }
    return this.out.add(text) ? this.out.flush() : undefined;
  }

  note(n: Note): Promise<void> | undefined {
    const time = this.time?.text(n.timestampUs);
    const text = this.options.json
      ? JSON.stringify({ frame: n.frame, note: n.what, ...(n.text === undefined ? {} : { text: n.text }), ...this.timeFields(n.timestampUs, time) }) + '\n'
      : `${String(n.frame).padStart(6)} * ${time === undefined ? '' : time + ' '}${n.what}${n.text ? `: ${n.text}` : ''}\n`;
    return this.out.add(text) ? this.out.flush() : undefined;
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  /** `timestampUs` always (when the format has a time); `time` as --time shows it, seconds as a number. */
  private timeFields(us: number | undefined, time: string | undefined): { timestampUs?: number; time?: number | string } {
    if (us === undefined) return {};
    if (time === undefined) return { timestampUs: us };
    return { timestampUs: us, time: this.options.time === 'absolute' ? time : Number(time) };
  }

  async finish(): Promise<undefined> {
    await this.out.flush();
    return undefined;
  }
}

/** `--pcapng OUT`: every HCI packet into a pcapng file; non-HCI records are not carried over. */
class PcapngSink implements TraceSink {
  private notes = 0;

  private constructor(private readonly writer: PcapngFileWriter) {}

  static async create(path: string): Promise<PcapngSink> {
    const { PcapngFileWriter } = await import('../../node/index.js');
    return new PcapngSink(await PcapngFileWriter.create(path));
  }

  record(r: CaptureRecord): Promise<void> | undefined {
    return this.writer.write(r.direction, r.h4, r.timestampUs);
  }

  note(): undefined {
    this.notes++;
    return undefined;
  }

  async finish(): Promise<string> {
    await this.writer.close();
    const notes = this.notes > 0 ? ` (${this.notes} non-HCI record(s) not carried over)` : '';
    return `wrote ${this.writer.packets} packet(s) to ${this.writer.path} (pcapng, LINKTYPE 201)${notes}`;
  }
}

/**
 * Bytes as hex, UUIDs and bigints as strings, in JSON output. For an object the replacer reads the
 * holder's own value: JSON.stringify has already turned a Buffer into `{ type: 'Buffer', data }` by
 * its toJSON.
 */
function jsonBytes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && value !== null) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return hex(raw);
  }
  return value;
}
