import * as assert from 'node:assert/strict';
import { analyzePattern } from '../../../src/privacy/regexBounds';

describe('analyzePattern', () => {
  it('bounds literals, classes, escapes and quantifiers', () => {
    assert.deepEqual(
      [analyzePattern('ghp_[A-Za-z0-9]{36}').maxLength, analyzePattern('ghp_[A-Za-z0-9]{36}').minLength],
      [40, 40],
    );
    assert.equal(analyzePattern('a?b{2,5}(?:cd|e){1,3}').maxLength, 1 + 5 + 6);
    assert.equal(analyzePattern('a?b{2,5}(?:cd|e){1,3}').minLength, 3);
    assert.equal(analyzePattern(String.raw`\x41\u0042\d\.`).maxLength, 4);
  });

  it('counts what lookarounds inspect on either side, and \\b', () => {
    const b = analyzePattern('(?<![A-Z])AKIA[A-Z]{16}(?![A-Z])');
    assert.deepEqual([b.behind, b.maxMatch, b.ahead, b.maxLength], [1, 20, 1, 22]);
    assert.deepEqual([analyzePattern(String.raw`\bx\b`).behind, analyzePattern(String.raw`\bx\b`).ahead], [1, 1]);
    // Anchored at "@", the lookbehind walks back 64 and its inner lookahead reaches forward.
    const e = analyzePattern('@(?<=(?=([a-z]{1,64}@[a-z]{1,10}))[a-z]{1,64}@)');
    assert.equal(e.maxMatch, 1);
    assert.equal(e.behind, 64); // the lookbehind re-reads the "@" itself
    assert.ok(e.ahead >= 10);
  });

  it('bounds the forward reach from the match start, not match plus look past its end', () => {
    // The lookahead reads the very value the pattern then consumes: 8 letters and the end.
    const r = analyzePattern('(?=[a-z]{1,8}$)[a-z]{1,8}');
    assert.deepEqual([r.maxMatch, r.reach, r.maxLength], [8, 9, 9]);
    // A lookahead past what is consumed still counts in full.
    assert.equal(analyzePattern('ab(?=[0-9]{1,5}x)').maxLength, 8);
    // A repetition's last copy starts (max - 1) × atom.max in.
    assert.equal(analyzePattern('(?:a(?=bc)){3}').maxLength, 5);
    // Inside a lookbehind, a lookahead can look past the current position.
    assert.equal(analyzePattern('x(?<=(?=xyz)x)').maxLength, 3);
  });

  it('bounds backreferences by their group and counts groups', () => {
    const r = analyzePattern(String.raw`(["'])([a-z]{1,8})\1`);
    assert.equal(r.maxLength, 10);
    assert.equal(r.groups, 2);
    assert.equal(analyzePattern(String.raw`(?<q>x{1,3})\k<q>`).maxLength, 6);
  });

  it('rejects unbounded quantifiers and unsupported syntax', () => {
    for (const src of ['a*', 'a+', 'a{2,}', '(?:ab)*', String.raw`[\s\S]+?`]) {
      assert.throws(() => analyzePattern(src), /unbounded/, src);
    }
    assert.throws(() => analyzePattern(String.raw`\1(a)`), /backreference/);
    assert.throws(() => analyzePattern('(a'), /unclosed/);
  });

  it('treats a lone { as a literal', () => {
    assert.equal(analyzePattern('a{b').maxLength, 3);
  });
});
