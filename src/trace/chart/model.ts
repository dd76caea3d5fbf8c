/**
 * The message sequence chart of a capture, as data: lifelines, arrows and data bands in capture
 * order, built from the project's own decoder (describe.ts). Pure: records in, a plain object out;
 * html.ts draws it.
 *
 * Lifelines: `Host` (the HCI host that wrote the capture, titled with its BD_ADDR once a Read
 * BD_ADDR return shows it) and `Controller`, then per remote device (its BD_ADDR from Connection
 * Complete / Synchronous Connection Complete, or `handle 0x…` when the connection was made before
 * the capture started) one lifeline per layer seen: L2CAP, SDP, RFCOMM, AVDTP, AVCTP, SCO.
 *
 * Arrows: HCI commands Host → Controller and events Controller → Host (Core v5.4 Vol 4 Part E §5.4);
 * L2CAP signaling (Vol 3 Part A §4), SDP PDUs (Vol 3 Part B §4) and RFCOMM frames — SABM, UA, DM,
 * DISC, multiplexer commands such as PN and MSC, credit-only UIH (RFCOMM 1.2 §6.5), AT command
 * lines of Hands-Free and Headset channels — and AVDTP signaling and AVCTP packets between Host
 * and the remote device's layer (sent: Host → remote, received: remote → Host).
 *
 * Grouping, so that a large capture stays small and fast:
 * - Data (RFCOMM UIH with information on a DLCI other than 0 that is not AT commands, AVDTP media,
 *   L2CAP frames of other channels, ACL fragments that do not end a PDU, SCO, ISO) in a run of at least `groupMin` data packets becomes
 *   one band with its packet count and bytes each way. Number Of Completed Packets events, LE Meta
 *   events and credit-only RFCOMM frames inside the run join the band instead of breaking it
 *   (outside a run they are arrows).
 * - Consecutive identical arrows (same lifelines and label, such as a burst of Inquiry Results)
 *   become one arrow with a repeat count.
 * - Records that are not HCI (PacketLogger notes, kernel and power records) are notes across the
 *   chart, given with `note()`.
 * - At most `maxRows` rows are drawn; the packets after them are counted in `omitted` and not
 *   decoded. Each packet keeps at most `maxLines` decode lines; a band keeps the decode of its first
 *   `samples` packets and its last one.
 */
import { ArgumentError } from '../../core/index.js';
import { eventCode } from '../../hci/index.js';
import { describeSignal } from '../../l2cap/index.js';
import { describeMcc } from '../../rfcomm/index.js';
import { describeSdpPdu } from '../../sdp/index.js';
import type { CaptureDirection, CaptureRecord } from '../capture-record.js';
import { PacketDecoder, type DecodedPacket } from '../describe.js';

export const HOST = 'host';
export const CONTROLLER = 'controller';

/** What an arrow carries: its colour on the chart. */
export type ChartLayer = 'hci-command' | 'hci-event' | 'l2cap' | 'sdp' | 'rfcomm' | 'profile' | 'data' | 'other' | 'malformed';

/** A remote device's lifelines, in the order they are drawn. */
export const REMOTE_LAYERS = ['L2CAP', 'SDP', 'RFCOMM', 'AVDTP', 'AVCTP', 'SCO'] as const;
export type RemoteLayer = (typeof REMOTE_LAYERS)[number];

export interface Lifeline {
  readonly key: string;
  readonly title: string;
  readonly subtitle: string;
}

/** One captured packet as the chart keeps it: where it is in the file, when, and its decode. */
export interface ChartPacket {
  /** Wireshark's frame number. */
  readonly frame: number;
  /** 1-based HCI packet number, as `btc decode` counts. */
  readonly index: number;
  readonly direction: CaptureDirection;
  readonly timestampUs?: number;
  /** `btc decode`'s lines for the packet (at most `maxLines`). */
  readonly lines: readonly string[];
}

