import * as assert from 'node:assert/strict';
import { adversarialInputs } from '../../../src/privacy/adversarial';
import { createDetector } from '../../../src/privacy/detect';
import { identityRules } from '../../../src/privacy/identity';
import { pathRules } from '../../../src/privacy/paths';
import { builtinRules } from '../../../src/privacy/rules/index';
import type { Rule } from '../../../src/privacy/types';

/** Size of each adversarial input (1 MiB by default; CANDOR_ADVERSARIAL_BYTES overrides). */
const SIZE = Number(process.env['CANDOR_ADVERSARIAL_BYTES'] ?? 1 << 20);
/** Dense inputs (true positives repeated) are output-bound, not backtracking probes: smaller. */
const DENSE_SIZE = Math.min(SIZE, 128 << 10);

const RULES: readonly Rule[] = [
  ...builtinRules,
  ...identityRules({ username: 'alice-dev', homedir: '/srv/alice-dev', hostname: 'alice-laptop', gitName: 'Alice Dev', gitEmail: 'alice@example.org' }),
  ...pathRules(['/work/main']),
];

/**
 * Every rule completes on every adversarial input. Time is REPORTED, not asserted (tests never
 * assert wall-clock times on these shared machines); `bench/privacy.ts` holds the ≤ 10 ms/MB
 * budget against a floor measured in the same run.
 */
describe('adversarial inputs', function () {
  this.timeout(600_000);

  it(`every rule completes on every ${SIZE >> 10} KiB adversarial input (timings printed)`, () => {
    type Row = { rule: string; input: string; msPerMiB: number; spans: number };
    const runs: Row[] = [];
    const dense: Row[] = [];
    let inputs = 0;
    for (const rule of RULES) {
      const detector = createDetector([rule]);
      const worst = { run: { rule: rule.id, input: '', msPerMiB: 0, spans: 0 }, dense: { rule: rule.id, input: '', msPerMiB: 0, spans: 0 } };
      for (const input of adversarialInputs(rule, { size: SIZE, denseSize: DENSE_SIZE, keywords: 1 })) {
        inputs++;
        const start = process.hrtime.bigint();
        const spans = detector.detect(input.text);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        assert.ok(Array.isArray(spans));
        const perMiB = (ms * (1 << 20)) / input.text.length;
        const slot = input.dense ? 'dense' : 'run';
        if (perMiB > worst[slot].msPerMiB) {
          worst[slot] = { rule: rule.id, input: input.name, msPerMiB: perMiB, spans: spans.length };
        }
      }
      runs.push(worst.run);
      dense.push(worst.dense);
    }
    const print = (title: string, rows: Row[]): void => {
      rows.sort((a, b) => b.msPerMiB - a.msPerMiB);
      console.log(`    ${title}`);
      for (const r of rows.slice(0, 8)) {
        console.log(`      ${r.msPerMiB.toFixed(1).padStart(8)} ms/MiB  ${r.rule}  ${r.input}  (${r.spans} spans)`);
      }
    };
    console.log(`    ${RULES.length} rules, ${inputs} inputs (wall clock, first run, includes regex compilation and load noise)`);
    print('slowest rules on backtracking probes (runs):', runs);
    print('slowest rules on dense true positives (output-bound):', dense);
  });
});
