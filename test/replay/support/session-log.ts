/**
 * Whole-stack session logs: every call made into one `Stack` from outside during a session on the
 * virtual controller — the controller's packets (`receive`), the timers (`handleTimeout`), the
 * application's calls (`connectRfcomm`, `writeRfcomm`, …) — with what it answered: each
 * `pollTransmit` result (the H4 packets the host sent) and each call's return value.
 *
 * Replaying a log builds a new `Stack` with the recorded options, makes the same calls in the same
 * order at the same times, and compares its answers packet for packet. The peer and both
 * controllers are gone: the stack under test sees only the recorded controller side.
 *
 * A log file is JSON lines: a header `{ "session", "role", "options", "note" }`, then one array per
 * call:
 *   ["start", now] · ["rx", now, hex] · ["timeout", now] · ["tx", now, hex] · ["idle", now, n] (n
 *   `pollTransmit(now)` calls in a row at that time that returned nothing) · ["call", method, args, result]
 * `pollEvent` and `pollTimeout` are not recorded: they only read what the stack holds.
 * Values in `args`/`result`: a Uint8Array is `{ "$hex" }`, a Uuid `{ "$uuid": hex }`, a bigint
 * `{ "$big" }`, a Map `{ "$map": [[key, value] …] }`.
 */
import { fromHex, hex, Uuid } from '../../../src/core/index.js';
import { Stack, type StackOptions } from '../../../src/stack/stack.js';

export type LogLine =
  | readonly ['start', number]
  | readonly ['rx', number, string]
  | readonly ['timeout', number]
  | readonly ['tx', number, string]
  | readonly ['idle', number, number]
  | readonly ['call', string, unknown[], unknown];

export interface SessionHeader {
  readonly session: string;
  readonly role: string;
  readonly options: StackOptions;
  readonly note: string;
}

export interface SessionLog {
  readonly header: SessionHeader;
  readonly lines: LogLine[];
}

/** Read-only queries: replaying them changes nothing, so they are left out of a log. */
const NOT_RECORDED = new Set(['constructor', 'pollEvent', 'pollTimeout']);

export function toJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $hex: hex(v) };
  if (v instanceof Uuid) return { $uuid: hex(v.bytes) };
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [toJson(k), toJson(x)]) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  if (typeof v === 'function') throw new Error('a session log cannot hold a function argument');
  return v;
}

export function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$hex === 'string') return fromHex(o.$hex);
    if (typeof o.$uuid === 'string') return Uuid.fromBytes(fromHex(o.$uuid));
    if (typeof o.$big === 'string') return BigInt(o.$big);
    if (Array.isArray(o.$map)) return new Map((o.$map as unknown[][]).map(([k, x]) => [fromJson(k), fromJson(x)]));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJson(x)]));
  }
  return v;
}

/**
 * Records every `Stack` built while `run` runs (the prototype's methods are wrapped for that time;
 * calls a stack makes into itself are not recorded). Returns the log of each stack, in the order
 * they were built.
 */
export function recordStacks(run: () => void): Map<Stack, LogLine[]> {
  const recording = startRecording();
  try {
    run();
  } finally {
    recording.stop();
  }
  return recording.logs;
}

/** `recordStacks` for a session that runs on real transports (a Driver, the real clock). */
export async function recordStacksAsync(run: () => Promise<void>): Promise<Map<Stack, LogLine[]>> {
  const recording = startRecording();
  try {
    await run();
  } finally {
    recording.stop();
  }
  return recording.logs;
}