export interface ChartArrow {
  readonly kind: 'arrow';
  readonly from: string;
  readonly to: string;
  readonly layer: ChartLayer;
  readonly label: string;
  /** The first packet of the arrow. */
  readonly packet: ChartPacket;
  /** How many identical consecutive packets it stands for (1: just this one). */
  repeat: number;
  lastFrame: number;
}

export interface Traffic {
  packets: number;
  bytes: number;
}

export interface ChartBand {
  readonly kind: 'band';
  /** Every lifeline its packets touched (Host always). */
  readonly lanes: readonly string[];
  /** What the data ran on, e.g. `RFCOMM dlci 2`, `SCO`, `ACL fragments` (at most MAX_WHATS). */
  readonly what: readonly string[];
  /** Data packets sent (Host → Controller) and received, with their HCI payload bytes. */
  readonly tx: Traffic;
  readonly rx: Traffic;
  /** Packets taken into the band that are not data (see FILLERS). */
  readonly others: number;
  /** `others` by what they were. */
  readonly absorbed: Readonly<Record<string, number>>;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly startUs?: number;
  readonly endUs?: number;
  /** The first packets of the band, then its last one. */
  readonly samples: readonly ChartPacket[];
  readonly last: ChartPacket;
}

/** A record of the capture that is not an HCI packet (a PacketLogger note, a kernel or power record). */
export interface ChartNote {
  readonly kind: 'note';
  readonly frame: number;
  readonly timestampUs?: number;
  readonly text: string;
}

/** What a capture reader says of a record that is not HCI (CaptureItem `skipped`, capture-record.ts). */
export interface CaptureNote {
  readonly frame: number;
  readonly what: string;
  readonly text?: string;
  readonly timestampUs?: number;
}

export type ChartRow = ChartArrow | ChartBand | ChartNote;

export interface SequenceChart {
  readonly lifelines: readonly Lifeline[];
  readonly rows: readonly ChartRow[];
  /** HCI packets read (drawn or omitted). */
  readonly packets: number;
  /** Time of the first packet with a time: the chart's zero. */
  readonly startUs?: number;
  /** Packets not drawn because the chart reached `maxRows` (notes after it are left out too). */
  readonly omitted?: { readonly packets: number; readonly firstFrame: number; readonly maxRows: number };
}

export interface SequenceChartOptions {
  /** Rows (arrows and bands) drawn at most; later packets are counted, not drawn. Default 3000. */
  readonly maxRows?: number;
  /** Data packets in a run before they are drawn as one band. Default 3. */
  readonly groupMin?: number;
  /** Packets whose decode a band keeps, besides its last one. Default 3. */
  readonly samples?: number;
  /** Decode lines kept per packet. Default 60. */
  readonly maxLines?: number;
}

export const CHART_DEFAULTS = { maxRows: 3000, groupMin: 3, samples: 3, maxLines: 60 } as const;
const MAX_WHATS = 4;
/**
 * Packets held while a run is too short to be a band, per data packet it needs: fillers wait there
 * too, and a run that keeps getting fillers but no data is drawn as arrows past this bound.
 */
const PENDING_PER_GROUP = 4;

/** How one packet is drawn: an arrow, data that may join a band, or a packet a band absorbs. */
interface Placed {
  readonly role: 'arrow' | 'data' | 'filler';
  readonly from: string;
  readonly to: string;
  readonly layer: ChartLayer;
  readonly label: string;
  /** For data: HCI payload bytes and what it ran on. */
  readonly bytes?: number;
  readonly what?: string;
}

interface Pending {
  readonly placed: Placed;
  readonly packet: ChartPacket;
}

class BandBuilder {
  readonly lanes = new Set<string>([HOST]);
  readonly what = new Set<string>();
  readonly tx: Traffic = { packets: 0, bytes: 0 };
  readonly rx: Traffic = { packets: 0, bytes: 0 };
  others = 0;
  readonly absorbed: Record<string, number> = {};
  readonly samples: ChartPacket[] = [];
  private last!: ChartPacket;
  private first!: ChartPacket;

  constructor(private readonly sampleCount: number) {}

