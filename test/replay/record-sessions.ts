/**
 * Re-records the whole-stack session logs in fixtures/sessions/ (fixtures/README.md):
 *
 *   npx tsx test/replay/record-sessions.ts
 *
 * Run it when the stack's behaviour changes on purpose, and look at the diff of the logs: every
 * changed line is a packet the stack now sends differently. The sessions over btvirt
 * (btvirt-sessions.ts) are recorded too when btvirt is installed (a private one is started and
 * stopped); their times are real, so each recording differs from the last in its times.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBtvirt } from '../support/btvirt-process.js';
import { BTVIRT_SESSIONS, recordBtvirtSession } from './btvirt-sessions.js';
import { type SessionLog, writeLog } from './support/session-log.js';
import { recordSession, SESSIONS } from './sessions.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'sessions');

function save(log: SessionLog): void {
  const file = join(DIR, `${log.header.session}-${log.header.role}.jsonl`);
  writeFileSync(file, writeLog(log));
  console.log(`${file}: ${log.lines.length} lines`);
}

for (const session of SESSIONS) {
  const logs = recordSession(session);
  save(logs.client);
  save(logs.server);
}

const btvirt = await startBtvirt();
if (!btvirt) console.log('btvirt is not installed (apt-get install -y bluez-test-tools): the btvirt sessions were not recorded');
else {
  try {
    for (const session of BTVIRT_SESSIONS) {
      const logs = await recordBtvirtSession(session, btvirt.socket);
      save(logs.client);
      save(logs.server);
    }
  } finally {
    btvirt.stop();
  }
}
