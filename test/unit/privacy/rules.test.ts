import * as assert from 'node:assert/strict';
import { createDetector } from '../../../src/privacy/detect';
import { identityRules } from '../../../src/privacy/identity';
import { pathRules } from '../../../src/privacy/paths';
import { analyzePattern } from '../../../src/privacy/regexBounds';
import { maxPatternLength, parseFixture, scanFlags } from '../../../src/privacy/rule';
import { builtinRules, genericRules, piiRules, providerRules } from '../../../src/privacy/rules/index';
import type { Rule } from '../../../src/privacy/types';
import { FAKE } from './fakeIdentity';


/** Every rule we ship or build: built-ins, identity rules for a fake identity, path rules. */
const ALL_RULES: readonly Rule[] = [
  ...builtinRules,
  ...identityRules(FAKE),
  ...identityRules({ ...FAKE, homedir: '/var/lib/alice-dev' }).filter((r) => r.id === 'identity-home-dir'),
  ...pathRules(['/work/main']),
];

function describeRule(rule: Rule): void {
  describe(rule.id, () => {
    const alone = createDetector([rule]);

    it('has at least one true positive and one false positive', () => {
      assert.ok(rule.truePositives.length >= 1, 'no true positive');
      assert.ok(rule.falsePositives.length >= 1, 'no false positive');
    });

    rule.truePositives.forEach((tp, i) => {
      it(`true positive #${i} is found with its exact span`, () => {
        const f = parseFixture(tp);
        const spans = alone.detect(f.text, { merge: false }).filter((s) => s.rule === rule.id);
        assert.ok(
          spans.some((s) => s.start === f.start && s.end === f.end),
          `expected ${JSON.stringify(f.text.slice(f.start, f.end))} in ${JSON.stringify(f.text)}, got ${JSON.stringify(
            spans.map((s) => f.text.slice(s.start, s.end)),
          )}`,
        );
      });
      it(`true positive #${i} contains one of the rule's keywords (prefilter contract)`, () => {
        const text = parseFixture(tp).text.toLowerCase();
        assert.ok(rule.keywords.length === 0 || rule.keywords.some((k) => text.includes(k)), rule.keywords.join(', '));
      });
    });

    rule.falsePositives.forEach((fp, i) => {
      it(`false positive #${i} is not reported`, () => {
        const spans = alone.detect(fp, { merge: false }).filter((s) => s.rule === rule.id);
        assert.deepEqual(
          spans.map((s) => fp.slice(s.start, s.end)),
          [],
          `in ${JSON.stringify(fp)}`,
        );
      });
    });

    it('finds the same spans whether tried at its keyword occurrences only or over the whole text', () => {
      const whole = createDetector([rule], { scan: 'whole' });
      const anchored = createDetector([rule], { scan: 'anchored' });
      const filler = 'const value = compute(input);\n'.repeat(8);
      for (const text of [...rule.truePositives.map((tp) => parseFixture(tp).text), ...rule.falsePositives]) {
        for (const t of [text, `${text}\n${text}`, ` ${text.toUpperCase()} `, `${filler}${text}\n${filler}`]) {
          const expected = whole.detect(t, { merge: false });
          assert.deepEqual(anchored.detect(t, { merge: false }), expected, JSON.stringify(t));
          assert.deepEqual(alone.detect(t, { merge: false }), expected, JSON.stringify(t));
        }
      }
    });

    it('has a finite maxLength covering every true positive match', () => {
      assert.ok(Number.isFinite(rule.maxLength) && rule.maxLength > 0);
      const re = new RegExp(rule.pattern.source, scanFlags(rule));
      for (const tp of rule.truePositives) {
        const { text } = parseFixture(tp);
        for (const m of text.matchAll(re)) {
          assert.ok(m[0].length <= rule.maxLength, `match of ${m[0].length} > maxLength ${rule.maxLength}`);
        }
      }
    });
  });
}

describe('privacy rules', () => {
  it('ship at least 40 provider rules, each with true and false positives', () => {
    assert.ok(providerRules.length >= 40, `only ${providerRules.length} provider rules`);
    for (const r of providerRules) {
      assert.equal(r.kind, 'secret', r.id);
      assert.ok(r.truePositives.length >= 1 && r.falsePositives.length >= 1, r.id);
      assert.ok(r.keywords.length >= 1, `${r.id}: a provider rule must have keywords`);
    }
  });

  it('have unique ids and the expected kinds', () => {
    const ids = ALL_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    assert.ok(genericRules.every((r) => r.kind === 'secret'));
    assert.ok(piiRules.every((r) => r.kind === 'pii'));
  });

  it('built-in set = provider + generic + pii', () => {
    assert.equal(builtinRules.length, providerRules.length + genericRules.length + piiRules.length);
  });

  it('maxPatternLength is the largest rule bound', () => {
    assert.equal(maxPatternLength(builtinRules), Math.max(...builtinRules.map((r) => r.maxLength)));
    assert.ok(maxPatternLength(builtinRules) < 20_000, 'a rescan window should stay small');
  });

  it('every pattern is bounded (no *, + or {n,})', () => {
    for (const r of ALL_RULES) {
      assert.ok(Number.isFinite(analyzePattern(r.pattern.source, r.pattern.flags).maxLength), r.id);
    }
  });

  for (const rule of ALL_RULES) {
    describeRule(rule);
  }
});
