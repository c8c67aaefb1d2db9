import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { analyzeAnchors, keywordAnchors, literalPrefix } from '../../../src/privacy/anchor';
import { createDetector } from '../../../src/privacy/detect';
import type { Rule } from '../../../src/privacy/types';

/** Property runs: ≥ 1000 by default, CANDOR_FC_RUNS overrides. */
const RUNS = Number(process.env['CANDOR_FC_RUNS'] ?? 1000);

describe('keyword anchors', () => {
  it('anchors a literal prefix on the keyword it starts with', () => {
    assert.deepEqual(keywordAnchors('token["\']?[:=]', 'i', ['token']), [{ keyword: 'token', delta: -5 }]);
    // A leading lookbehind consumes nothing; a keyword inside the prefix is found at its offset.
    assert.deepEqual(keywordAnchors('(?<![\\w-])ghp_[A-Za-z0-9]{36}', '', ['hp_']), [{ keyword: 'hp_', delta: -4 }]);
    // Alternatives and case-spelled classes: one anchor per prefix.
    assert.deepEqual(
      keywordAnchors('(?:[Pp]hone|FAX)[:=]', '', ['phone', 'fax']),
      [
        { keyword: 'phone', delta: -5 },
        { keyword: 'fax', delta: -3 },
      ],
    );
  });

  it('anchors a literal followed by a lookbehind over a set of strings holding a keyword', () => {
    const anchors = keywordAnchors('key(?<=(?:api|auth)[_-]?key)=', 'i', ['apikey', 'api_key', 'api-key', 'authkey', 'auth_key', 'auth-key']);
    assert.ok(anchors !== undefined && anchors.length === 6);
    assert.ok(anchors.every((a) => a.delta === -3));
  });

  it('gives up on what it cannot prove', () => {
    assert.equal(keywordAnchors('[a-z]{1,8}token', 'i', ['token']), undefined, 'a prefix of unknown length');
    assert.equal(keywordAnchors('(?:token|secret)=', 'i', ['token']), undefined, 'an alternative without a keyword');
    assert.equal(keywordAnchors('token', 'iu', ['token']), undefined, 'unicode case folding');
    assert.equal(keywordAnchors('\\w?token', '', ['token']), undefined, 'an optional prefix of unknown characters');
    assert.deepEqual(keywordAnchors('a?token', '', ['token']), [
      { keyword: 'token', delta: -5 },
      { keyword: 'token', delta: -6 },
    ]);
    assert.equal(keywordAnchors('(?<x>', '', ['x']), undefined, 'unparsable');
    assert.equal(keywordAnchors('token', '', []), undefined, 'no keyword');
  });

  it('finds the literal every match starts with', () => {
    assert.equal(literalPrefix('(?<![\\w-])sk_(?:live|test)_[0-9a-z]{20}', ''), 'sk_');
    assert.equal(literalPrefix('(?:[Pp]hone|[Mm]obile):', ''), undefined);
    assert.equal(literalPrefix('[Bb]earer ', ''), 'bearer ');
    assert.deepEqual(analyzeAnchors('x', 'u', ['x']), { anchors: undefined, literalPrefix: undefined });
  });

  it('is sound: on random patterns it anchors, tries at the anchors find exactly the whole-text matches', () => {
    const lit = fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', 'A', '_', '-', ':') });
    const atom: fc.Arbitrary<string> = fc.oneof(
      lit,
      fc.constantFrom('[aA]', '[ab]', '[_-]', '\\w', '.', '[^a]', 'b{1,2}', 'a?', '[ab]{0,2}'),
      fc.tuple(lit, lit).map(([x, y]) => `(?:${x}|${y})`),
      lit.map((x) => `(?:${x})?`),
      lit.map((x) => `(?<=${x})`),
      lit.map((x) => `(?<!${x})`),
      lit.map((x) => `(?=${x})`),
      fc.constantFrom('\\b', '^', '$'),
    );
    const keyword = fc.string({ minLength: 2, maxLength: 3, unit: fc.constantFrom('a', 'b', '_', '-', ':') });
    // Most alternatives start with a keyword (in some case), after zero-width atoms, so that the
    // analysis often proves anchors and the property has something to check.
    const alternative = (keywords: readonly string[]): fc.Arbitrary<string> =>
      fc
        .tuple(
          fc.array(fc.constantFrom('(?<![b])', '(?=a)', '\\b', ''), { maxLength: 2 }),
          fc.oneof(
            fc.constantFrom(...keywords),
            fc.constantFrom(...keywords).map((k) => k.toUpperCase()),
            fc.constantFrom(...keywords).map((k) => `(?:${k})?`),
            fc.constantFrom(...keywords).map((k) => `${k}?`),
            atom,
          ),
          fc.array(
            fc.oneof(
              atom,
              fc.constantFrom(...keywords).map((k) => `(?<=${k})`),
              fc.constantFrom(...keywords).map((k) => `(?<!${k})`),
              fc.constantFrom(...keywords).map((k) => `(?<=(?:b|_)${k})`),
            ),
            { maxLength: 4 },
          ),
        )
        .map(([zero, head, rest]) => zero.join('') + head + rest.join(''));
    const rule = fc.uniqueArray(keyword, { minLength: 1, maxLength: 3 }).chain((keywords) =>
      fc.tuple(fc.constant(keywords), fc.array(alternative(keywords), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|'))),
    );
    const text = fc.string({ maxLength: 80, unit: fc.constantFrom('a', 'b', 'A', 'B', '_', '-', ':', ' ', '\n', 'ab', 'a_', ':b') });
    let anchored = 0;
    fc.assert(
      fc.property(rule, fc.boolean(), text, ([keywords, source], ignoreCase, t) => {
        const flags = ignoreCase ? 'i' : '';
        let re: RegExp;
        try {
          re = new RegExp(source, flags);
        } catch {
          return; // not a valid pattern
        }
        const { anchors } = analyzeAnchors(source, flags, keywords);
        if (anchors === undefined) {
          return;
        }
        anchored++;
        const rule: Rule = {
          id: 'random',
          description: 'random pattern',
          kind: 'secret',
          keywords,
          pattern: re,
          truePositives: [],
          falsePositives: [],
          maxLength: 100,
          anchors,
        };
        const whole = createDetector([rule], { scan: 'whole' }).detect(t, { merge: false });
        assert.deepEqual(createDetector([rule], { scan: 'anchored' }).detect(t, { merge: false }), whole, `/${source}/${flags} ${JSON.stringify(keywords)} ${JSON.stringify(t)}`);
      }),
      { numRuns: RUNS * 5 },
    );
    assert.ok(anchored > RUNS, `only ${anchored} random patterns were anchored`);
  });
});
