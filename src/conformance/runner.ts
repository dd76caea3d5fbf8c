/**
 * Runs scenarios (scenario.ts) with a Tester against one implementation under test and gives each a
 * verdict: PASS only on the answer the rule requires; FAIL with the bytes seen when something else
 * came (or the link was no longer usable afterwards); NO-ANSWER when nothing came in time;
 * INCONCLUSIVE when the set-up the scenario needs could not be reached. Waiting follows the
 * medium's clock, so on the virtual controller no wall-clock time passes.
 */
import { hex } from '../core/index.js';
import { aclPacket, rfcommFrame } from './frames.js';
import { fillPattern, matchPattern, type Captures } from './hex-pattern.js';
import type { Observed } from './observed.js';
import { mccPattern, rfcommPattern, type Check, type Scenario, type ScenarioContext, type Setup, type Step } from './scenario.js';
import { StackChannel } from './stack-channel.js';
import { PSM, type StackSession, type Tester, type TesterChannel } from './tester.js';

export type Verdict = 'PASS' | 'FAIL' | 'NO-ANSWER' | 'INCONCLUSIVE';

export interface ScenarioResult {
  id: string;
  title: string;
  rule: string;
  spec: string;
  verdict: Verdict;
  /** What decided the verdict, in a sentence. */
  detail: string;
  /** The frames that decided it (spaced hex). */
  seen: string[];
}

export interface RunOptions {
  /** The implementation under test. */
  address: string;
  /** Its RFCOMM server channel (default 1). */
  channel?: number;
  /** Default expect timeout, ms (default 3000). */
  timeoutMs?: number;
  /** Client role: makes the device connect to the tester (called once per client scenario, with it: see its `deviceAction`). */
  trigger?: (scenario: Scenario) => void;
  /** Client role: how long to wait for the device's Connection Request (default 30000). */
  acceptTimeoutMs?: number;
  /** The `stack-…` set-ups: the device's server channel the tester's own stack connects to, which echoes what it gets (default 2). */
  stackChannel?: number;
}

class StepFailure extends Error {
  constructor(
    readonly verdict: Verdict,
    message: string,
    readonly seen: string[] = [],
  ) {
    super(message);
  }
}

const SETUP_CHAIN: Record<Setup, Exclude<Setup, 'none'>[]> = {
  none: [],
  link: ['link'],
  'sdp-channel': ['link', 'sdp-channel'],
  'rfcomm-channel': ['link', 'rfcomm-channel'],
  'rfcomm-session': ['link', 'rfcomm-channel', 'rfcomm-session'],
  'rfcomm-dlc': ['link', 'rfcomm-channel', 'rfcomm-session', 'rfcomm-dlc'],
  'accept-rfcomm-channel': ['accept-rfcomm-channel'],
  'accept-rfcomm-session': ['accept-rfcomm-channel', 'accept-rfcomm-session'],
  'stack-rfcomm-dlc': ['link', 'stack-rfcomm-dlc'],
  'stack-session': ['link', 'stack-rfcomm-dlc', 'stack-session'],
  'stack-session-dlc': ['link', 'stack-rfcomm-dlc', 'stack-session', 'stack-session-dlc'],
  'stack-sdp-channel': ['link', 'stack-rfcomm-dlc', 'sdp-channel'],
};

const layerOf = (l: string): Observed['layer'] => (l === 'mcc' ? 'rfcomm' : (l as Observed['layer']));

/** A UIH with P/F = 1 and no information: a credit grant (RFCOMM 1.2 §6.5.2), allowed between answers unless a step says otherwise. */
function creditOnly(o: Observed): boolean {
  return o.layer === 'rfcomm' && o.bytes.length === 5 && (o.bytes[1]! & 0xef) === 0xef && (o.bytes[1]! & 0x10) !== 0 && o.bytes[2] === 0x01;
}

/** A signaling request of the peer (its own, not an answer) while the step waits for something else (Core Vol 3 Part A §4). */
function peerRequest(o: Observed, alternatives: string[]): boolean {
  const code = o.bytes[0]!;
  if (o.layer !== 'signaling' || ![0x02, 0x04, 0x06, 0x08, 0x0a].includes(code)) return false;
  return !alternatives.some((p) => p.trim().toLowerCase().startsWith(code.toString(16).padStart(2, '0')));
}

