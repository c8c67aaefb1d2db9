import * as assert from 'node:assert/strict';
import { defaultDetector } from '../../../src/privacy/detect';
import { loadCorpus, measureFalsePositives } from './corpus';

/** Characters of node_modules sources to scan (all of them by default; CANDOR_FP_CHARS limits). */
const MAX_CHARS = Number(process.env['CANDOR_FP_CHARS'] ?? Infinity);

/**
 * False positives on real source nobody here wrote: every span counts (identity and path rules
 * are not in the default detector). The figure is PRINTED; the assertion only guards against a
 * gross regression of the secret rules.
 */
describe('false positives on node_modules sources', function () {
  this.timeout(600_000);

  it('prints hits per 10k lines and the top rules', () => {
    const files = loadCorpus({ maxChars: MAX_CHARS });
    const r = measureFalsePositives(files, (t) => defaultDetector.detect(t));
    console.log(
      `    ${r.files} files, ${(r.chars / 1e6).toFixed(1)} MB, ${r.lines} lines: ${r.hits} hits = ${r.perTenK.toFixed(2)} per 10k lines ` +
        `(secrets ${r.secretHits} = ${r.secretPerTenK.toFixed(3)}, personal data ${r.piiHits} = ${r.piiPerTenK.toFixed(2)})`,
    );
    console.log(`    top rules: ${r.byRule.slice(0, 8).map(([id, n]) => `${id} ${n}`).join(', ')}`);
    for (const s of r.samples.slice(0, 12)) {
      console.log(`      ${s.slice(0, 160)}`);
    }
    assert.ok(r.secretPerTenK <= 1, `secret false positives ${r.secretPerTenK.toFixed(2)} per 10k lines`);
  });
});
