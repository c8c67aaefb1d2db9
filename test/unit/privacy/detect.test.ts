import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { createDetector, defaultDetector, detect, mergeSpans } from '../../../src/privacy/detect';
import { adversarialInputs } from '../../../src/privacy/adversarial';
import { keywordAnchors } from '../../../src/privacy/anchor';
import { identityRules } from '../../../src/privacy/identity';
import { KeywordAutomaton } from '../../../src/privacy/keywords';
import { pathRules } from '../../../src/privacy/paths';
import { parseFixture } from '../../../src/privacy/rule';
import { builtinRules } from '../../../src/privacy/rules/index';
import { base64url } from '../../../src/privacy/rules/synthetic';
import type { Rule, Span, SpanKind } from '../../../src/privacy/types';

/** Property runs: ≥ 1000 by default, CANDOR_FC_RUNS overrides. */
const RUNS = Number(process.env['CANDOR_FC_RUNS'] ?? 1000);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64URL = ALNUM + '-_';
const HEX = '0123456789abcdef';

function chars(alphabet: string, n: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet.split('')), { minLength: n, maxLength: n }).map((a) => a.join(''));
}

/** Generated secrets of several providers, with the rule that must report them. */
const secretArb: fc.Arbitrary<{ rule: string; secret: string }> = fc.oneof(
  chars(ALNUM, 36).map((b) => ({ rule: 'github-pat', secret: `ghp_${b}` })),
  chars(ALNUM, 36).map((b) => ({ rule: 'npm-token', secret: `npm_${b}` })),
  chars(BASE32, 16).map((b) => ({ rule: 'aws-access-key-id', secret: `AKIA${b}` })),
  chars(B64URL, 35).map((b) => ({ rule: 'google-api-key', secret: `AIza${b}` })),
  fc
    .tuple(chars('0123456789', 12), chars('0123456789', 13), chars(ALNUM, 24))
    .map(([a, b, c]) => ({ rule: 'slack-token', secret: `xoxb-${a}-${b}-${c}` })),
  chars(ALNUM, 24).map((b) => ({ rule: 'stripe-secret-key', secret: `sk_live_${b}` })),
  chars(HEX, 64).map((b) => ({ rule: 'digitalocean-token', secret: `dop_v1_${b}` })),
  fc
    .tuple(chars(B64URL, 22), chars(B64URL, 43))
    .map(([a, b]) => ({ rule: 'sendgrid-api-key', secret: `SG.${a}.${b}` })),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'abcdefghij'.split('')) }), chars(B64URL, 43))
    .map(([sub, sig]) => ({
      rule: 'jwt',
      secret: `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(`{"sub":"${sub}","iat":1}`)}.${sig}`,
    })),
);

/** Code-like filler: identifiers, keywords, punctuation, numbers — nothing that forms a URL or email. */
const fillerArb: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom('const ', 'let x', ' = ', '(', ')', '{', '}', ';', '\n', '  ', 'foo', 'bar', 'return ', '42', '.map', ', ', '// note', 'if ', 'else'),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));

const SEPARATORS = [' ', '\n', '"', "'", '(', ')', ',', ';', '= '];

function assertWellFormed(text: string, spans: readonly Span[]): void {
  let prevEnd = 0;
  for (const s of spans) {
    assert.ok(s.start >= 0 && s.end <= text.length && s.start < s.end, `out of bounds ${JSON.stringify(s)}`);
    assert.ok(s.start >= prevEnd, `overlapping or unsorted at ${JSON.stringify(s)}`);
    prevEnd = s.end;
  }
}

