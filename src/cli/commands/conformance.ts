/**
 * `btc conformance ADDR`: runs the conformance suite (or scenarios from a JSON file) against another
 * device as a lower tester, and prints a verdict per scenario with the rule it checks
 * (docs/conformance.md, "Testing another stack: the conformance toolkit"). Exit 0 only when every
 * scenario passed. `--self` runs against this project's own stack on an in-process virtual
 * controller; `--list` prints the suite.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DriverMedium, VirtualBench } from '../../conformance/index.js';
import { loadScenarios } from '../../conformance/index.js';
import { runScenarios, type ScenarioResult } from '../../conformance/index.js';
import type { Scenario } from '../../conformance/index.js';
import { suite, type SuiteName } from '../../conformance/index.js';
import { Tester } from '../../conformance/index.js';
import { serialPortRecord } from '../../sdp/index.js';
import type { PacketSink } from '../../node/index.js';
import { BtsnoopFileRecorder } from '../../node/index.js';
import { openTransport } from '../../transport/index.js';
import { flag, int, parseAddress, str, TRANSPORT_OPTION, UsageError, type Parsed } from '../args.js';
import type { Command } from '../main.js';
import { fileToRead, fileToWrite } from '../paths.js';

const SUITE_NAMES = ['acl', 'l2cap', 'rfcomm', 'sdp', 'all', 'shared'] as const;

export const conformance: Command = {
  spec: {
    name: 'conformance',
    usage:
      'conformance ADDR [--suite acl|l2cap|rfcomm|sdp|all|shared] [--only ID,…] [--channel N] [--stack-channel N] [--scenario FILE.json] [--json FILE] [--btsnoop FILE] | conformance --accept [--channel N] | conformance --list | conformance --self [--accept]',
    summary: 'test another stack: send exact (and wrong) frames, check the answers the specification requires',
    options: [
      { name: 'suite', value: 'NAME', help: 'acl | l2cap | rfcomm | sdp | all (default all; --accept runs the client-role suite); shared: the tester beside its own stack on one link' },
      { name: 'only', value: 'IDS', help: 'only these scenarios, comma-separated (e.g. L8,R17,S4)' },
      { name: 'channel', value: 'N', help: "the device's RFCOMM server channel for the RFCOMM scenarios", default: '1' },
      { name: 'stack-channel', value: 'N', help: "--suite shared: the device's server channel our own stack connects to (it must echo what it gets)", default: '2' },
      { name: 'scenario', value: 'FILE', help: 'run the scenarios of this JSON file instead of the built-in suite' },
      { name: 'json', value: 'FILE', help: 'also write the results as JSON to FILE (- for stdout)' },
      { name: 'timeout', value: 'MS', help: 'how long to wait for each answer', default: '3000' },
      { name: 'list', help: 'list the scenarios with the rule each checks, run nothing' },
      { name: 'accept', help: 'client role: wait for the device to connect to our RFCOMM channel --channel, once per scenario (no ADDR)' },
      { name: 'self', help: "run against this project's own stack on an in-process virtual controller (no ADDR)" },
      TRANSPORT_OPTION,
      { name: 'btsnoop', value: 'FILE', help: "record every HCI packet, the tester's own included, to a btsnoop file" },
    ],
  },
  async run(args: Parsed): Promise<number> {
    const scenarios = chosenScenarios(args);
    if (flag(args, 'list')) {
      for (const s of scenarios) console.log(`${s.id.padEnd(6)} ${s.rule.padEnd(16)} ${s.title}  [${s.spec}]`);
      return 0;
    }
    const channel = int(args, 'channel', 1, 1, 30);
    const stackChannel = int(args, 'stack-channel', 2, 1, 30);
    if (stackChannel === channel) throw new UsageError(`--stack-channel must differ from --channel (${channel}): the tester takes that one on our stack's session`);
    const timeoutMs = int(args, 'timeout', 3000, 1, 600_000);
    const jsonFile = str(args, 'json');
    if (jsonFile && jsonFile !== '-') fileToWrite(jsonFile, '--json');
    const btsnoop = str(args, 'btsnoop');
    if (btsnoop) fileToWrite(btsnoop, '--btsnoop');
    const self = flag(args, 'self');
    const accept = flag(args, 'accept');
    if (!self && !accept && !args.positionals[0]) throw new UsageError('conformance needs the device address (or --accept, --list, --self)');
    const recorder = btsnoop ? await BtsnoopFileRecorder.create(btsnoop) : undefined;
    try {
      const results = self
        ? await againstSelf(scenarios, { channel, stackChannel, timeoutMs }, recorder, accept)
        : await againstDevice(args, accept ? '' : parseAddress(args.positionals[0]), scenarios, { channel, stackChannel, timeoutMs }, recorder);
      report(results, jsonFile);
      return results.every((r) => r.verdict === 'PASS') ? 0 : 1;
    } finally {
      await recorder?.close();
    }
  },
};

function chosenScenarios(args: Parsed): Scenario[] {
  const file = str(args, 'scenario');
  const name = flag(args, 'accept') ? 'client' : (str(args, 'suite') ?? 'all');
  if (flag(args, 'accept') && str(args, 'suite')) throw new UsageError('--accept runs the client-role suite: leave out --suite');
  if (name !== 'client' && !(SUITE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--suite must be one of ${SUITE_NAMES.join(', ')}`);
  let scenarios: Scenario[];
  if (file) {
    fileToRead(file, '--scenario');
    try {
      scenarios = loadScenarios(readFileSync(file, 'utf8'), file);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  } else scenarios = suite(name as SuiteName);
  const only = str(args, 'only');
  if (only) {
    const ids = only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !scenarios.some((s) => s.id === id));
    if (unknown.length) throw new UsageError(`--only: no scenario ${unknown.join(', ')} (btc conformance --list shows them)`);
    scenarios = scenarios.filter((s) => ids.includes(s.id));
  }
  return scenarios;
}

/** The run options every target shares. */
interface Targets {
  channel: number;
  stackChannel: number;
  timeoutMs: number;
}

