/**
 * Re-records the whole-stack session logs in fixtures/sessions/ (fixtures/README.md):
 *
 *   npx tsx test/replay/record-sessions.ts
 *
 * Run it when the stack's behaviour changes on purpose, and look at the diff of the logs: every
 * changed line is a packet the stack now sends differently.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeLog } from './support/session-log.js';
import { recordSession, SESSIONS } from './sessions.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'sessions');

for (const session of SESSIONS) {
  const logs = recordSession(session);
  for (const log of [logs.client, logs.server]) {
    const file = join(DIR, `${log.header.session}-${log.header.role}.jsonl`);
    writeFileSync(file, writeLog(log));
    console.log(`${file}: ${log.lines.length} lines`);
  }
}
