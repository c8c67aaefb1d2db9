import * as assert from 'node:assert/strict';
import { CursorHint } from '../../../src/recorder/cursorHint';

/** Line/character of every offset of `text`, as VS Code's positionAt would give them (LF only). */
function positions(text: string): { line: number; character: number }[] {
  const out: { line: number; character: number }[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i <= text.length; i++) {
    out.push({ line, character });
    if (text[i] === '\n') {
      line++;
      character = 0;
    } else {
      character++;
    }
  }
  return out;
}

describe('CursorHint', () => {
  const doc = {};

  it('places every position inside the inserted text exactly, and nothing outside it', () => {
    const before = 'const a = 1;\n  foo(';
    const inserted = 'x);\n  bar(\n\n  ';
    const after = ')\nend';
    const text = before + inserted + after;
    const at = positions(text);
    const start = at[before.length];
    const hint = new CursorHint();
    hint.noteChange(doc, 7, start.line, start.character, before.length, inserted);
    for (let offset = 0; offset <= text.length; offset++) {
      const p = at[offset];
      const got = hint.offsetAt(doc, 7, p.line, p.character);
      const inside = offset >= before.length && offset <= before.length + inserted.length;
      assert.equal(got, inside ? offset : undefined, `offset ${offset} (${p.line}:${p.character})`);
    }
  });

  it('answers only for the document and version the change produced', () => {
    const hint = new CursorHint();
    hint.noteChange(doc, 3, 0, 4, 4, 'a');
    assert.equal(hint.offsetAt(doc, 3, 0, 5), 5);
    assert.equal(hint.offsetAt(doc, 4, 0, 5), undefined);
    assert.equal(hint.offsetAt({}, 3, 0, 5), undefined);
    hint.clear();
    assert.equal(hint.offsetAt(doc, 3, 0, 5), undefined);
  });

  it('a deletion places the cursor where the range started', () => {
    const hint = new CursorHint();
    hint.noteChange(doc, 9, 2, 6, 40, '');
    assert.equal(hint.offsetAt(doc, 9, 2, 6), 40);
    assert.equal(hint.offsetAt(doc, 9, 2, 7), undefined);
    assert.equal(hint.offsetAt(doc, 9, 2, 5), undefined);
  });

  it('leaves text with a CR to the document', () => {
    const hint = new CursorHint();
    hint.noteChange(doc, 2, 0, 0, 0, 'a\r\nb');
    assert.equal(hint.offsetAt(doc, 2, 1, 1), undefined);
  });
});