async function againstDevice(args: Parsed, address: string, scenarios: Scenario[], targets: Targets, sink: PacketSink | undefined): Promise<ScenarioResult[]> {
  const { channel } = targets;
  const transport = await openTransport(str(args, 'transport') ?? 'virtual');
  const tester = new Tester((w) => new DriverMedium(transport, w, sink));
  try {
    await tester.medium.ready();
    const trigger = (s: Scenario): void => {
      process.stderr.write(`waiting: connect the device to ${tester.medium.stack.address} RFCOMM channel ${channel}${s.deviceAction ? `, then ${s.deviceAction}` : ''}\n`);
    };
    return await runScenarios(tester, scenarios, { address, ...targets, trigger, acceptTimeoutMs: 120_000 }, progress);
  } finally {
    await tester.medium.close();
  }
}

async function againstSelf(scenarios: Scenario[], targets: Targets, sink: PacketSink | undefined, accept: boolean): Promise<ScenarioResult[]> {
  const { channel, stackChannel } = targets;
  const tester = new Tester((w) => new VirtualBench({ ...w, ...(sink ? { onPacket: (d: 'tx' | 'rx', h4: Uint8Array) => sink.record(d, h4, tester.now()) } : {}) }));
  await tester.medium.ready();
  tester.medium.iut.listenRfcomm(channel);
  tester.medium.iut.advertise(serialPortRecord({ channel, name: 'Serial Port' }));
  // The shared scenarios' stack connects to a second channel that echoes what it gets.
  tester.medium.iut.listenRfcomm(stackChannel);
  const echoing = new Set<number>();
  tester.medium.onIutEvent((e, now) => {
    if (e.type === 'rfcomm-open' && e.incoming && e.channel === stackChannel) echoing.add(e.id);
    else if (e.type === 'rfcomm-data' && echoing.has(e.id)) {
      tester.medium.iut.writeRfcomm(e.id, e.data.slice(), now);
      tester.medium.iut.consumeRfcomm(e.id, e.data.length, now);
    } else if (e.type === 'rfcomm-closed') echoing.delete(e.id);
  });
  // The client scenarios with a device action want data: the own stack writes 3 × N1 + 1 octets once open.
  let sendOn: number | undefined;
  tester.medium.onIutEvent((e, now) => {
    if (e.type === 'rfcomm-open' && e.id === sendOn) tester.medium.iut.writeRfcomm(e.id, new Uint8Array(3 * e.n1 + 1).fill(0x5a), now);
  });
  const trigger = (s: Scenario): void => {
    const id = tester.medium.run((now) => tester.medium.iut.connectRfcomm(tester.medium.stack.address, channel, now));
    sendOn = s.deviceAction ? id : undefined;
  };
  return runScenarios(tester, scenarios, { address: accept ? '' : tester.medium.iut.address, ...targets, ...(accept ? { trigger } : {}) }, progress);
}

function progress(r: ScenarioResult): void {
  process.stderr.write(`${r.id} ${r.verdict}\n`);
}

function report(results: ScenarioResult[], jsonFile: string | undefined): void {
  const rows = results.map((r) => [r.id, r.rule, r.verdict, r.verdict === 'PASS' ? '' : `${r.detail}${r.seen.length ? `; seen: ${r.seen.join(' | ')}` : ''}`]);
  const widths = [0, 1, 2].map((i) => Math.max(...[['scenario', 'rule', 'verdict'][i]!.length, ...rows.map((row) => row[i]!.length)]));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  console.log(line(['scenario', 'rule', 'verdict', 'seen']));
  for (const row of rows) console.log(line(row));
  const count = (v: string): number => results.filter((r) => r.verdict === v).length;
  console.log(`${results.length} scenario(s): ${count('PASS')} passed, ${count('FAIL')} failed, ${count('NO-ANSWER')} without answer, ${count('INCONCLUSIVE')} inconclusive`);
  if (jsonFile) {
    const text = `${JSON.stringify({ results }, null, 2)}\n`;
    if (jsonFile === '-') process.stdout.write(text);
    else writeFileSync(jsonFile, text);
  }
}
