/** The trace as a message sequence chart: model.ts builds it from capture records, html.ts draws it. */
import type { CaptureRecord } from '../capture-record.js';
import { renderSequenceChartHtml, type SequenceChartHtmlOptions } from './html.js';
import { buildSequenceChart, type SequenceChartOptions } from './model.js';

export { arrowLabel, bandLabel, LAYER_COLORS, renderSequenceChartHtml, type SequenceChartHtmlOptions } from './html.js';
export {
  buildSequenceChart,
  CHART_DEFAULTS,
  rowFrame,
  CONTROLLER,
  HOST,
  REMOTE_LAYERS,
  SequenceChartBuilder,
  type ChartArrow,
  type ChartBand,
  type CaptureNote,
  type ChartLayer,
  type ChartNote,
  type ChartPacket,
  type ChartRow,
  type Lifeline,
  type SequenceChart,
  type SequenceChartOptions,
} from './model.js';

/** The HTML page of a capture's records: build the chart, then draw it. */
export function sequenceChartHtml(records: Iterable<CaptureRecord>, options: SequenceChartOptions & SequenceChartHtmlOptions = {}): string {
  return renderSequenceChartHtml(buildSequenceChart(records, options), options);
}
