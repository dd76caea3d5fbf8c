/** docs/conformance.md lists every built-in scenario with the rule it checks, and the rules exist. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suite } from '../../src/conformance/suite/index.js';
import { checkScenario } from '../../src/conformance/scenario.js';
import { ROOT } from '../support/env.js';

const doc = readFileSync(join(ROOT, 'docs/conformance.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Testing another stack: the conformance toolkit'));

describe('the suite in docs/conformance.md', () => {
  for (const s of [...suite('all'), ...suite('client'), ...suite('shared')]) {
    it(`${s.id}: documented with its rule, the rule ids exist, the scenario is well-formed`, () => {
      expect(section).toContain(`| ${s.id} | ${s.title} | ${s.rule} |`);
      for (const id of s.rule.match(/\b(?:[PLRSH]\d+|RB-[A-Z0-9]+)\b/g) ?? []) expect(doc.slice(0, doc.indexOf('## Testing another stack')), id).toMatch(new RegExp(`\\| ${id} \\|`));
      expect(checkScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
    });
  }
});