  add({ placed, packet }: Pending): void {
    if (this.samples.length === 0) this.first = packet;
    if (this.samples.length < this.sampleCount) this.samples.push(packet);
    this.last = packet;
    this.lanes.add(placed.from).add(placed.to);
    if (placed.role === 'data') {
      const t = packet.direction === 'tx' ? this.tx : this.rx;
      t.packets++;
      t.bytes += placed.bytes ?? 0;
      if (placed.what && this.what.size < MAX_WHATS) this.what.add(placed.what);
    } else {
      this.others++;
      const what = placed.what ?? placed.label;
      this.absorbed[what] = (this.absorbed[what] ?? 0) + 1;
    }
  }

  get packets(): number {
    return this.tx.packets + this.rx.packets + this.others;
  }

  row(): ChartBand {
    return {
      kind: 'band',
      lanes: [...this.lanes],
      what: [...this.what],
      tx: { ...this.tx },
      rx: { ...this.rx },
      others: this.others,
      absorbed: { ...this.absorbed },
      firstFrame: this.first.frame,
      lastFrame: this.last.frame,
      ...(this.first.timestampUs !== undefined ? { startUs: this.first.timestampUs } : {}),
      ...(this.last.timestampUs !== undefined ? { endUs: this.last.timestampUs } : {}),
      samples: [...this.samples],
      last: this.last,
    };
  }
}

/** Builds the chart one record at a time (bounded memory); `finish()` returns it. */
export class SequenceChartBuilder {
  private readonly options: Required<SequenceChartOptions>;
  private readonly decoder = new PacketDecoder();
  /** A second decoder for the lines: `describe` decodes again, and each decoder follows its own state. */
  private readonly describer = new PacketDecoder();
  private readonly rows: ChartRow[] = [];
  private readonly devices: string[] = [];
  private readonly deviceByHandle = new Map<number, string>();
  private readonly lanes = new Set<string>();
  private localAddress: string | undefined;
  private packets = 0;
  private startUs: number | undefined;
  private pending: Pending[] = [];
  private pendingData = 0;
  private band: BandBuilder | undefined;
  private omitted: { packets: number; firstFrame: number } | undefined;

  constructor(options: SequenceChartOptions = {}) {
    this.options = { ...CHART_DEFAULTS, ...options };
    for (const [name, min] of [['maxRows', 1], ['groupMin', 1], ['samples', 1], ['maxLines', 1]] as const) {
      const v = this.options[name];
      if (!Number.isInteger(v) || v < min) throw new ArgumentError(`sequence chart option ${name} must be an integer ≥ ${min}, not ${v}`);
    }
  }

  add(record: CaptureRecord): void {
    this.packets++;
    if (this.omitted) {
      this.omitted.packets++;
      return;
    }
    if (this.startUs === undefined && record.timestampUs !== undefined) this.startUs = record.timestampUs;
    const decoded = this.decoder.decode(record.direction, record.h4);
    const packet: ChartPacket = {
      frame: record.frame,
      index: this.packets,
      direction: record.direction,
      ...(record.timestampUs !== undefined ? { timestampUs: record.timestampUs } : {}),
      lines: capLines(this.describer.describe(record.direction, record.h4), this.options.maxLines),
    };
    const placed = this.place(record.direction, decoded, packet.lines);
    const item = { placed, packet };
    if (placed.role === 'data') {
      if (this.band) this.band.add(item);
      else {
        this.pending.push(item);
        this.pendingData++;
        if (this.pendingData >= this.options.groupMin) this.startBand();
      }
    } else if (placed.role === 'filler' && this.band) {
      this.band.add(item);
    } else if (placed.role === 'filler' && this.pending.length > 0 && this.pending.length < PENDING_PER_GROUP * this.options.groupMin) {
      this.pending.push(item);
    } else {
      this.endRun();
      this.emitArrow(item);
    }
  }