/** An HCI event that answers no command: it comes as the controller's life goes on, and fails no step. */
function otherEvent(o: Observed): boolean {
  return o.layer === 'hci' && o.bytes[0] !== 0x0e && o.bytes[0] !== 0x0f;
}

/** One run of scenarios against one implementation: the channels it opened, the values it captured. */
class Run {
  rfcomm: TesterChannel | undefined;
  sdp: TesterChannel | undefined;
  /** The stack's own RFCOMM channel (the `stack-…` set-ups). */
  stackChannel: StackChannel | undefined;
  /** The stack's session, when the DLC under test rides on it (then `rfcomm` stands for it). */
  shared: StackSession | undefined;
  readonly captures: Captures = new Map();
  readonly ctx: ScenarioContext;
  private tid = 1;

  constructor(
    readonly tester: Tester,
    readonly options: RunOptions,
    readonly timeoutMs: number,
    /** The device started the session (the client role): it is the initiator. */
    readonly client = false,
    readonly scenario: Scenario,
  ) {
    this.ctx = { dlci: (options.channel ?? 1) << 1 };
    this.captures.set('dlci', this.ctx.dlci);
    this.captures.set('dlci_msc', (this.ctx.dlci << 2) | 3);
  }

  async setup(setup: Setup | undefined): Promise<void> {
    for (const s of SETUP_CHAIN[setup ?? 'link']) await this.reach(s);
    const link = this.tester.link;
    if (link) {
      this.captures.set('handle_lo', link.handle & 0xff);
      this.captures.set('handle_hi', link.handle >>> 8);
    }
  }

  private async reach(s: Exclude<Setup, 'none'>): Promise<void> {
    const t = this.tester;
    switch (s) {
      case 'link':
        if (!t.link) await t.connect(this.options.address);
        return;
      case 'sdp-channel':
        this.sdp = this.channelOr(await t.openChannel(PSM.SDP), 'SDP');
        return;
      case 'rfcomm-channel':
        this.rfcomm = this.channelOr(await t.openChannel(PSM.RFCOMM), 'RFCOMM');
        return;
      case 'rfcomm-session':
        t.sendOn(this.rfcomm!, rfcommFrame({ dlci: 0, control: 'SABM', pf: 1 }));
        await this.setupExpect(rfcommPattern({ dlci: 0, control: 'UA', pf: 1 }, this.ctx), 'UA to SABM on DLCI 0');
        return;
      case 'rfcomm-dlc':
      case 'stack-session-dlc':
        await this.openDlc();
        return;
      case 'stack-rfcomm-dlc': {
        const c = await StackChannel.open(t.medium, this.options.address, this.options.stackChannel ?? 2, Math.max(this.timeoutMs, 10_000));
        if (typeof c === 'string') throw new StepFailure('INCONCLUSIVE', `set-up: ${c}`);
        this.stackChannel = c;
        return;
      }
      case 'stack-session': {
        const session = t.stackSession();
        if (!session) throw new StepFailure('INCONCLUSIVE', "set-up: the stack's RFCOMM session is not open on the link");
        t.claimDlci(session, this.ctx.dlci);
        this.shared = session;
        this.rfcomm = { psm: PSM.RFCOMM, localCid: session.localCid, remoteCid: session.remoteCid, remoteMtu: session.remoteMtu };
        return;
      }
      case 'accept-rfcomm-channel':
        this.options.trigger?.(this.scenario);
        this.rfcomm = this.channelOr(await t.acceptChannel(PSM.RFCOMM, { timeoutMs: this.options.acceptTimeoutMs ?? 30_000 }), 'RFCOMM');
        return;
      case 'accept-rfcomm-session':
        await this.setupExpect(rfcommPattern({ dlci: 0, control: 'SABM', pf: 1 }, this.ctx), 'SABM on DLCI 0');
        t.sendOn(this.rfcomm!, rfcommFrame({ dlci: 0, control: 'UA', pf: 1 }));
        return;
    }
  }

  private channelOr(c: TesterChannel | string, what: string): TesterChannel {
    if (typeof c === 'string') throw new StepFailure('INCONCLUSIVE', `set-up: could not open the ${what} L2CAP channel: ${c}`);
    return c;
  }

  private async setupExpect(pattern: string, what: string): Promise<void> {
    const o = await this.tester.next({ layer: 'rfcomm', match: (x) => matchPattern(pattern, x.bytes, this.captures) }, this.timeoutMs);
    if (!o) throw new StepFailure('INCONCLUSIVE', `set-up: no ${what}`, this.tester.take({ layer: 'rfcomm' }).map((x) => hex(x.bytes, ' ')));
  }