describe('detect', () => {
  it('finds a generated secret embedded anywhere in code-like text, with its exact span', () => {
    fc.assert(
      fc.property(fillerArb, secretArb, fc.constantFrom(...SEPARATORS), fc.constantFrom(...SEPARATORS), fillerArb, (pre, sec, l, r, post) => {
        const before = pre + l;
        const text = before + sec.secret + r + post;
        const spans = detect(text);
        assertWellFormed(text, spans);
        assert.ok(
          spans.some((s) => s.start === before.length && s.end === before.length + sec.secret.length && s.rule === sec.rule),
          `${sec.rule} not found exactly in ${JSON.stringify(text)}: ${JSON.stringify(spans)}`,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('is deterministic, and a fresh detector agrees with the default one', () => {
    const fresh = createDetector(builtinRules);
    fc.assert(
      fc.property(fillerArb, secretArb, fc.string({ maxLength: 200 }), (pre, sec, noise) => {
        const text = `${pre} ${sec.secret} ${noise}`;
        const a = detect(text);
        assert.deepEqual(detect(text), a);
        assert.deepEqual(fresh.detect(text), a);
      }),
      { numRuns: RUNS },
    );
  });

  it('returns sorted, non-overlapping, in-bounds spans for arbitrary text', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('ghp_', 'token = "', 'AKIA', '@', 'a@b.co', '10.0.0.', '::', '-----BEGIN PRIVATE KEY-----\n', 'password=', 'https://u:p@h'),
      secretArb.map((s) => s.secret),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        assertWellFormed(text, detect(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('reports only the value of `name = value` assignments', () => {
    const text = 'const password = "hunter2xyz";';
    assert.deepEqual(detect(text), [{ start: 18, end: 28, rule: 'generic-password', kind: 'secret' }]);
  });

  it('prefers the provider rule when a generic rule claims the same value', () => {
    const token = `ghp_${'aB3dE5fG7h'.repeat(3)}J9kL1m`;
    const text = `GITHUB_TOKEN="${token}"`;
    const raw = defaultDetector.detect(text, { merge: false }).map((s) => s.rule);
    assert.ok(raw.includes('github-pat') && raw.includes('generic-token'), raw.join());
    assert.deepEqual(detect(text), [{ start: 14, end: 14 + token.length, rule: 'github-pat', kind: 'secret' }]);
  });

  it('returns nothing for empty text and for text without keywords', () => {
    assert.deepEqual(detect(''), []);
    assert.deepEqual(detect('plain words, nothing to see here'), []);
  });

  it('adds identity and path rules on request', () => {
    const text = 'cd /home/alice-dev/other && cat /work/main/src/a.ts';
    const spans = detect(text, {
      identity: { username: 'alice-dev', homedir: '/home/alice-dev', hostname: 'box-1234' },
      workspaceRoots: ['/work/main'],
    });
    assert.deepEqual(
      spans.map((s) => [text.slice(s.start, s.end), s.rule]),
      // The identity span inside the path merges with it; identity outranks path as a label.
      [['/home/alice-dev/other', 'identity-home']],
    );
  });
});

/** Every rule we ship or build, for the scan-strategy equivalence tests. */
const ALL_RULES: readonly Rule[] = [
  ...builtinRules,
  ...identityRules({ username: 'alice-dev', homedir: '/srv/alice-dev', hostname: 'alice-laptop', gitName: 'Alice Dev', gitEmail: 'alice@example.org' }),
  ...pathRules(['/work/main']),
];

describe('anchored scanning (a rule tried only at its keyword occurrences)', () => {
  const whole = createDetector(ALL_RULES, { scan: 'whole' });
  const anchored = createDetector(ALL_RULES, { scan: 'anchored' });
  const auto = createDetector(ALL_RULES);
  const fixtures = ALL_RULES.flatMap((r) => [...r.truePositives.map((f) => parseFixture(f).text), ...r.falsePositives]);
  const keywords = [...new Set(ALL_RULES.flatMap((r) => r.keywords))];
  const caseArb = (s: string): fc.Arbitrary<string> =>
    fc.constantFrom(s, s.toUpperCase(), s.length > 0 ? s[0].toUpperCase() + s.slice(1) : s);

  it('anchors most keyword rules, including the common generic ones', () => {
    const anchoredIds = ALL_RULES.filter((r) => keywordAnchors(r.pattern.source, r.pattern.flags, r.keywords) !== undefined).map((r) => r.id);
    for (const id of ['generic-token', 'generic-password-bare', 'generic-api-key', 'http-header-token', 'database-connection-string', 'phone-number', 'identity-home']) {
      assert.ok(anchoredIds.includes(id), id);
    }
    assert.ok(anchoredIds.length >= 100, `${anchoredIds.length} anchored`);
  });

  it('gives exactly the spans of whole-text scanning, on text made of keywords and fixtures', () => {
    const piece = fc.oneof(
      fc.constantFrom(...keywords).chain(caseArb),
      fc.constantFrom(...fixtures),
      fc.tuple(fc.constantFrom(...fixtures), fc.nat(200), fc.nat(200)).map(([f, a, b]) => f.slice(Math.min(a, b), Math.max(a, b))),
      fc.string({ maxLength: 12, unit: fc.constantFrom(...'aZ09_-.:=@/"\' \n\t#;'.split('')) }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (parts) => {
        const text = parts.join('');
        const expected = whole.detect(text, { merge: false });
        assert.deepEqual(anchored.detect(text, { merge: false }), expected, JSON.stringify(text));
        assert.deepEqual(auto.detect(text, { merge: false }), expected, JSON.stringify(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives exactly the spans of whole-text scanning on every adversarial input', () => {
    for (const rule of ALL_RULES) {
      const w = createDetector([rule], { scan: 'whole' });
      const a = createDetector([rule], { scan: 'anchored' });
      const d = createDetector([rule]);
      for (const input of adversarialInputs(rule, { size: 3000, keywords: 3 })) {
        const expected = w.detect(input.text, { merge: false });
        assert.deepEqual(a.detect(input.text, { merge: false }), expected, `${rule.id} ${input.name}`);
        assert.deepEqual(d.detect(input.text, { merge: false }), expected, `${rule.id} ${input.name} (auto)`);
      }
    }
  });

  it('gives exactly the spans of whole-text scanning for a few rules on long texts (sparse, dense, stopped early)', () => {
    // Small detectors reach the early stop of the keyword pass; long fillers keep keywords
    // sparse enough for the `auto` scan to try occurrences one by one.
    const filler = fc.constantFrom('', ' ', '\n', 'x'.repeat(70), 'const value = compute(input);\n'.repeat(3), 'a1B2'.repeat(40));
    const piece = fc.oneof(fc.constantFrom(...keywords).chain(caseArb), fc.constantFrom(...fixtures), filler, filler);
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...ALL_RULES), { minLength: 1, maxLength: 3 }), fc.array(piece, { maxLength: 24 }), (rules, parts) => {
        const text = parts.join('');
        const expected = createDetector(rules, { scan: 'whole' }).detect(text, { merge: false });
        assert.deepEqual(createDetector(rules).detect(text, { merge: false }), expected, JSON.stringify(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('finds a sparse keyword\'s match in a long text (the anchored path of the default scan)', () => {
    const filler = 'const value = compute(input);\n'.repeat(400);
    const text = `${filler}password = "hunter2xyz"\n${filler}`;
    assert.deepEqual(auto.detect(text), whole.detect(text));
    assert.equal(auto.detect(text).length, 1);
  });
});

describe('mergeSpans', () => {
  const kindArb = fc.constantFrom<SpanKind>('secret', 'pii', 'identity', 'path');
  const spanArb = fc
    .tuple(fc.nat(200), fc.integer({ min: 1, max: 40 }), fc.constantFrom('a', 'b', 'c'), kindArb)
    .map(([start, len, rule, kind]): Span => ({ start, end: start + len, rule, kind }));

  it('covers exactly the union of its input, without overlaps, labelled by a member', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 20 }), (spans) => {
        const merged = mergeSpans(spans);
        const covered = (list: readonly Span[]): Set<number> => {
          const set = new Set<number>();
          for (const s of list) {
            for (let i = s.start; i < s.end; i++) {
              set.add(i);
            }
          }
          return set;
        };
        assert.deepEqual(covered(merged), covered(spans));
        let prevEnd = -1;
        for (const m of merged) {
          assert.ok(m.start >= prevEnd && m.start < m.end);
          prevEnd = m.end;
          const members = spans.filter((s) => s.start < m.end && s.end > m.start);
          assert.ok(members.some((s) => s.rule === m.rule && s.kind === m.kind));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('labels a cluster secret > pii > identity > path, then by length', () => {
    assert.deepEqual(
      mergeSpans([
        { start: 0, end: 10, rule: 'home', kind: 'identity' },
        { start: 5, end: 8, rule: 'tok', kind: 'secret' },
        { start: 20, end: 30, rule: 'short', kind: 'pii' },
        { start: 20, end: 35, rule: 'long', kind: 'pii' },
        { start: 35, end: 40, rule: 'touching', kind: 'path' },
      ]),
      [
        { start: 0, end: 10, rule: 'tok', kind: 'secret' },
        { start: 20, end: 35, rule: 'long', kind: 'pii' },
        { start: 35, end: 40, rule: 'touching', kind: 'path' },
      ],
    );
  });
});

describe('KeywordAutomaton', () => {
  const kwArb = fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom(...'abAB_:-é'.split('')) }).map((s) => s.toLowerCase());
  const textArb = fc.string({ maxLength: 60, unit: fc.constantFrom(...'abAB_:-éÉ x'.split('')) });

  it('reports exactly every occurrence (keyword, end), case-insensitively, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(kwArb, { minLength: 1, maxLength: 8 }), textArb, (keywords, text) => {
        const found: string[] = [];
        let lastEnd = 0;
        new KeywordAutomaton(keywords).find(text, (id, end) => {
          assert.ok(end >= lastEnd, 'occurrences come in order of their end');
          lastEnd = end;
          found.push(`${end}:${keywords[id]}`);
          return false;
        });
        const lower = text.toLowerCase();
        const expected: string[] = [];
        for (let end = 1; end <= text.length; end++) {
          for (const k of keywords) {
            if (end >= k.length && lower.slice(end - k.length, end) === k) {
              expected.push(`${end}:${k}`);
            }
          }
        }
        assert.deepEqual([...found].sort(), expected.sort(), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('stops when the callback returns true', () => {
    const automaton = new KeywordAutomaton(['ab', 'b']);
    const seen: number[] = [];
    assert.equal(
      automaton.find('xab ab', (id) => {
        seen.push(id);
        return true;
      }),
      true,
    );
    assert.equal(seen.length, 1);
    assert.equal(
      automaton.find('nothing here', () => true),
      false,
    );
  });
});
