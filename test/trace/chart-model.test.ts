/** The sequence chart's model (lifelines, arrows, bands, caps), its page as text, and its times. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAcl, encodeCommand, encodeEvent, encodeSco, type HciCommand, type HciEvent } from '../../src/hci/index.js';
import { encodeBasicFrame, encodeSignal, type L2capSignal } from '../../src/l2cap/index.js';
import { encodeMcc, encodeRfcommFrame, type RfcommFrame } from '../../src/rfcomm/index.js';
import {
  buildSequenceChart,
  CONTROLLER,
  HOST,
  renderSequenceChartHtml,
  sequenceChartHtml,
  type ChartArrow,
  type ChartBand,
  type SequenceChart,
} from '../../src/trace/chart/index.js';
import { hciLabel, rowFrame, SequenceChartBuilder } from '../../src/trace/chart/model.js';
import { relativeTime, utcTime } from '../../src/trace/chart/time.js';
import { kindOfH4, type CaptureDirection, type CaptureRecord } from '../../src/trace/index.js';
import { h4Record } from './arbitraries.js';

const PEER = '00:AA:01:01:00:42';
const HANDLE = 0x0b;
const T0 = 1_764_000_000_000_000;

type Packet = { direction: CaptureDirection; h4: Uint8Array };

function h4(indicator: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([indicator, ...body]);
}
const command = (c: HciCommand): Packet => ({ direction: 'tx', h4: h4(0x01, encodeCommand(c)) });
const event = (e: HciEvent): Packet => ({ direction: 'rx', h4: h4(0x04, encodeEvent(e)) });
const acl = (direction: CaptureDirection, cid: number, payload: Uint8Array, handle = HANDLE): Packet => ({
  direction,
  h4: h4(0x02, encodeAcl({ handle, pb: 0b10, bc: 0, data: encodeBasicFrame({ cid, payload }) })),
});
const signal = (direction: CaptureDirection, s: L2capSignal): Packet => acl(direction, 0x0001, encodeSignal(s));
const rfcomm = (direction: CaptureDirection, f: RfcommFrame): Packet => acl(direction, 0x0040, encodeRfcommFrame(f));
const plain = (type: 'SABM' | 'UA' | 'DISC', dlci: number): RfcommFrame => ({ type, dlci, cr: true, pf: true, info: new Uint8Array(0) });
const uih = (dlci: number, info: Uint8Array): RfcommFrame => ({ type: 'UIH', dlci, cr: true, pf: false, info });
const credits = (dlci: number, n: number): RfcommFrame => ({ type: 'UIH', dlci, cr: true, pf: true, credits: n, info: new Uint8Array(0) });
const completed = (): Packet => event({ name: 'Number Of Completed Packets', handles: [{ handle: HANDLE, numCompletedPackets: 1 }] });

function records(packets: Packet[]): CaptureRecord[] {
  return packets.map((p, i) => ({ ...p, kind: kindOfH4(p.h4[0]), frame: i + 1, timestampUs: T0 + i * 1000 }));
}

/** Connection, L2CAP channel on PSM 3 (SCID 0x40 both ways), RFCOMM session and DLC 2. */
function connected(): Packet[] {
  return [
    command({ name: 'Create Connection', bdaddr: PEER, packetType: 0xcc18, pageScanRepetitionMode: 1, reserved: 0, clockOffset: 0, allowRoleSwitch: 1 }),
    event({ name: 'Connection Complete', status: 0, handle: HANDLE, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 }),
    signal('tx', { type: 'connection-request', identifier: 1, psm: 0x0003, scid: 0x0040 }),
    signal('rx', { type: 'connection-response', identifier: 1, dcid: 0x0040, scid: 0x0040, result: 0, status: 0 }),
    rfcomm('tx', plain('SABM', 0)),
    rfcomm('rx', plain('UA', 0)),
    rfcomm('tx', uih(0, encodeMcc({ type: 'MSC', cr: true, dlci: 2, signals: 0x8d }))),
  ];
}

const arrows = (chart: SequenceChart): ChartArrow[] => chart.rows.filter((r): r is ChartArrow => r.kind === 'arrow');
const bands = (chart: SequenceChart): ChartBand[] => chart.rows.filter((r): r is ChartBand => r.kind === 'band');
const aclBytes = (p: Packet): number => p.h4.length - 5;