  /** PN offering credits (N1 127, K 7), SABM, and the MSC exchange both ways (TS 07.10 §5.4.6.3.1, §5.4.6.3.7). */
  private async openDlc(): Promise<void> {
    const t = this.tester;
    const d = this.ctx.dlci;
    const dh = d.toString(16).padStart(2, '0');
    t.sendOn(this.rfcomm!, fillPattern(mccPattern({ type: 'PN', value: `${dh} f0 07 00 7f 00 00 07` }, true, this.ctx), this.captures));
    await this.setupExpect(mccPattern({ type: 'PN', cr: 0, value: `${dh} e0 ?? 00 ?? ?? 00 ??` }, false, this.ctx), 'PN response accepting credits');
    t.sendOn(this.rfcomm!, rfcommFrame({ dlci: d, control: 'SABM', pf: 1 }));
    await this.setupExpect(rfcommPattern({ dlci: d, control: 'UA', pf: 1 }, this.ctx), `UA to SABM on DLCI ${d}`);
    const msc = (cr: 0 | 1, initiator: boolean): string => mccPattern({ type: 'MSC', cr, value: `<dlci_msc> ??` }, initiator, this.ctx);
    t.sendOn(this.rfcomm!, fillPattern(mccPattern({ type: 'MSC', value: '<dlci_msc> 8d' }, true, this.ctx), this.captures));
    let gotCommand = false;
    let gotResponse = false;
    const deadline = t.now() + this.timeoutMs;
    while (!(gotCommand && gotResponse)) {
      const o = await t.next({ layer: 'rfcomm' }, Math.max(0, deadline - t.now()));
      if (!o) throw new StepFailure('INCONCLUSIVE', `set-up: the MSC exchange on DLCI ${d} did not complete`);
      const c = new Map(this.captures);
      if (matchPattern(msc(1, false), o.bytes, c)) {
        gotCommand = true;
        t.sendOn(this.rfcomm!, fillPattern(mccPattern({ type: 'MSC', cr: 0, value: `<dlci_msc> ${hex(o.bytes.subarray(6, 7))}` }, true, this.ctx), this.captures));
      } else if (matchPattern(msc(0, false), o.bytes, c)) gotResponse = true;
    }
    await t.idle(50);
    t.take({ layer: 'rfcomm', match: creditOnly });
  }

  async step(step: Step): Promise<void> {
    const t = this.tester;
    if ('wait' in step) return t.idle(step.wait);
    if ('check' in step) return this.check(step.check);
    if ('send' in step) return this.send(step);
    if ('silence' in step) {
      const layer = layerOf(step.silence);
      await t.idle(step.ms ?? 1000);
      // Frames still queued from before the step count too: an earlier step let them pass, nothing answered them.
      const came = t.take({ layer, match: (o) => !this.ignored(o, step.ignore) });
      if (came.length > 0) throw new StepFailure('FAIL', `expected no ${step.silence} answer, got ${came.length}`, came.map((o) => hex(o.bytes, ' ')));
      return;
    }
    const layer = layerOf(step.expect);
    const alternatives = step.frame
      ? [rfcommPattern(step.frame, this.ctx)]
      : step.mcc
        ? [mccPattern(step.mcc, this.client, this.ctx)]
        : [step.hex!].flat();
    const deadline = t.now() + (step.timeoutMs ?? this.timeoutMs);
    // Frames the step may let pass stay queued for the steps after it.
    const passed: Observed[] = [];
    try {
      for (;;) {
        const o = await t.next({ layer, match: (x) => !passed.includes(x) }, Math.max(0, deadline - t.now()));
        if (!o && step.optional) return;
        if (!o) throw new StepFailure('NO-ANSWER', `no ${step.expect} answer${step.note ? ` (${step.note})` : ''}; wanted ${alternatives.join(' | ')}`);
        if (alternatives.some((p) => matchPattern(p, o.bytes, this.captures))) return;
        if ((step.drop ?? []).some((p) => matchPattern(p, o.bytes, new Map(this.captures)))) continue;
        if (!this.ignored(o, step.ignore) && !peerRequest(o, alternatives) && !otherEvent(o)) throw new StepFailure('FAIL', `wrong ${step.expect} answer (${o.summary}); wanted ${alternatives.join(' | ')}`, [hex(o.bytes, ' ')]);
        passed.push(o);
        t.putBack(o);
      }
    } finally {
      for (const o of passed) t.take({ match: (x) => x === o });
      for (const o of passed.reverse()) t.putBack(o);
    }
  }