/** Wraps the methods of `Stack.prototype` so that each stack's calls are logged, until `stop()`. */
function startRecording(): { logs: Map<Stack, LogLine[]>; stop: () => void } {
  const logs = new Map<Stack, LogLine[]>();
  const depth = new WeakMap<Stack, number>();
  const proto = Stack.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of Object.getOwnPropertyNames(Stack.prototype)) {
    const d = Object.getOwnPropertyDescriptor(Stack.prototype, name);
    if (NOT_RECORDED.has(name) || typeof d?.value !== 'function') continue;
    const original = d.value as (...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: Stack, ...args: unknown[]): unknown {
      const level = depth.get(this) ?? 0;
      if (level > 0) return original.apply(this, args);
      let log = logs.get(this);
      if (!log) logs.set(this, (log = []));
      depth.set(this, 1);
      try {
        const result = original.apply(this, args);
        append(log, name, args, result);
        return result;
      } finally {
        depth.set(this, 0);
      }
    };
  }
  return {
    logs,
    stop: () => {
      for (const [name, original] of originals) proto[name] = original;
    },
  };
}

function append(log: LogLine[], name: string, args: unknown[], result: unknown): void {
  switch (name) {
    case 'start':
      log.push(['start', args[0] as number]);
      return;
    case 'receive':
      log.push(['rx', args[1] as number, hex(args[0] as Uint8Array)]);
      return;
    case 'handleTimeout':
      log.push(['timeout', args[0] as number]);
      return;
    case 'pollTransmit': {
      const now = args[0] as number;
      if (result instanceof Uint8Array) {
        log.push(['tx', now, hex(result)]);
        return;
      }
      const last = log.at(-1);
      if (last?.[0] === 'idle' && last[1] === now) log[log.length - 1] = ['idle', now, last[2] + 1];
      else log.push(['idle', now, 1]);
      return;
    }
    default:
      log.push(['call', name, args.map(toJson), toJson(result) ?? null]);
  }
}

export function writeLog(log: SessionLog): string {
  return [JSON.stringify(log.header), ...log.lines.map((l) => JSON.stringify(l))].join('\n') + '\n';
}

export function readLog(text: string): SessionLog {
  const [head, ...rest] = text.trimEnd().split('\n');
  return { header: JSON.parse(head) as SessionHeader, lines: rest.map((l) => JSON.parse(l) as LogLine) };
}

/** Where a replay first parted from its log: the line, what the log holds, what the stack did. */
export interface Divergence {
  readonly line: number;
  readonly expected: string;
  readonly actual: string;
}

/** Replays `log` on a new `Stack`; undefined when every answer matched, else the first difference. */
export function replay(log: SessionLog): Divergence | undefined {
  const stack = new Stack(fromJson(log.header.options) as StackOptions);
  const calls = stack as unknown as Record<string, (...args: unknown[]) => unknown>;
  /** The time of the latest line that carries one, for the final look at what is left to send. */
  let now = 0;
  for (let i = 0; i < log.lines.length; i++) {
    const line = log.lines[i];
    const at = i + 2;
    if (line[0] !== 'call') now = line[1];
    switch (line[0]) {
      case 'start':
        stack.start(line[1]);
        break;
      case 'rx':
        stack.receive(fromHex(line[2]), line[1]);
        break;
      case 'timeout':
        stack.handleTimeout(line[1]);
        break;
      case 'tx': {
        const b = stack.pollTransmit(line[1]);
        if (!b || hex(b) !== line[2]) return { line: at, expected: `tx ${line[2]}`, actual: b ? `tx ${hex(b)}` : 'nothing to send' };
        break;
      }
      case 'idle':
        for (let n = 0; n < line[2]; n++) {
          const b = stack.pollTransmit(line[1]);
          if (b) return { line: at, expected: 'nothing to send', actual: `tx ${hex(b)}` };
        }
        break;
      case 'call': {
        const [, method, args, expected] = line;
        const result = JSON.stringify(toJson(calls[method].apply(stack, fromJson(args) as unknown[])) ?? null);
        if (result !== JSON.stringify(expected)) return { line: at, expected: `${method} → ${JSON.stringify(expected)}`, actual: `${method} → ${result}` };
        break;
      }
    }
  }
  const extra = stack.pollTransmit(now);
  return extra ? { line: log.lines.length + 2, expected: 'the end of the session', actual: `tx ${hex(extra)}` } : undefined;
}
