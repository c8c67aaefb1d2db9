import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { escapeText, quoteText } from '../../../src/cli/format';

function runs(): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1000;
}

/** What a terminal must never receive raw from recorded text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('cli/format escapeText', () => {
  it('leaves ordinary text of any script alone', () => {
    for (const s of ['src/a.ts', 'docs/b b.md', 'ünïcödé/文件.ts', 'emoji 😀 𝒳', 'npm test -- --grep "x"', '']) {
      assert.equal(escapeText(s), s);
    }
  });

  it('escapes what could clear the screen, forge a line or reorder text', () => {
    assert.equal(escapeText('\u001b[2J\u001b[H'), '\\x1b[2J\\x1b[H');
    assert.equal(escapeText('x\nok    verified'), 'x\\nok    verified');
    assert.equal(escapeText('a\rb\tc'), 'a\\rb\\tc');
    assert.equal(escapeText('nul\u0000'), 'nul\\x00');
    assert.equal(escapeText('csi\u009b2J'), 'csi\\x9b2J');
    assert.equal(escapeText('del\u007f'), 'del\\x7f');
    assert.equal(escapeText('evil\u202etxt.exe'), 'evil\\u{202e}txt.exe');
    assert.equal(escapeText('a\u2066b\u2069'), 'a\\u{2066}b\\u{2069}');
    assert.equal(escapeText('zero\u200bwidth\ufeff'), 'zero\\u{200b}width\\u{feff}');
    assert.equal(escapeText('line\u2028sep'), 'line\\u{2028}sep');
    assert.equal(escapeText('lone \ud800 and \udc00'), 'lone \\u{d800} and \\u{dc00}');
  });

  it('escapes the backslash, so every escape in the output is its own', () => {
    assert.equal(escapeText('a\\x1b'), 'a\\\\x1b');
    assert.notEqual(escapeText('\\x1b'), escapeText('\u001b'));
  });

  it('cuts long text at maxLength without splitting a pair or an escape', () => {
    assert.equal(escapeText('abcdef', 4), 'abc…');
    assert.equal(escapeText('ab😀cd', 4), 'ab…');
    assert.equal(escapeText('ab\u001bcd', 5), 'ab…');
    assert.equal(escapeText('ab\\\\', 5), 'ab\\\\…');
    assert.equal(escapeText('short', 10), 'short');
  });

  it('quoteText wraps the escaped text in quotes', () => {
    assert.equal(quoteText('a\nb'), "'a\\nb'");
  });

  it('property: the output holds no dangerous character and no lone surrogate, is one line, and is injective', () => {
    const chars = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fc.constantFrom('a', '\\', '\u001b', '\n', '\u202e', '\ud800', '\udc00', '😀', 'x', '\u009b'), { maxLength: 20 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(chars, chars, fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), (a, b, max) => {
        const out = escapeText(a, max);
        assert.ok(!DANGEROUS.test(out), JSON.stringify(out));
        assert.ok(!LONE_SURROGATE.test(out), JSON.stringify(out));
        if (max !== undefined) {
          assert.ok(out.length <= max, `${out.length} > ${max}`);
        }
        if (a !== b) {
          assert.notEqual(escapeText(a), escapeText(b));
        }
      }),
      { numRuns: runs() },
    );
  });
});