  /** Frames a step lets pass before its answer: credit grants, and what its `ignore` patterns match. */
  private ignored(o: Observed, ignore: string[] | undefined): boolean {
    return creditOnly(o) || (ignore ?? []).some((p) => matchPattern(p, o.bytes, new Map(this.captures)));
  }

  private send(step: Extract<Step, { send: unknown }>): void {
    const t = this.tester;
    const bytes = step.frame
      ? fillPattern(rfcommPattern(step.frame, this.ctx), this.captures)
      : step.mcc
        ? fillPattern(mccPattern(step.mcc, !this.client, this.ctx), this.captures)
        : fillPattern(step.hex!, this.captures);
    const l2 = { ...(step.length === undefined ? {} : { length: step.length }), ...(step.fragments ? { fragments: step.fragments } : {}) };
    switch (step.send) {
      case 'hci':
        t.medium.tap.inject(Uint8Array.of(0x01, ...bytes));
        return;
      case 'acl':
        t.medium.tap.inject(aclPacket({ handle: t.handle, pb: step.pb ?? 2, bc: step.bc ?? 0, data: bytes, ...(step.length === undefined ? {} : { length: step.length }) }));
        return;
      case 'signaling':
        t.sendL2cap(step.cid ?? 0x0001, bytes, l2);
        return;
      case 'l2cap':
        t.sendL2cap(step.cid ?? this.need(this.rfcomm ?? this.sdp, 'an L2CAP channel').remoteCid, bytes, l2);
        return;
      case 'rfcomm':
      case 'mcc':
        t.sendL2cap(step.cid ?? this.need(this.rfcomm, 'the RFCOMM channel').remoteCid, bytes, l2);
        return;
      case 'sdp':
        if (step.computeLength && bytes.length >= 5) {
          // Core Vol 3 Part B §4.2: ParameterLength counts the octets after the 5-octet header, big-endian.
          bytes[3] = (bytes.length - 5) >>> 8;
          bytes[4] = (bytes.length - 5) & 0xff;
        }
        t.sendL2cap(step.cid ?? this.need(this.sdp, 'the SDP channel').remoteCid, bytes, l2);
        return;
    }
  }

  private need(c: TesterChannel | undefined, what: string): TesterChannel {
    if (!c) throw new StepFailure('INCONCLUSIVE', `the scenario sends on ${what} but its set-up does not open it`);
    return c;
  }

  /** "Link still usable" (docs/conformance.md, RB): each check must get the exact answer. */
  async check(check: Check): Promise<void> {
    const t = this.tester;
    const fail = async (what: string, steps: Step[]): Promise<void> => {
      for (const s of steps) {
        try {
          await this.step(s);
        } catch (err) {
          if (!(err instanceof StepFailure)) throw err;
          throw new StepFailure('FAIL', `the link is no longer usable: ${what}: ${err.message}`, err.seen);
        }
      }
    };
    switch (check) {
      case 'echo': {
        const id = t.identifier().toString(16).padStart(2, '0');
        await fail('L2CAP Echo', [{ send: 'signaling', hex: `08 ${id} 04 00 c0 ff ee 00` }, { expect: 'signaling', hex: `09 ${id} 04 00 c0 ff ee 00` }]);
        return;
      }
      case 'rfcomm-test':
        await fail('RFCOMM Test on DLCI 0', [
          { send: 'mcc', mcc: { type: 'TEST', value: '5a a5 01 02' } },
          { expect: 'mcc', mcc: { type: 'TEST', cr: 0, value: '5a a5 01 02' }, ignore: [] },
        ]);
        return;
      case 'rfcomm-msc':
        await fail(`RFCOMM MSC on DLCI ${this.ctx.dlci}`, [
          { send: 'mcc', mcc: { type: 'MSC', value: '<dlci_msc> 8d' } },
          { expect: 'mcc', mcc: { type: 'MSC', cr: 0, value: '<dlci_msc> 8d' }, ignore: [mccPattern({ type: 'MSC', cr: 1, value: '<dlci_msc> ??' }, false, this.ctx)] },
        ]);
        return;
      case 'stack-echo': {
        if (!this.stackChannel) throw new StepFailure('INCONCLUSIVE', "the scenario checks the stack's own channel but its set-up does not open it");
        const wrong = await this.stackChannel.echo(new TextEncoder().encode(`stack channel still usable ${this.tid++}`), Math.max(this.timeoutMs, 5_000));
        if (wrong) throw new StepFailure('FAIL', `the link is no longer usable: ${wrong}`);
        return;
      }
      case 'sdp': {
        this.sdp ??= this.channelOr(await t.openChannel(PSM.SDP), 'SDP');
        const tid = (this.tid++ & 0xffff).toString(16).padStart(4, '0');
        const tidHex = `${tid.slice(0, 2)} ${tid.slice(2)}`;
        await fail('SDP ServiceSearchRequest', [
          { send: 'sdp', hex: `02 ${tidHex} 00 08 35 03 19 01 00 00 0a 00` },
          { expect: 'sdp', hex: `03 ${tidHex} *` },
        ]);
        return;
      }
    }
  }

