import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { isSafeRelativePath, unsafePathReason } from '../../../src/model/paths';

function runs(): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 2000;
}

/** Each refused class, with the reason `unsafePathReason` gives. */
const REFUSED: readonly (readonly [string, string, RegExp])[] = [
  ['backslash traversal', '..\\..\\etc\\passwd', /backslash/],
  ['mixed traversal', 'src/..\\..\\..\\etc\\passwd', /backslash/],
  ['a backslash', 'src\\a.ts', /backslash/],
  ['a leading backslash', '\\server\\share', /backslash/],
  ['NUL', 'a\u0000b', /control/],
  ['LF', 'a\nb', /control/],
  ['CR', 'a\rb', /control/],
  ['TAB', 'a\tb', /control/],
  ['ESC', '\u001b[2J', /control/],
  ['DEL', 'a\u007f', /control/],
  ['C1 (CSI)', 'a\u009bb', /control/],
  ['RLO', 'evil\u202etxt.exe', /bidirectional/],
  ['LRE', 'a\u202ab', /bidirectional/],
  ['LRI', 'a\u2066b', /bidirectional/],
  ['PDI', 'a\u2069b', /bidirectional/],
  ['LRM', 'a\u200eb', /bidirectional/],
  ['RLM', 'a\u200fb', /bidirectional/],
  ['ALM', 'a\u061cb', /bidirectional/],
  ['a lone high surrogate', 'a\ud800b', /surrogate/],
  ['a lone low surrogate', 'a\udc00', /surrogate/],
  ['a leading slash', '/etc/passwd', /absolute/],
  ['a drive letter', 'C:/x', /absolute/],
  ['a drive letter alone', 'c:', /absolute/],
  ['a .. segment', 'a/../../b', /\.\. segment/],
  ['only ..', '..', /\.\. segment/],
  ['a . segment', './a', /\.\. segment/],
  ['an empty segment', 'a//b', /empty segment/],
  ['a trailing slash', 'a/', /empty segment/],
];

const ACCEPTED = ['a', 'src/a.ts', 'docs/b b.md', 'ünïcödé/文件.ts', 'emoji/😀.txt', '.hidden/x', 'a/..b/c', 'a/b..', '...', 'ab:/c', '-rf', "it's", 'א/ב.txt', 'x/\u00a0y'];

describe('model/paths isSafeRelativePath', () => {
  for (const [name, path, reason] of REFUSED) {
    it(`refuses ${name}`, () => {
      assert.equal(isSafeRelativePath(path), false);
      assert.equal(isSafeRelativePath(path, true), false);
      assert.match(unsafePathReason(path) ?? '', reason);
    });
  }

  it("refuses a drive-relative 'a:b' too (on Windows it names a folder of drive A)", () => {
    assert.equal(isSafeRelativePath('a:b'), false);
  });

  it('accepts ordinary and Unicode names', () => {
    for (const p of ACCEPTED) {
      assert.equal(isSafeRelativePath(p), true, p);
      assert.equal(unsafePathReason(p), undefined, p);
    }
  });

  it("accepts '' only as the root, and refuses what is not a string", () => {
    assert.equal(isSafeRelativePath(''), false);
    assert.equal(isSafeRelativePath('', true), true);
    assert.equal(unsafePathReason(''), 'empty');
    for (const v of [undefined, null, 1, ['a'], { toString: () => 'a' }]) {
      assert.equal(isSafeRelativePath(v), false);
      assert.equal(unsafePathReason(v), 'not a string');
    }
  });

  it('never echoes the path in its reason', () => {
    for (const [, path] of REFUSED.filter(([, p]) => p.length > 3)) {
      assert.ok(!(unsafePathReason(path) ?? '').includes(path));
    }
  });

  it('property: agrees with a plain segment-by-segment reading of the rule, and joins of safe segments are safe', () => {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    const reference = (p: string): boolean =>
      p.length > 0 &&
      !/^[A-Za-z]:/.test(p) &&
      !FORBIDDEN.test(p) &&
      !LONE.test(p) &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom('..', '.', '', 'a', 'ü', '😀', '\\', '\u202e', '\u0000', '\n', 'C:', '\ud800', '\udc00', '\u2066'),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), fc.constantFrom('/', ''), (parts, sep) => {
        const p = parts.join(sep);
        assert.equal(isSafeRelativePath(p), reference(p), JSON.stringify(p));
        assert.equal(unsafePathReason(p) === undefined, reference(p), JSON.stringify(p));
        if (parts.every((s) => isSafeRelativePath(s)) && !/^[A-Za-z]:/.test(parts[0])) {
          assert.equal(isSafeRelativePath(parts.join('/')), true);
        }
      }),
      { numRuns: runs() },
    );
  });
});
