/**
 * Draws a SequenceChart (model.ts) as one self-contained HTML page: inline CSS, one inline SVG, a
 * few lines of inline script, no font, image or script from anywhere else (the page's Content
 * Security Policy forbids any fetch). Pure: chart in, HTML text out.
 *
 * The page: a header of lifeline boxes that stays on top while scrolling; one row per arrow or
 * band, top to bottom in capture order, with its frame number and time (seconds since the first
 * packet) on the left; a panel at the bottom that shows the full decode of the row clicked (or
 * chosen with the arrow keys and Enter). Rows carry `data-row`, `data-frame`, `data-layer` and
 * `data-label`, so that a test or a script can find them.
 */
import { ArgumentError } from '../../core/index.js';
import {
  CONTROLLER,
  HOST,
  rowFrame,
  type ChartArrow,
  type ChartBand,
  type ChartLayer,
  type ChartNote,
  type ChartPacket,
  type ChartRow,
  type Lifeline,
  type SequenceChart,
} from './model.js';
import { relativeTime, utcTime } from './time.js';

export interface SequenceChartHtmlOptions {
  /** The page title, e.g. the capture's file name. Default `Sequence chart`. */
  readonly title?: string;
}

const GUTTER = 130;
const FIRST_X = GUTTER + 80;
/** Host ↔ Controller is the widest gap: most arrows of a capture are HCI commands and events. */
const HOST_CONTROLLER_GAP = 300;
const REMOTE_GAP = 175;
const ROW_H = 24;
const HEADER_H = 50;
const BOX_W = 156;
/** Width of one character of the 11 px monospace labels. */
const CHAR_W = 6.7;

export const LAYER_COLORS: Record<ChartLayer, string> = {
  'hci-command': '#1d63c4',
  'hci-event': '#23834f',
  l2cap: '#c26a00',
  sdp: '#7c4dd8',
  rfcomm: '#c62828',
  profile: '#00838f',
  data: '#5f6b7a',
  other: '#5f6b7a',
  malformed: '#b00020',
};

const LAYER_NAMES: Record<ChartLayer, string> = {
  'hci-command': 'HCI command',
  'hci-event': 'HCI event',
  l2cap: 'L2CAP signaling',
  sdp: 'SDP',
  rfcomm: 'RFCOMM',
  profile: 'AVDTP / AVCTP / AT',
  data: 'data',
  other: 'other',
  malformed: 'malformed',
};