  /** A record that is not HCI: drawn as a note across the chart, in its place among the packets. */
  note(note: CaptureNote): void {
    if (this.omitted) return;
    this.endRun();
    const text = note.text ? `${note.what}: ${note.text}` : note.what;
    this.emitRow({ kind: 'note', frame: note.frame, ...(note.timestampUs !== undefined ? { timestampUs: note.timestampUs } : {}), text }, 0);
  }

  finish(): SequenceChart {
    this.endRun();
    return {
      lifelines: this.lifelines(),
      rows: this.rows,
      packets: this.packets,
      ...(this.startUs !== undefined ? { startUs: this.startUs } : {}),
      ...(this.omitted ? { omitted: { ...this.omitted, maxRows: this.options.maxRows } } : {}),
    };
  }

  private startBand(): void {
    this.band = new BandBuilder(this.options.samples);
    for (const item of this.pending) this.band.add(item);
    this.pending = [];
    this.pendingData = 0;
  }

  private endRun(): void {
    if (this.band) {
      const band = this.band;
      this.band = undefined;
      this.emitRow(band.row(), band.packets);
    }
    const pending = this.pending;
    this.pending = [];
    this.pendingData = 0;
    for (const item of pending) this.emitArrow(item);
  }

  private emitArrow({ placed, packet }: Pending): void {
    const last = this.rows.at(-1);
    if (!this.omitted && last?.kind === 'arrow' && last.from === placed.from && last.to === placed.to && last.label === placed.label && last.layer === placed.layer) {
      last.repeat++;
      last.lastFrame = packet.frame;
      return;
    }
    this.emitRow({ kind: 'arrow', from: placed.from, to: placed.to, layer: placed.layer, label: placed.label, packet, repeat: 1, lastFrame: packet.frame }, 1);
  }

  private emitRow(row: ChartRow, packets: number): void {
    if (this.omitted) {
      this.omitted.packets += packets;
      return;
    }
    if (this.rows.length >= this.options.maxRows) {
      this.omitted = { packets, firstFrame: rowFrame(row) };
      return;
    }
    if (row.kind === 'arrow') this.lanes.add(row.from).add(row.to);
    else if (row.kind === 'band') for (const lane of row.lanes) this.lanes.add(lane);
    this.rows.push(row);
  }

  /** Host, Controller, then each remote device's lifelines in the order the devices appeared. */
  private lifelines(): Lifeline[] {
    const out: Lifeline[] = [
      { key: HOST, title: 'Host', subtitle: this.localAddress ?? 'HCI' },
      { key: CONTROLLER, title: 'Controller', subtitle: 'local' },
    ];
    for (const device of this.devices) {
      for (const layer of REMOTE_LAYERS) {
        const key = laneKey(device, layer);
        if (this.lanes.has(key)) out.push({ key, title: device, subtitle: layer });
      }
    }
    return out;
  }

  private device(handle: number): string {
    const known = this.deviceByHandle.get(handle);
    if (known) return known;
    const name = `handle 0x${handle.toString(16).padStart(4, '0')}`;
    this.remember(handle, name);
    return name;
  }

  private remember(handle: number, device: string): void {
    this.deviceByHandle.set(handle, device);
    if (!this.devices.includes(device)) this.devices.push(device);
  }

  private lane(handle: number, layer: RemoteLayer): string {
    return laneKey(this.device(handle), layer);
  }

