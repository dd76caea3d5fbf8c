/**
 * `btc decode FILE --html OUT`: the chart of a capture written to an HTML file. Takes the capture's
 * HCI records and notes one at a time (bounded memory, see model.ts), and writes the page when the
 * capture ends. The only file-system code of the chart.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CaptureRecord } from '../trace/index.js';
import { renderSequenceChartHtml } from '../trace/index.js';
import { SequenceChartBuilder, type CaptureNote, type SequenceChartOptions } from '../trace/index.js';

export class SequenceChartFile {
  private readonly builder: SequenceChartBuilder;

  /** `capturePath` names the page; `path` is where it is written. */
  constructor(
    readonly path: string,
    private readonly capturePath: string,
    options?: SequenceChartOptions,
  ) {
    this.builder = new SequenceChartBuilder(options);
  }

  record(record: CaptureRecord): undefined {
    this.builder.add(record);
    return undefined;
  }

  note(note: CaptureNote): undefined {
    this.builder.note(note);
    return undefined;
  }

  /** Writes the page; resolves with one line saying what was written. */
  async finish(): Promise<string> {
    const chart = this.builder.finish();
    await writeFile(this.path, renderSequenceChartHtml(chart, { title: basename(this.capturePath) }));
    const omitted = chart.omitted ? `; ${chart.omitted.packets} packet(s) from frame ${chart.omitted.firstFrame} on not drawn (at most ${chart.omitted.maxRows} rows)` : '';
    return `wrote a sequence chart of ${chart.packets} packet(s) in ${chart.rows.length} row(s) to ${this.path}${omitted}`;
  }
}
