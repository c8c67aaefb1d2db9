import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { CappedText, utf8Prefix } from '../../../src/recorder/utf8Cap';

const runs = Number(process.env.CANDOR_FC_RUNS ?? 300);

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

describe('terminal output cap (UTF-8 bytes)', () => {
  it('counts bytes, not UTF-16 units', () => {
    const cap = new CappedText(16);
    cap.append('日本語のテキスト'); // 8 characters, 24 bytes
    assert.equal(cap.text, '日本語のテ');
    assert.equal(Buffer.byteLength(cap.text, 'utf8'), 15);
    assert.equal(cap.cut, true);
  });

  it('never splits a surrogate pair, within a chunk or across two', () => {
    assert.equal(utf8Prefix('ab😀', 5).text, 'ab');
    const cap = new CappedText(6);
    cap.append('ab\ud83d'); // the pair arrives in two chunks
    cap.append('\ude00cd');
    assert.equal(cap.text, 'ab');
    assert.equal(cap.cut, true);
    assert.ok(!hasLoneSurrogate(cap.text));
  });

  it('keeps everything under the cap, and says when it cut (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '日', '😀', '\n', '\u001b') });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), (chunks, max) => {
        const cap = new CappedText(max);
        chunks.forEach((c) => cap.append(c));
        const all = chunks.join('');
        assert.ok(Buffer.byteLength(cap.text, 'utf8') <= max);
        assert.ok(all.startsWith(cap.text));
        assert.ok(!hasLoneSurrogate(cap.text));
        assert.equal(cap.cut, cap.text !== all);
        if (!cap.cut) {
          assert.equal(cap.bytes, Buffer.byteLength(all, 'utf8'));
        } else {
          // Nothing that would still have fit was dropped: the next character would overflow.
          const next = all.slice(cap.text.length, all.codePointAt(cap.text.length)! > 0xffff ? cap.text.length + 2 : cap.text.length + 1);
          assert.ok(Buffer.byteLength(cap.text + next, 'utf8') > max || hasLoneSurrogate(cap.text + next));
        }
      }),
      { numRuns: runs },
    );
  });
});
