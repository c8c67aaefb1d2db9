import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { ChunkedTextBuffer } from '../../../src/replay/buffer';
import { fcRuns } from './helpers';

describe('replay/ChunkedTextBuffer', () => {
  it('starts from any text, including empty', () => {
    for (const text of ['', 'a', 'x'.repeat(10_000), '😀'.repeat(3)]) {
      const b = new ChunkedTextBuffer(text, { maxChunk: 16 });
      assert.equal(b.getText(), text);
      assert.equal(b.length, text.length);
    }
  });

  it('splits long inserts and keeps the chunk count near length / (maxChunk / 2)', () => {
    const b = new ChunkedTextBuffer('', { maxChunk: 64 });
    b.apply(0, 0, 'y'.repeat(6400));
    assert.equal(b.chunkCount, 200);
    // Backspace most of it away, one character at a time: emptied chunks must not pile up.
    for (let cursor = 6400; cursor > 400; cursor--) {
      b.apply(cursor - 1, 1, '');
    }
    assert.equal(b.getText(), 'y'.repeat(400));
    assert.ok(b.chunkCount <= 400 / 16 + 2, `chunks: ${b.chunkCount}`);
  });

  it('behaves like a plain string under any sequence of replacements (property)', () => {
    const op = fc.record({ a: fc.nat(), b: fc.nat(), text: fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r\n', '😀'), maxLength: 40 }) });
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.array(op, { maxLength: 80 }), fc.constantFrom(2, 3, 5, 8, 32), (initial, ops, maxChunk) => {
        const b = new ChunkedTextBuffer(initial, { maxChunk });
        let model = initial;
        for (const { a, b: c, text } of ops) {
          const start = a % (model.length + 1);
          const end = start + (c % (model.length - start + 1));
          b.apply(start, end - start, text);
          model = model.slice(0, start) + text + model.slice(end);
          assert.equal(b.length, model.length);
          if (a % 3 === 0) {
            assert.equal(b.getText(), model); // interleave reads: the cached text must be dropped on change
          }
        }
        assert.equal(b.getText(), model);
      }),
      { numRuns: fcRuns() },
    );
  });
});