/** The page for a chart. */
export function renderSequenceChartHtml(chart: SequenceChart, options: SequenceChartHtmlOptions = {}): string {
  const title = options.title ?? 'Sequence chart';
  const xs = lifelineXs(chart.lifelines);
  const width = (xs.at(-1) ?? FIRST_X) + BOX_W / 2 + 20;
  const height = chart.rows.length * ROW_H + 16;
  const rows = chart.rows.map((row, i) => renderRow(row, i, xs, chart));
  const details = chart.rows.map((row) => rowDetails(row, chart));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header id="top"><h1>${esc(title)}</h1><p id="summary">${esc(summary(chart))}</p>${legend()}</header>
<div id="lifelines" style="width:${width}px">${renderHeader(chart.lifelines, xs, width)}</div>
<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="list">
${xs.map((x) => `<line class="life" x1="${x}" y1="0" x2="${x}" y2="${height}"/>`).join('')}
${rows.join('\n')}
</svg>
<section id="panel"><div id="panel-head">Click an arrow or a band to see its decode (arrow keys move, Enter shows).</div><pre id="decode"></pre></section>
<script type="application/json" id="chart-data">${jsonForScript(details)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function lifelineXs(lifelines: readonly Lifeline[]): number[] {
  return lifelines.map((_, i) => (i === 0 ? FIRST_X : FIRST_X + HOST_CONTROLLER_GAP + (i - 1) * REMOTE_GAP));
}

function summary(chart: SequenceChart): string {
  const devices = new Set(chart.lifelines.slice(2).map((l) => l.title)).size;
  const parts = [`${count(chart.packets)} HCI packets`, `${count(chart.rows.length)} rows`, `${devices} remote device${devices === 1 ? '' : 's'}`];
  if (chart.startUs !== undefined) parts.push(`starting ${utcTime(chart.startUs)}`);
  let text = parts.join(' · ');
  if (chart.omitted) {
    text += ` — only the first ${count(chart.omitted.maxRows)} rows are drawn: ${count(chart.omitted.packets)} packets from frame ${chart.omitted.firstFrame} on are not`;
  }
  return text;
}

function legend(): string {
  const items = (Object.keys(LAYER_NAMES) as ChartLayer[]).filter((l) => l !== 'other');
  return `<ul id="legend">${items.map((l) => `<li><i style="background:${LAYER_COLORS[l]}"></i>${LAYER_NAMES[l]}</li>`).join('')}</ul>`;
}

function renderHeader(lifelines: readonly Lifeline[], xs: number[], width: number): string {
  const boxes = lifelines.map((l, i) => {
    const x = xs[i] - BOX_W / 2;
    return `<g class="head" data-lifeline="${esc(l.key)}"><rect x="${x}" y="4" width="${BOX_W}" height="${HEADER_H - 8}" rx="5"/><text x="${xs[i]}" y="22">${esc(fit(l.title, BOX_W - 8))}</text><text class="sub" x="${xs[i]}" y="38">${esc(fit(l.subtitle, BOX_W - 8))}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEADER_H}"><text class="gutter-head" x="8" y="30">frame  time (s)</text>${boxes.join('')}</svg>`;
}

function renderRow(row: ChartRow, i: number, xs: number[], chart: SequenceChart): string {
  const y = i * ROW_H + 8;
  const frame = rowFrame(row);
  const us = row.kind === 'arrow' ? row.packet.timestampUs : row.kind === 'band' ? row.startUs : row.timestampUs;
  const time = us !== undefined && chart.startUs !== undefined ? relativeTime(us, chart.startUs) : '';
  const gutter = `<text class="fr" x="8" y="${y + 16}">${frame}</text><text class="tm" x="64" y="${y + 16}">${time}</text>`;
  const body = row.kind === 'arrow' ? renderArrow(row, y, xs, chart.lifelines) : row.kind === 'band' ? renderBand(row, y, xs, chart.lifelines) : renderNote(row, y, xs);
  const layer = row.kind === 'arrow' ? row.layer : row.kind === 'band' ? 'data' : 'note';
  const label = row.kind === 'arrow' ? arrowLabel(row) : row.kind === 'band' ? bandLabel(row) : row.text;
  return `<g class="row ${row.kind} ${layer}" data-row="${i}" data-frame="${frame}" data-layer="${layer}" data-label="${esc(label)}" tabindex="0" role="listitem"><title>${esc(`frame ${frame}: ${label}`)}</title><rect class="hit" x="0" y="${y}" width="100%" height="${ROW_H}"/>${gutter}${body}</g>`;
}

function renderArrow(a: ChartArrow, y: number, xs: number[], lifelines: readonly Lifeline[]): string {
  const x1 = xs[indexOf(lifelines, a.from)];
  const x2 = xs[indexOf(lifelines, a.to)];
  const yl = y + 17;
  const dir = x2 > x1 ? 1 : -1;
  const tip = x2 - dir;
  const color = LAYER_COLORS[a.layer];
  const head = `${tip},${yl} ${tip - dir * 8},${yl - 4} ${tip - dir * 8},${yl + 4}`;
  const text = fit(arrowLabel(a), Math.abs(x2 - x1) - 16);
  return `<line class="arrow" x1="${x1}" y1="${yl}" x2="${tip - dir * 6}" y2="${yl}" stroke="${color}"/><polygon points="${head}" fill="${color}"/><text class="label" x="${(x1 + x2) / 2}" y="${yl - 4}" fill="${color}">${esc(text)}</text>`;
}

function renderBand(b: ChartBand, y: number, xs: number[], lifelines: readonly Lifeline[]): string {
  const lanes = b.lanes.map((k) => xs[indexOf(lifelines, k)]);
  const left = Math.min(...lanes) - 8;
  const right = Math.max(...lanes) + 8;
  const text = fit(bandLabel(b), right - left - 16);
  return `<rect class="band" x="${left}" y="${y + 3}" width="${right - left}" height="${ROW_H - 6}" rx="4"/><text class="band-label" x="${left + 8}" y="${y + 16}">${esc(text)}</text>`;
}

function renderNote(n: ChartNote, y: number, xs: number[]): string {
  const left = xs[0] - 8;
  const right = (xs.at(-1) ?? xs[0]) + 8;
  return `<rect class="note" x="${left}" y="${y + 3}" width="${right - left}" height="${ROW_H - 6}"/><text class="note-text" x="${left + 8}" y="${y + 16}">${esc(fit(n.text, right - left - 16))}</text>`;
}

function indexOf(lifelines: readonly Lifeline[], key: string): number {
  const i = lifelines.findIndex((l) => l.key === key);
  if (i < 0) throw new ArgumentError(`a sequence chart row is on lifeline ${key}, which the chart does not list in its lifelines`);
  return i;
}

export function arrowLabel(a: ChartArrow): string {
  return a.repeat > 1 ? `${a.label} ×${a.repeat}` : a.label;
}

export function bandLabel(b: ChartBand): string {
  const packets = b.tx.packets + b.rx.packets;
  const others = b.others > 0 ? ` · +${count(b.others)} other` : '';
  return `${b.what.join(', ') || 'data'} · ${count(packets)} packets · → ${count(b.tx.packets)} (${count(b.tx.bytes)} B) ← ${count(b.rx.packets)} (${count(b.rx.bytes)} B)${others}`;
}

/** What the panel shows for a row: a head line, then the decode lines. */
function rowDetails(row: ChartRow, chart: SequenceChart): string[] {
  if (row.kind === 'note') {
    const time = row.timestampUs !== undefined ? ` · ${chart.startUs !== undefined ? `${relativeTime(row.timestampUs, chart.startUs)} s · ` : ''}${utcTime(row.timestampUs)}` : '';
    return [`frame ${row.frame} · not an HCI packet${time}`, row.text];
  }
  if (row.kind === 'arrow') {
    const lines = [packetHead(row.packet, chart, row.from, row.to), ...row.packet.lines];
    if (row.repeat > 1) lines.push('', `… and ${row.repeat - 1} more identical packet(s), the last at frame ${row.lastFrame}`);
    return lines;
  }
  const span = row.startUs !== undefined && row.endUs !== undefined ? ` over ${relativeTime(row.endUs, row.startUs).slice(1)} s` : '';
  const lines = [
    `frames ${row.firstFrame}–${row.lastFrame}: data band${span}`,
    `on: ${row.what.join(', ') || 'data'}`,
    `sent (Host → remote): ${count(row.tx.packets)} packets, ${count(row.tx.bytes)} bytes of HCI payload`,
    `received (remote → Host): ${count(row.rx.packets)} packets, ${count(row.rx.bytes)} bytes of HCI payload`,
  ];
  for (const [what, n] of Object.entries(row.absorbed)) lines.push(`with them: ${count(n)} ${what}`);
  const shown = row.samples.includes(row.last) ? row.samples : [...row.samples, row.last];
  for (const p of shown) lines.push('', packetHead(p, chart), ...p.lines.map((l) => `  ${l}`));
  return lines;
}

function packetHead(p: ChartPacket, chart: SequenceChart, from?: string, to?: string): string {
  const names = (key: string): string => {
    const l = chart.lifelines.find((x) => x.key === key);
    return !l || key === HOST || key === CONTROLLER ? (l?.title ?? key) : `${l.title} ${l.subtitle}`;
  };
  const way = from !== undefined && to !== undefined ? ` (${names(from)} → ${names(to)})` : '';
  const time = p.timestampUs !== undefined ? ` · ${chart.startUs !== undefined ? `${relativeTime(p.timestampUs, chart.startUs)} s · ` : ''}${utcTime(p.timestampUs)}` : '';
  return `frame ${p.frame} · packet ${p.index} · ${p.direction === 'tx' ? 'sent' : 'received'}${way}${time}`;
}

/** The text cut to the width, with an ellipsis when cut. */
function fit(text: string, widthPx: number): string {
  const max = Math.max(4, Math.floor(widthPx / CHAR_W));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end the script element or start a comment in it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

const CSS = `
:root { color-scheme: light; }
body { margin: 0; font: 13px system-ui, sans-serif; color: #1b1f24; background: #fff; padding-bottom: 34vh; }
#top { padding: 8px 12px 4px; }
h1 { font-size: 16px; margin: 0 0 2px; }
#summary { margin: 0 0 4px; color: #444; }
#legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; }
#legend i { display: inline-block; width: 14px; height: 4px; margin-right: 5px; vertical-align: middle; }
#lifelines { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ccd; z-index: 1; }
#lifelines rect { fill: #eef2f8; stroke: #7a8699; }
#lifelines text { text-anchor: middle; font: 600 12px ui-monospace, 'DejaVu Sans Mono', monospace; }
#lifelines text.sub { font-weight: 400; fill: #555; }
#lifelines text.gutter-head { text-anchor: start; font-weight: 400; fill: #666; }
svg text { font: 11px ui-monospace, 'DejaVu Sans Mono', monospace; }
#chart { display: block; }
line.life { stroke: #b7bfcc; stroke-dasharray: 4 4; }
line.arrow { stroke-width: 1.6; }
text.label { text-anchor: middle; }
text.fr { fill: #666; }
text.tm { fill: #888; }
rect.hit { fill: transparent; }
g.row { cursor: pointer; outline: none; }
g.row:hover rect.hit { fill: #f3f6fb; }
g.row.sel rect.hit, g.row:focus rect.hit { fill: #ffeeb0; }
rect.band { fill: #e4e7ec; stroke: #8a94a3; stroke-dasharray: 3 2; }
text.band-label { fill: #333; }
rect.note { fill: #fff8d6; stroke: #d8c679; }
text.note-text { fill: #6b5d1a; font-style: italic; }
g.malformed line.arrow { stroke-dasharray: 5 3; }
#panel { position: fixed; left: 0; right: 0; bottom: 0; height: 32vh; background: #fafbfc; border-top: 2px solid #7a8699; display: flex; flex-direction: column; }
#panel-head { padding: 5px 12px; font-weight: 600; background: #eef2f8; }
#decode { margin: 0; padding: 6px 12px; overflow: auto; flex: 1; font: 12px ui-monospace, 'DejaVu Sans Mono', monospace; white-space: pre; }
`;

/** Click (or arrow keys and Enter) on a row shows its decode in the panel. */
const SCRIPT = `
(function () {
  var details = JSON.parse(document.getElementById('chart-data').textContent);
  var chart = document.getElementById('chart');
  var head = document.getElementById('panel-head');
  var pre = document.getElementById('decode');
  var selected = null;
  function show(g) {
    if (selected) selected.classList.remove('sel');
    selected = g;
    g.classList.add('sel');
    var lines = details[Number(g.getAttribute('data-row'))];
    head.textContent = lines[0];
    pre.textContent = lines.slice(1).join('\\n');
  }
  chart.addEventListener('click', function (e) {
    var g = e.target.closest('g.row');
    if (g) { g.focus({ preventScroll: true }); show(g); }
  });
  chart.addEventListener('keydown', function (e) {
    var g = e.target.closest('g.row');
    if (!g) return;
    if (e.key === 'Enter' || e.key === ' ') { show(g); e.preventDefault(); return; }
    var next = e.key === 'ArrowDown' ? g.nextElementSibling : e.key === 'ArrowUp' ? g.previousElementSibling : null;
    if (next && next.matches('g.row')) { next.focus(); show(next); e.preventDefault(); }
  });
})();
`;
