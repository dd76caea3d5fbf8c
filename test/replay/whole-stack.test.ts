/**
 * Whole-stack replays (fixtures/README.md): each session the project recorded on the virtual
 * controller (test/replay/sessions.ts: demo, transfer, pairing) and over btvirt
 * (test/replay/btvirt-sessions.ts: btvirt-demo), client and server, is fed to a new
 * `Stack` — the recorded controller packets, timers and application calls, at the recorded times —
 * and every packet the stack sends is compared with the recording, byte for byte and in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';
import { BTVIRT_SESSIONS } from './btvirt-sessions.js';
import { SESSIONS } from './sessions.js';
import { type LogLine, readLog, replay, type SessionLog } from './support/session-log.js';

function fixture(session: string, role: string): SessionLog {
  return readLog(readFileSync(join(ROOT, 'fixtures', 'sessions', `${session}-${role}.jsonl`), 'utf8'));
}

const CASES = [...SESSIONS, ...BTVIRT_SESSIONS].flatMap((s) => ['client', 'server'].map((role) => [s.name, role] as const));

describe('whole-stack replays of recorded sessions', () => {
  it.each(CASES)('%s, %s side: the stack sends the recorded packets, in order', (session, role) => {
    const log = fixture(session, role);
    expect(log.header).toMatchObject({ session, role });
    expect(log.lines.filter((l) => l[0] === 'tx').length).toBeGreaterThan(10);
    expect(replay(log), 'the stack answers differently: if that change is meant, re-record (npx tsx test/replay/record-sessions.ts) and read the diff').toBeUndefined();
  });

  it('a replay notices a packet the stack would send differently', () => {
    const log = fixture('demo', 'client');
    const i = log.lines.findIndex((l) => l[0] === 'tx' && l[2].startsWith('02'));
    const changed: LogLine[] = log.lines.slice();
    const tx = changed[i] as readonly ['tx', number, string];
    changed[i] = ['tx', tx[1], tx[2].slice(0, -2) + (tx[2].endsWith('00') ? '01' : '00')];
    expect(replay({ header: log.header, lines: changed })).toMatchObject({ line: i + 2 });
  });

  it('a replay notices controller input the stack answers differently', () => {
    const log = fixture('pairing', 'server');
    const i = log.lines.findIndex((l) => l[0] === 'rx' && l[2].startsWith('0431'));
    expect(i).toBeGreaterThan(0);
    const withoutIoCapabilityRequest = [...log.lines.slice(0, i), ...log.lines.slice(i + 1)];
    expect(replay({ header: log.header, lines: withoutIoCapabilityRequest })).toBeDefined();
  });
});
