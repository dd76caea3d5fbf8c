/** Capture files: read btsnoop, pcap, pcapng and PacketLogger; write btsnoop. Pure codecs (no fs). */
export {
  CAPTURE_KINDS,
  kindOfH4,
  type CaptureDirection,
  type CaptureKind,
  type CaptureRecord,
} from './capture-record.js';
export {
  CaptureReader,
  detectCaptureFormat,
  readCapture,
  readCaptureWithStats,
  type CaptureFormat,
  type CaptureStats,
  type ReadCaptureOptions,
} from './read-capture.js';
export {
  BTSNOOP_DATALINK,
  BTSNOOP_EPOCH_DELTA,
  BTSNOOP_FLAG,
  BtsnoopWriter,
  btsnoopRecordLength,
  decodeBtsnoopHeader,
  encodeBtsnoopHeader,
  encodeBtsnoopRecord,
  type BtsnoopHeader,
  type BtsnoopRecordInput,
  type BtsnoopWriteDatalink,
} from './btsnoop.js';
export { LINKTYPE } from './link-types.js';
export { PACKETLOGGER_TYPE } from './packetlogger.js';
export { MONITOR_OPCODE } from './monitor-opcodes.js';
export { describeDecoded, PacketDecoder, type DecodedPacket } from './describe.js';
export { BTSNOOP_HEADER_LENGTH } from './btsnoop.js';
export * from './capture-parser.js';
export * from './capture-format.js';
export * from './timestamps.js';
export * from './pcapng-writer.js';
export * from './chart/index.js';