/** Packets a row stands for. */
function rowPackets(chart: SequenceChart): number {
  return chart.rows.reduce((n, r) => n + (r.kind === 'arrow' ? r.repeat : r.kind === 'band' ? r.tx.packets + r.rx.packets + r.others : 0), 0);
}

describe('sequence chart model', () => {
  it('draws lifelines per device and layer, and arrows between them in capture order', () => {
    const chart = buildSequenceChart(records(connected()));
    const l2cap = `${PEER}/L2CAP`;
    const rf = `${PEER}/RFCOMM`;
    expect(chart.lifelines.map((l) => l.key)).toEqual([HOST, CONTROLLER, l2cap, rf]);
    expect(chart.lifelines[2]).toEqual({ key: l2cap, title: PEER, subtitle: 'L2CAP' });
    expect(arrows(chart).map((a) => [a.packet.frame, a.from, a.to, a.layer, a.label])).toEqual([
      [1, HOST, CONTROLLER, 'hci-command', 'Create Connection'],
      [2, CONTROLLER, HOST, 'hci-event', 'Connection Complete'],
      [3, HOST, l2cap, 'l2cap', 'ConnReq id=1 psm=0x0003 scid=0x0040'],
      [4, l2cap, HOST, 'l2cap', 'ConnRsp id=1 dcid=0x0040 scid=0x0040 result=0 status=0'],
      [5, HOST, rf, 'rfcomm', 'SABM dlci=0'],
      [6, rf, HOST, 'rfcomm', 'UA dlci=0'],
      [7, HOST, rf, 'rfcomm', 'MSC cmd dlci=2 signals=0x8d[RTC,RTR,DV]'],
    ]);
    expect(chart.packets).toBe(7);
    expect(chart.startUs).toBe(T0);
    expect(arrows(chart)[4].packet.lines.join('\n')).toContain('RFCOMM SABM dlci=0');
  });

  it('groups a run of data frames into one band, taking completed-packet events and credits along', () => {
    const data = Array.from({ length: 10 }, (_, i) => rfcomm(i % 3 === 2 ? 'rx' : 'tx', uih(2, new Uint8Array(20 + i))));
    const run = data.flatMap((p, i) => (i % 4 === 3 ? [p, completed(), rfcomm('rx', credits(2, 5))] : [p]));
    const packets = [...connected(), ...run, rfcomm('tx', plain('DISC', 2))];
    const chart = buildSequenceChart(records(packets));
    const [band] = bands(chart);
    expect(bands(chart)).toHaveLength(1);
    const tx = data.filter((p) => p.direction === 'tx');
    const rx = data.filter((p) => p.direction === 'rx');
    expect(band.tx).toEqual({ packets: tx.length, bytes: tx.reduce((n, p) => n + aclBytes(p), 0) });
    expect(band.rx).toEqual({ packets: rx.length, bytes: rx.reduce((n, p) => n + aclBytes(p), 0) });
    expect(band.others).toBe(run.length - data.length);
    expect(band.absorbed).toEqual({ 'Number Of Completed Packets events': 2, 'credit-only RFCOMM frames': 2 });
    expect(band.what).toEqual(['RFCOMM dlci 2']);
    expect([band.firstFrame, band.lastFrame]).toEqual([connected().length + 1, connected().length + run.length]);
    expect(band.lanes).toEqual(expect.arrayContaining([HOST, CONTROLLER, `${PEER}/RFCOMM`]));
    expect(band.samples.map((s) => s.frame)).toEqual([8, 9, 10]);
    expect(band.last.frame).toBe(band.lastFrame);
    expect(chart.rows.at(-1)).toMatchObject({ kind: 'arrow', label: 'DISC dlci=2' });
    expect(rowPackets(chart)).toBe(packets.length);
  });

  it('keeps a short run of data as arrows, and credits outside a run as arrows', () => {
    const packets = [...connected(), rfcomm('tx', uih(2, new Uint8Array(13))), completed(), rfcomm('rx', uih(2, new Uint8Array(13))), rfcomm('rx', credits(2, 7))];
    const chart = buildSequenceChart(records(packets));
    expect(bands(chart)).toEqual([]);
    expect(arrows(chart).slice(-4).map((a) => a.label)).toEqual(['data dlci=2 13 bytes', 'Number Of Completed Packets', 'data dlci=2 13 bytes', 'UIH dlci=2 credits=7']);
    expect(buildSequenceChart(records(packets), { groupMin: 2 }).rows.filter((r) => r.kind === 'band')).toHaveLength(1);
  });

  it('draws identical consecutive packets as one arrow with a count', () => {
    const inquiry = event({ name: 'Inquiry Complete', status: 0 });
    const chart = buildSequenceChart(records([inquiry, inquiry, inquiry, command({ name: 'Reset' }), inquiry]));
    expect(arrows(chart).map((a) => [a.label, a.repeat, a.packet.frame, a.lastFrame])).toEqual([
      ['Inquiry Complete', 3, 1, 3],
      ['Reset', 1, 4, 4],
      ['Inquiry Complete', 1, 5, 5],
    ]);
  });

  it('stops drawing at maxRows and counts the packets left out', () => {
    const packets = Array.from({ length: 12 }, (_, i) => command(i % 2 ? { name: 'Reset' } : { name: 'Read BD_ADDR' }));
    const chart = buildSequenceChart(records(packets), { maxRows: 5 });
    expect(chart.rows).toHaveLength(5);
    expect(chart.omitted).toEqual({ packets: 7, firstFrame: 6, maxRows: 5 });
    expect(chart.packets).toBe(12);
    expect(renderSequenceChartHtml(chart)).toContain('only the first 5 rows are drawn: 7 packets from frame 6 on are not');
    expect(() => buildSequenceChart([], { maxRows: 0 })).toThrow(/maxRows must be an integer ≥ 1/);
  });

  it('draws AVDTP signaling as arrows on the device\'s AVDTP lifeline', () => {
    const avdtp = (direction: CaptureDirection, bytes: number[]): Packet => acl(direction, 0x0050, Uint8Array.from(bytes));
    const packets = [
      event({ name: 'Connection Complete', status: 0, handle: HANDLE, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 }),
      signal('tx', { type: 'connection-request', identifier: 1, psm: 0x0019, scid: 0x0050 }),
      signal('rx', { type: 'connection-response', identifier: 1, dcid: 0x0050, scid: 0x0050, result: 0, status: 0 }),
      // AVDTP 1.3 §8.4: transaction label 0, single packet, command; signal 0x01 Discover.
      avdtp('tx', [0x00, 0x01]),
    ];
    const chart = buildSequenceChart(records(packets));
    expect(chart.lifelines.map((l) => l.key)).toEqual([HOST, CONTROLLER, `${PEER}/L2CAP`, `${PEER}/AVDTP`]);
    const last = arrows(chart).at(-1)!;
    expect([last.from, last.to, last.layer]).toEqual([HOST, `${PEER}/AVDTP`, 'profile']);
    expect(last.label).toMatch(/^Discover command/);
  });

  it('names a device it saw no connection for by its handle, and puts SCO on its own lifeline', () => {
    const sco: Packet = { direction: 'rx', h4: h4(0x03, encodeSco({ handle: 0x0042, flags: 0, data: new Uint8Array(60) })) };
    const chart = buildSequenceChart(records([signal('tx', { type: 'connection-request', identifier: 9, psm: 0x0001, scid: 0x0041 }), sco]));
    expect(chart.lifelines.map((l) => l.key)).toEqual([HOST, CONTROLLER, 'handle 0x000b/L2CAP', 'handle 0x0042/SCO']);
    expect(arrows(chart).map((a) => [a.from, a.to, a.label])).toEqual([
      [HOST, 'handle 0x000b/L2CAP', 'ConnReq id=9 psm=0x0001 scid=0x0041'],
      ['handle 0x0042/SCO', HOST, 'SCO 60 bytes'],
    ]);
  });

  it('draws records that are not HCI as notes in their place, ending a data run', () => {
    const data = rfcomm('tx', uih(2, new Uint8Array(30)));
    const [a, b, c, d] = records([...connected(), data, data, data, data]).slice(-4);
    const builder = new SequenceChartBuilder({ maxRows: 10 });
    for (const r of records(connected())) builder.add(r);
    builder.add(a);
    builder.add(b);
    builder.add(c);
    builder.note({ frame: 11, what: 'PacketLogger NOTE', text: 'pairing', timestampUs: T0 + 10_500 });
    builder.add({ ...d, frame: 12 });
    builder.note({ frame: 13, what: 'PacketLogger POWER' });
    const chart = builder.finish();
    expect(chart.rows.slice(7).map((r) => [r.kind, rowFrame(r)])).toEqual([
      ['band', 8],
      ['note', 11],
      ['arrow', 12],
    ]);
    expect(chart.rows[8]).toEqual({ kind: 'note', frame: 11, timestampUs: T0 + 10_500, text: 'PacketLogger NOTE: pairing' });
    expect(chart.omitted).toEqual({ packets: 0, firstFrame: 13, maxRows: 10 });
    const html = renderSequenceChartHtml(chart);
    expect(html).toContain('data-layer="note" data-label="PacketLogger NOTE: pairing"');
    expect(html).toContain('"frame 11 · not an HCI packet · +0.010500 s · ');
  });

  it('labels HCI packets by name, with the status when it failed', () => {
    expect(hciLabel('Command Complete Read BD_ADDR ncmd=1 status=0x00(Success) bdaddr=00:AA:01:01:00:02')).toBe('Command Complete Read BD_ADDR');
    expect(hciLabel('Connection Complete status=0x04(Page Timeout) handle=0x0000')).toBe('Connection Complete status=Page Timeout');
    expect(hciLabel('Unknown Command opcode=0xfc1a params=00')).toBe('Unknown Command opcode=0xfc1a');
    expect(hciLabel('Reset')).toBe('Reset');
  });

  it('accounts for every packet, in order, on lifelines it has, whatever the bytes', () => {
    const pool = [...connected(), rfcomm('tx', uih(2, new Uint8Array(40))), rfcomm('rx', credits(2, 3)), completed()];
    const packet = fc.oneof(fc.constantFrom(...pool), h4Record.map((r) => ({ direction: r.direction, h4: r.h4 })));
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), (packets, maxRows, groupMin) => {
        const chart = buildSequenceChart(records(packets), { maxRows, groupMin });
        expect(chart.packets).toBe(packets.length);
        expect(rowPackets(chart) + (chart.omitted?.packets ?? 0)).toBe(packets.length);
        const keys = new Set(chart.lifelines.map((l) => l.key));
        for (const r of chart.rows) for (const k of r.kind === 'arrow' ? [r.from, r.to] : r.kind === 'band' ? r.lanes : []) expect(keys.has(k)).toBe(true);
        const frames = chart.rows.map(rowFrame);
        expect(frames).toEqual([...frames].sort((a, b) => a - b));
        expect(chart.rows.length).toBeLessThanOrEqual(maxRows);
        expect(renderSequenceChartHtml(chart)).toMatch(/<\/html>\n$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sequence chart page', () => {
  it('is one self-contained file: nothing fetched, text escaped, one row per chart row', () => {
    const name = '</script><img src=x onerror=alert(1)>';
    const packets = [command({ name: 'Write Local Name', localName: name }), ...connected()];
    const chart = buildSequenceChart(records(packets));
    const html = sequenceChartHtml(records(packets), { title: 'a <b> & "c"' });
    expect(html).toContain('<title>a &#60;b&#62; &#38; &#34;c&#34;</title>');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<[a-z][^>]*\s(?:src|href)\s*=/i);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html.match(/<g class="row /g)).toHaveLength(chart.rows.length);
    const json = /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1];
    const details = JSON.parse(json) as string[][];
    expect(details).toHaveLength(chart.rows.length);
    expect(details[0].join('\n')).toContain(`localName=${JSON.stringify(name)}`);
    expect(details[0][0]).toBe(`frame 1 · packet 1 · sent (Host → Controller) · +0.000000 s · ${utcTime(T0)}`);
  });
});

describe('chart times', () => {
  it('writes UTC dates as the calendar has them', () => {
    expect(utcTime(0)).toBe('1970-01-01 00:00:00.000000 UTC');
    expect(utcTime(951_825_600_123_456)).toBe('2000-02-29 12:00:00.123456 UTC');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000_000 }), (us) => {
        const iso = new Date(Math.floor(us / 1000)).toISOString();
        expect(utcTime(us)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(us % 1000).padStart(3, '0')} UTC`);
      }),
    );
  });

  it('writes times relative to the start in seconds with microseconds', () => {
    expect(relativeTime(T0 + 1_234_567, T0)).toBe('+1.234567');
    expect(relativeTime(T0, T0 + 5)).toBe('-0.000005');
  });
});