  /** Closes what the scenario opened (best effort), so that the next starts afresh. */
  async teardown(): Promise<void> {
    const t = this.tester;
    if (this.shared && t.link) {
      // The DLC the tester took on the stack's session: closed with DISC, then given back.
      t.sendOn(this.rfcomm!, rfcommFrame({ dlci: this.ctx.dlci, control: 'DISC', pf: 1 }));
      await t.idle(100);
      t.releaseDlci(this.shared, this.ctx.dlci);
      this.rfcomm = undefined;
    }
    for (const c of [this.rfcomm, this.sdp]) if (c && t.link) await t.closeChannel(c, 1000);
    if (this.stackChannel) {
      await this.stackChannel.close(1000);
      // Its session closes once idle (DISC on DLCI 0, then its L2CAP channel): wait, so that a next
      // scenario on the whole link does not get the stack's closing frames.
      const gone = (): boolean => !t.link || !t.medium.stack.l2cap.channelsOn(t.link.handle).some((c) => c.psm === PSM.RFCOMM);
      await t.medium.wait(gone, t.now() + 5000);
    }
    this.rfcomm = undefined;
    this.sdp = undefined;
    this.shared = undefined;
    this.stackChannel = undefined;
    await t.idle(100);
    t.take();
  }
}

/** Runs one scenario on the tester (connecting first when needed). */
export async function runScenario(tester: Tester, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const run = new Run(tester, options, scenario.timeoutMs ?? options.timeoutMs ?? 3000, scenario.role === 'client', scenario);
  const base = { id: scenario.id, title: scenario.title, rule: scenario.rule, spec: scenario.spec };
  let up = false;
  tester.standAside(scenario.standAside ?? 'link');
  try {
    try {
      await run.setup(scenario.setup);
    } catch (err) {
      if (err instanceof StepFailure) throw err;
      throw new StepFailure('INCONCLUSIVE', `set-up: ${(err as Error).message}`);
    }
    up = tester.link !== undefined;
    for (const step of scenario.steps) await run.step(step);
    for (const check of scenario.after ?? []) await run.check(check);
    return { ...base, verdict: 'PASS', detail: 'as required', seen: [] };
  } catch (err) {
    const down = [...tester.seen].reverse().find((o) => o.layer === 'link' && o.bytes[0] === 0x05);
    // The device dropped the link while the scenario ran: whatever step noticed it, the link is no longer usable.
    if (up && !tester.link && down) return { ...base, verdict: 'FAIL', detail: 'the link went down during the scenario (Disconnection Complete)', seen: [hex(down.bytes, ' ')] };
    if (err instanceof StepFailure) return { ...base, verdict: err.verdict, detail: err.message, seen: err.seen };
    return { ...base, verdict: 'INCONCLUSIVE', detail: `the tester failed: ${(err as Error).message}`, seen: [] };
  } finally {
    await run.teardown();
  }
}

/** Runs scenarios one after the other; `onResult` hears each verdict as it is reached. */
export async function runScenarios(tester: Tester, scenarios: readonly Scenario[], options: RunOptions, onResult?: (r: ScenarioResult) => void): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const s of scenarios) {
    const r = await runScenario(tester, s, options);
    onResult?.(r);
    out.push(r);
  }
  return out;
}