  /** Where a packet goes on the chart, and its label. */
  private place(direction: CaptureDirection, d: DecodedPacket, lines: readonly string[]): Placed {
    const hci = d.hci;
    const line = lines[0] ?? '';
    const ends = (lane: string): { from: string; to: string } => (direction === 'tx' ? { from: HOST, to: lane } : { from: lane, to: HOST });
    if ('error' in hci) return { role: 'arrow', ...ends(CONTROLLER), layer: 'malformed', label: 'malformed HCI packet' };
    switch (hci.type) {
      case 'command':
        return { role: 'arrow', ...ends(CONTROLLER), layer: 'hci-command', label: hciLabel(line) };
      case 'event': {
        this.learn(hci.event as unknown as Record<string, unknown>);
        const filler = FILLER_EVENTS.get(eventCode(hci.event));
        return { role: filler ? 'filler' : 'arrow', ...ends(CONTROLLER), layer: 'hci-event', label: hciLabel(line), ...(filler ? { what: filler } : {}) };
      }
      case 'vendor':
        return { role: 'arrow', ...ends(CONTROLLER), layer: 'other', label: `vendor packet 0x${hci.indicator.toString(16).padStart(2, '0')}` };
      case 'iso':
        return { role: 'data', ...ends(CONTROLLER), layer: 'data', label: `ISO ${hci.iso.data.length} bytes`, bytes: hci.iso.data.length, what: 'ISO' };
      case 'sco':
        return { role: 'data', ...ends(this.lane(hci.sco.handle, 'SCO')), layer: 'data', label: `SCO ${hci.sco.data.length} bytes`, bytes: hci.sco.data.length, what: 'SCO' };
      case 'acl':
        return this.placeAcl(ends, hci.acl.handle, hci.acl.data.length, d, lines);
    }
  }

  private placeAcl(ends: (lane: string) => { from: string; to: string }, handle: number, bytes: number, d: DecodedPacket, lines: readonly string[]): Placed {
    const l2cap = ends(this.lane(handle, 'L2CAP'));
    const l2 = d.l2cap;
    if (!l2) return { role: 'data', ...l2cap, layer: 'data', label: `ACL fragment ${bytes} bytes`, bytes, what: 'ACL fragments' };
    if ('error' in l2) return { role: 'arrow', ...l2cap, layer: 'malformed', label: `malformed L2CAP: ${l2.error}` };
    if (l2.signals) {
      const label = l2.signals.map((s) => ('error' in s ? `malformed signal: ${s.error}` : describeSignal(s))).join('; ');
      return { role: 'arrow', ...l2cap, layer: l2.signals.some((s) => 'error' in s) ? 'malformed' : 'l2cap', label };
    }
    if (d.sdp) {
      const sdp = ends(this.lane(handle, 'SDP'));
      if ('error' in d.sdp) return { role: 'arrow', ...sdp, layer: 'malformed', label: `malformed SDP: ${d.sdp.error}` };
      return { role: 'arrow', ...sdp, layer: 'sdp', label: describeSdpPdu(d.sdp) };
    }
    if (d.rfcomm) {
      const rfcomm = ends(this.lane(handle, 'RFCOMM'));
      const f = d.rfcomm;
      if ('error' in f) return { role: 'arrow', ...rfcomm, layer: 'malformed', label: `malformed RFCOMM: ${f.error}` };
      if (f.mcc) return { role: 'arrow', ...rfcomm, layer: 'rfcomm', label: describeMcc(f.mcc) };
      if (f.at && f.at.length > 0) return { role: 'arrow', ...rfcomm, layer: 'profile', label: f.at.map((at) => `AT ${at.text}`).join(' ') };
      const credits = f.credits !== undefined ? ` credits=${f.credits}` : '';
      if (f.type !== 'UIH') return { role: 'arrow', ...rfcomm, layer: 'rfcomm', label: `${f.type} dlci=${f.dlci}` };
      if (f.info.length === 0) return { role: f.dlci === 0 ? 'arrow' : 'filler', ...rfcomm, layer: 'rfcomm', label: `UIH dlci=${f.dlci}${credits}`, what: 'credit-only RFCOMM frames' };
      if (f.dlci === 0) return { role: 'arrow', ...rfcomm, layer: 'rfcomm', label: `UIH dlci=0 len=${f.info.length}` };
      return { role: 'data', ...rfcomm, layer: 'data', label: `data dlci=${f.dlci} ${f.info.length} bytes${credits}`, bytes, what: `RFCOMM dlci ${f.dlci}` };
    }
    if (d.avdtp) {
      const avdtp = ends(this.lane(handle, 'AVDTP'));
      const label = profileLine(lines, 'AVDTP');
      if ('error' in d.avdtp) return { role: 'arrow', ...avdtp, layer: 'malformed', label: `malformed AVDTP: ${d.avdtp.error}` };
      if (d.avdtp.channel === 'media') return { role: 'data', ...avdtp, layer: 'data', label: `media ${label}`, bytes, what: 'AVDTP media' };
      return { role: 'arrow', ...avdtp, layer: 'profile', label };
    }
    if (d.avctp) {
      const avctp = ends(this.lane(handle, 'AVCTP'));
      if ('error' in d.avctp) return { role: 'arrow', ...avctp, layer: 'malformed', label: `malformed AVCTP: ${d.avctp.error}` };
      return { role: 'arrow', ...avctp, layer: 'profile', label: profileLine(lines, 'AVCTP') };
    }
    const psm = l2.psm !== undefined ? ` psm=0x${l2.psm.toString(16).padStart(4, '0')}` : '';
    return { role: 'data', ...l2cap, layer: 'data', label: `L2CAP cid=0x${l2.cid.toString(16).padStart(4, '0')}${psm} ${l2.length} bytes`, bytes, what: `L2CAP${psm || ` cid=0x${l2.cid.toString(16).padStart(4, '0')}`}` };
  }

