/** What `btc decode` needs of the trace folder: the capture parser and records, the packet decoder and the time column, without the chart (see hci/decoding.ts). */
export { detectCaptureFormat, type CaptureFormat } from './capture-format.js';
export { CaptureParser, DETECT_BYTES, type CaptureEvent } from './capture-parser.js';
export type { CaptureRecord } from './capture-record.js';
export { PacketDecoder } from './describe.js';
export { isTimeMode, TimeColumn, TIME_MODES, type TimeMode } from './timestamps.js';
