/**
 * AVDTP signaling headers and media packet headers, as a trace shows them (AVDTP 1.3 §8.4, §8.5;
 * RTP, RFC 3550 §5.1, which AVDTP §7.2 uses for media packets).
 *
 * Signaling header (§8.4.2–8.4.4), octet 0: Transaction Label (bits 7–4), Packet Type (bits 3–2:
 * 0 single, 1 start, 2 continue, 3 end), Message Type (bits 1–0: 0 command, 1 general reject,
 * 2 response accept, 3 response reject). A single packet then has RFA (bits 7–6) and Signal
 * Identifier (bits 5–0); a start packet has NOSP (number of signal packets) and then the signal
 * octet; continue and end packets have no signal identifier. `params` is what follows the header.
 *
 * Media packet (RTP fixed header, 12 octets + 4 per CSRC): V (2) P (1) X (1) CC (4) | M (1)
 * PT (7) | sequence number (16, big-endian) | timestamp (32) | SSRC (32) | CSRC list.
 *
 * Contract: each decoder returns a value or throws `DecodeError`; nothing is kept between calls.
 */
import { ByteReader, hex } from '../../core/index.js';

export const AVDTP_PACKET_TYPES = ['single', 'start', 'continue', 'end'] as const;
export const AVDTP_MESSAGE_TYPES = ['command', 'general-reject', 'accept', 'reject'] as const;

/** Signal identifiers (§8.5, Table 8.2 of AVDTP 1.3). */
export const AVDTP_SIGNALS: Readonly<Record<number, string>> = {
  0x01: 'Discover',
  0x02: 'Get Capabilities',
  0x03: 'Set Configuration',
  0x04: 'Get Configuration',
  0x05: 'Reconfigure',
  0x06: 'Open',
  0x07: 'Start',
  0x08: 'Close',
  0x09: 'Suspend',
  0x0a: 'Abort',
  0x0b: 'Security Control',
  0x0c: 'Get All Capabilities',
  0x0d: 'Delay Report',
};

export interface AvdtpSignal {
  readonly transaction: number;
  readonly packetType: (typeof AVDTP_PACKET_TYPES)[number];
  readonly messageType: (typeof AVDTP_MESSAGE_TYPES)[number];
  /** Present in single and start packets. */
  readonly signalId?: number;
  /** Present in start packets. */
  readonly signalPackets?: number;
  /** The signal's parameters (or, in continue and end packets, the next part of them). */
  readonly params: Uint8Array;
}

export interface RtpHeader {
  readonly version: number;
  readonly padding: boolean;
  readonly extension: boolean;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  /** The media payload after the header (and after the CSRC list). */
  readonly payload: Uint8Array;
}

export function decodeAvdtpSignal(bytes: Uint8Array): AvdtpSignal {
  const r = new ByteReader(bytes, 'avdtp', 'signaling header');
  const h = r.u8('header');
  const transaction = h >> 4;
  const packetType = AVDTP_PACKET_TYPES[(h >> 2) & 3];
  const messageType = AVDTP_MESSAGE_TYPES[h & 3];
  if (packetType === 'single') {
    const signalId = r.u8('signal identifier') & 0x3f;
    return { transaction, packetType, messageType, signalId, params: r.rest() };
  }
  if (packetType === 'start') {
    const signalPackets = r.u8('number of signal packets');
    const signalId = r.u8('signal identifier') & 0x3f;
    return { transaction, packetType, messageType, signalId, signalPackets, params: r.rest() };
  }
  return { transaction, packetType, messageType, params: r.rest() };
}

export function avdtpSignalName(id: number): string {
  return AVDTP_SIGNALS[id] ?? `signal 0x${id.toString(16).padStart(2, '0')}`;
}

/** e.g. `Get Capabilities command label=3 len=1` or `continue accept label=2 len=40`. */
export function describeAvdtpSignal(s: AvdtpSignal): string {
  const what = s.signalId === undefined ? s.packetType : `${avdtpSignalName(s.signalId)}${s.packetType === 'single' ? '' : ` ${s.packetType} of ${s.signalPackets}`}`;
  const body = s.params.length > 0 ? ` params=${hex(s.params.subarray(0, 16), ' ')}${s.params.length > 16 ? ` … (${s.params.length} bytes)` : ''}` : '';
  return `${what} ${s.messageType} label=${s.transaction}${body}`;
}

export function decodeRtpHeader(bytes: Uint8Array): RtpHeader {
  const r = new ByteReader(bytes, 'avdtp', 'media packet header');
  const b0 = r.u8('V P X CC');
  const b1 = r.u8('M PT');
  const sequence = r.u16be('sequence number');
  const timestamp = r.u32be('timestamp');
  const ssrc = r.u32be('SSRC');
  const csrcs: number[] = [];
  for (let i = 0; i < (b0 & 0x0f); i++) csrcs.push(r.u32be('CSRC'));
  return {
    version: b0 >> 6,
    padding: (b0 & 0x20) !== 0,
    extension: (b0 & 0x10) !== 0,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence,
    timestamp,
    ssrc,
    csrcs,
    payload: r.rest(),
  };
}

/** e.g. `media seq=12 ts=7680 pt=96 ssrc=0x00000001 len=650`, `length` being the media payload's. */
export function describeRtpHeader(h: Omit<RtpHeader, 'payload'>, length: number): string {
  return `media seq=${h.sequence} ts=${h.timestamp} pt=${h.payloadType}${h.marker ? ' M' : ''} ssrc=0x${h.ssrc.toString(16).padStart(8, '0')} len=${length}`;
}