  /** Remote devices from connection events (Vol 4 Part E §7.7.3, §7.7.35), the local address from Read BD_ADDR. */
  private learn(event: Record<string, unknown>): void {
    const name = event.name;
    if ((name === 'Connection Complete' || name === 'Synchronous Connection Complete') && event.status === 0) {
      if (typeof event.handle === 'number' && typeof event.bdaddr === 'string') this.remember(event.handle, event.bdaddr);
    } else if (name === 'Command Complete') {
      const returns = event.returns as Record<string, unknown> | undefined;
      if (returns && typeof returns.bdaddr === 'string' && returns.status === 0 && event.opcode === READ_BD_ADDR) this.localAddress = returns.bdaddr;
    }
  }
}

/**
 * Events a data band takes in rather than ending there: Number Of Completed Packets (Vol 4 Part E
 * §7.7.19), which paces every transfer, and LE Meta events (§7.7.65), mostly advertising reports of
 * a scan running beside the transfer.
 */
const FILLER_EVENTS = new Map<number, string>([
  [0x13, 'Number Of Completed Packets events'],
  [0x3e, 'LE Meta events'],
]);

/** Read_BD_ADDR, OGF 0x04 OCF 0x0009 (Vol 4 Part E §7.4.6). */
const READ_BD_ADDR = 0x1009;

/** The frame number a row starts at. */
export function rowFrame(row: ChartRow): number {
  return row.kind === 'arrow' ? row.packet.frame : row.kind === 'band' ? row.firstFrame : row.frame;
}

function laneKey(device: string, layer: RemoteLayer): string {
  return `${device}/${layer}`;
}

/** The command or event name (the words before the first `field=`, and that field for an unknown
 * one: its opcode or code), and the status when it failed. */
export function hciLabel(line: string): string {
  const words = line.split(' ');
  const firstField = words.findIndex((w) => w.includes('='));
  const end = firstField < 0 ? words.length : words[0] === 'Unknown' ? firstField + 1 : firstField;
  const name = words.slice(0, end).join(' ') || line;
  const status = /\bstatus=0x([0-9a-f]{2})\(([^)]*)\)/.exec(line);
  return status && status[1] !== '00' ? `${name} status=${status[2]}` : name;
}

/** What `btc decode` says of the packet at a profile layer: its `AVDTP …` line without the name. */
function profileLine(lines: readonly string[], layer: string): string {
  const prefix = `${layer} `;
  const line = lines.map((l) => l.trimStart()).find((l) => l.startsWith(prefix));
  return line ? line.slice(prefix.length) : layer;
}

function capLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `… ${lines.length - max + 1} more line(s)`];
}

/** The chart of a whole capture (or the records given). */
export function buildSequenceChart(records: Iterable<CaptureRecord>, options?: SequenceChartOptions): SequenceChart {
  const builder = new SequenceChartBuilder(options);
  for (const record of records) builder.add(record);
  return builder.finish();
}
