/**
 * The sequence chart in a real browser: Debian's `chromium`, headless, driven over the DevTools
 * protocol on a pipe (`--remote-debugging-pipe`: JSON messages ended by NUL, the browser reads fd 3
 * and writes fd 4), so no browser-automation package is needed. The page made from the demo's own
 * trace (written by `btc decode demo.btsnoop --html OUT`) must load without a console error or exception, show the arrows in capture order, show a
 * packet's decode when its arrow is clicked, and give a screenshot.
 *
 * With CI=true a missing chromium fails; otherwise the test skips and says why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/trace/index.js';
import { runCli } from '../support/cli.js';
import { IN_CI } from '../support/env.js';

function chromiumMissing(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return undefined;
  const why = 'chromium is not installed (apt-get install -y chromium): sequence chart browser test skipped';
  if (IN_CI) throw new Error(why + ' — mandatory with CI=true');
  return why;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** A headless Chromium and one page, over the DevTools protocol on fds 3 and 4. */
class Browser {
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: CdpMessage) => void)[] = [];
  private buffered = '';
  private readonly input: Writable;
  readonly problems: string[] = [];
  sessionId = '';
  stderr = '';

  private constructor(readonly child: ChildProcess, readonly profile: string) {
    this.input = child.stdio[3] as Writable;
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code, signal) => {
      for (const call of this.calls.values()) call.reject(new Error(`chromium ended (${code ?? signal}) before answering:\n${this.stderr}`));
      this.calls.clear();
    });
  }

  static async start(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'btc-chromium-'));
    const child = spawn(
      'chromium',
      [
        '--headless',
        '--remote-debugging-pipe',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--no-default-browser-check',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const browser = new Browser(child, profile);
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    browser.sessionId = sessionId as string;
    browser.on((m) => {
      if (m.sessionId !== browser.sessionId) return;
      if (m.method === 'Runtime.exceptionThrown') browser.problems.push(`exception: ${JSON.stringify(m.params)}`);
      if (m.method === 'Runtime.consoleAPICalled' && (m.params?.type === 'error' || m.params?.type === 'warning')) browser.problems.push(`console ${m.params.type}: ${JSON.stringify(m.params.args)}`);
      if (m.method === 'Log.entryAdded') {
        const entry = m.params?.entry as { level: string; text: string; source: string };
        if (entry.level === 'error' || entry.level === 'warning') browser.problems.push(`log ${entry.level} (${entry.source}): ${entry.text}`);
      }
    });
    for (const domain of ['Runtime', 'Log', 'Page']) await browser.page(`${domain}.enable`);
    return browser;
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffered.slice(0, end)) as CdpMessage;
      this.buffered = this.buffered.slice(end + 1);
      if (message.id !== undefined) {
        const call = this.calls.get(message.id);
        this.calls.delete(message.id);
        if (message.error) call?.reject(new Error(`DevTools: ${message.error.message}`));
        else call?.resolve(message.result ?? {});
      } else {
        for (const listener of [...this.listeners]) listener(message);
      }
    }
  }

  on(listener: (m: CdpMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first event of `method` on the page. */
  event(method: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listener = (m: CdpMessage): void => {
        if (m.method !== method || m.sessionId !== this.sessionId) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(m.params ?? {});
      };
      this.on(listener);
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(sessionId ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.input.write(JSON.stringify(message) + '\0');
    });
  }

  page(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.send(method, params, this.sessionId);
  }

  /** The value of an expression evaluated in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`page threw: ${JSON.stringify(r.exceptionDetails)}`);
    return (r.result as { value: T }).value;
  }

  async open(url: string): Promise<void> {
    const loaded = this.event('Page.loadEventFired');
    const r = await this.page('Page.navigate', { url });
    if (r.errorText) throw new Error(`chromium could not open ${url}: ${r.errorText}`);
    await loaded;
  }

  async click(x: number, y: number): Promise<void> {
    for (const type of ['mousePressed', 'mouseReleased']) await this.page('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.exitCode === null) {
      await this.send('Browser.close').catch(() => undefined);
      await exited;
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

interface RowInfo {
  frame: number;
  layer: string;
  label: string;
}

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)(`sequence chart in headless Chromium${skip ? ` — ${skip}` : ''}`, () => {
  let dir: string;
  let browser: Browser;
  let rows: RowInfo[];
  let packets: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'btc-chart-'));
    const trace = join(dir, 'demo.btsnoop');
    const demo = await runCli(['demo', '--quiet', '--btsnoop', trace]);
    expect(demo.code, demo.stderr).toBe(0);
    packets = [...readCapture(new Uint8Array(readFileSync(trace)))].length;
    const html = join(dir, 'demo.html');
    const decode = await runCli(['decode', trace, '--html', html]);
    expect(decode.code, decode.stderr).toBe(0);
    expect(decode.stdout).toBe(`wrote a sequence chart of ${packets} packet(s) in ${packets} row(s) to ${html}\n`);
    browser = await Browser.start();
    await browser.page('Emulation.setDeviceMetricsOverride', { width: 1200, height: 900, deviceScaleFactor: 1, mobile: false });
    await browser.open(pathToFileURL(html).href);
    rows = await browser.evaluate<RowInfo[]>(
      `[...document.querySelectorAll('#chart g.row')].map((g) => ({ frame: Number(g.dataset.frame), layer: g.dataset.layer, label: g.dataset.label }))`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error, warning or exception', async () => {
    expect(await browser.evaluate<string>('document.readyState')).toBe('complete');
    expect(browser.problems).toEqual([]);
  });

  it('draws every packet of the demo, the arrows in capture order', () => {
    expect(packets).toBeGreaterThan(50);
    expect(rows).toHaveLength(packets);
    const frames = rows.map((r) => r.frame);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    const position = (layer: string, label: RegExp): number => {
      const i = rows.findIndex((r) => r.layer === layer && label.test(r.label));
      expect(i, `no ${layer} arrow ${label}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      position('hci-command', /^Create Connection$/),
      position('hci-event', /^Command Status Create Connection$/),
      position('hci-event', /^Connection Complete$/),
      position('l2cap', /^ConnReq id=\d+ psm=0x0001 /),
      position('l2cap', /^ConnRsp .*result=0 /),
      position('sdp', /^SSA-Req /),
      position('sdp', /^SSA-Rsp /),
      position('l2cap', /^ConnReq id=\d+ psm=0x0003 /),
      position('rfcomm', /^SABM dlci=0$/),
      position('rfcomm', /^UA dlci=0$/),
      position('rfcomm', /^PN cmd dlci=2 /),
      position('rfcomm', /^SABM dlci=2$/),
      position('rfcomm', /^MSC cmd dlci=2 /),
      position('data', /^data dlci=2 13 bytes/),
      position('rfcomm', /^DISC dlci=2$/),
      position('hci-command', /^Disconnect$/),
      position('hci-event', /^Disconnection Complete$/),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('has the lifelines of the host, its controller and the server layers', async () => {
    const heads = await browser.evaluate<string[]>(`[...document.querySelectorAll('#lifelines g.head')].map((g) => g.textContent)`);
    expect(heads[0]).toMatch(/^Host00:AA:01:01:00:/);
    expect(heads[1]).toBe('Controllerlocal');
    expect(heads.slice(2).map((h) => h.slice(17))).toEqual(['L2CAP', 'SDP', 'RFCOMM']);
  });

  it('shows the full decode of an arrow when it is clicked', async () => {
    const i = rows.findIndex((r) => r.layer === 'sdp' && r.label.startsWith('SSA-Rsp'));
    const box = await browser.evaluate<{ x: number; y: number }>(`(() => {
      const label = document.querySelectorAll('#chart g.row')[${i}].querySelector('text.label');
      label.scrollIntoView({ block: 'center' });
      const r = label.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })()`);
    expect(await browser.evaluate<string>('document.getElementById("decode").textContent')).toBe('');
    await browser.click(box.x, box.y);
    const head = await browser.evaluate<string>('document.getElementById("panel-head").textContent');
    const text = await browser.evaluate<string>('document.getElementById("decode").textContent');
    expect(head).toMatch(new RegExp(`^frame ${rows[i].frame} · packet \\d+ · received \\(00:AA:01:01:00:\\w\\w SDP → Host\\) · \\+\\d+\\.\\d{6} s · \\d{4}-\\d\\d-\\d\\d `));
    expect(text).toContain('SDP SSA-Rsp');
    expect(text).toContain('0x0100 ServiceName: text "Echo Service"');
    expect(await browser.evaluate<number>(`document.querySelectorAll('#chart g.row.sel').length`)).toBe(1);
    expect(browser.problems).toEqual([]);
  });

  it('shows the arrow in focus with Enter and moves to the next with the down arrow key', async () => {
    const key = async (name: string, code: number): Promise<void> => {
      for (const type of ['keyDown', 'keyUp']) await browser.page('Input.dispatchKeyEvent', { type, key: name, code: name, windowsVirtualKeyCode: code });
    };
    const selected = (): Promise<number> => browser.evaluate<number>(`Number(document.querySelector('#chart g.row.sel').dataset.row)`);
    const head = (): Promise<string> => browser.evaluate<string>('document.getElementById("panel-head").textContent');
    const i = rows.findIndex((r) => r.label === 'SABM dlci=0');
    await browser.evaluate(`document.querySelectorAll('#chart g.row')[${i}].focus()`);
    await key('Enter', 13);
    expect(await selected()).toBe(i);
    expect(await head()).toMatch(new RegExp(`^frame ${rows[i].frame} · `));
    await key('ArrowDown', 40);
    expect(await selected()).toBe(i + 1);
    expect(await head()).toMatch(new RegExp(`^frame ${rows[i + 1].frame} · `));
    expect(await browser.evaluate<string>('document.getElementById("decode").textContent')).toContain(rows[i + 1].label);
  });

  it('takes a screenshot', async () => {
    const shot = await browser.page('Page.captureScreenshot', { format: 'png' });
    const png = Buffer.from(shot.data as string, 'base64');
    const file = join(dir, 'chart.png');
    writeFileSync(file, png);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height big-endian at offsets 16 and 20.
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.readUInt32BE(20)).toBe(900);
  });
});
