/**
 * The fast canonical-JSON check (one pass over the bytes and a key count) gives the same verdict
 * as the plain way, `JSON.stringify(JSON.parse(text)) === text`, on canonical texts and on texts
 * damaged in every way the pass looks at.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCanonicalPlain, parseCanonical } from '../../../src/store/canonicalJson';
import { fcRuns } from './helpers';

function fast(text: string): boolean {
  const data = Buffer.from(text, 'utf8');
  return parseCanonical(data, 0, data.length, false).ok;
}

/** Edits that turn canonical JSON into something else (or, sometimes, into other canonical JSON). */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(' ', '\r', '\t', '\n', '\\/', '\\u0041', '\\u00e9', '\\ud83d\\ude00', '\\ud800', '\\udc00', '\\uD800', '\\u001b', '\\u000a', '\\n', '.0', 'e1', 'E+2', '0', '-', '-0', '"a":1,', '"1":1,', '"__proto__":1,', '"t":2,', '"":0,', '\u2028', '\u007f', '"', ',', ':') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 3 }) }),
);

function apply(text: string, edits: readonly { kind: 'insert' | 'delete'; at: number; text?: string; length?: number }[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % (t.length + 1);
    t = e.kind === 'insert' ? t.slice(0, at) + (e.text ?? '') + t.slice(at) : t.slice(0, at) + t.slice(at + (e.length ?? 1));
  }
  return t;
}

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.constant(-0)), { maxKeys: 6 }),
  fc.record({ ts: fc.integer(), t: fc.string({ unit: 'binary' }), c: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: 'binary' }))) }),
);

describe('store/canonicalJson', () => {
  it('accepts every text JSON.stringify writes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        assert.ok(fast(text), text);
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('agrees with JSON.stringify(JSON.parse(text)) === text on damaged texts', () => {
    fc.assert(
      fc.property(value, fc.array(edit, { minLength: 1, maxLength: 3 }), (v, edits) => {
        // As bytes would hold it: an edit between surrogate halves leaves lone ones, which UTF-8 cannot carry.
        const text = Buffer.from(apply(JSON.stringify(v), edits), 'utf8').toString('utf8');
        assert.equal(fast(text), isCanonicalPlain(text), JSON.stringify(text));
      }),
      { numRuns: fcRuns(3000) },
    );
  });

  it('agrees on hand-picked cases', () => {
    const cases = [
      '{"a":1}', '{"a":1,"a":1}', '{"a":{"b":1,"b":2}}', '[{"a":1},{"a":1}]', '{"1":1,"a":2}', '{"a":2,"1":1}', '{"01":1}',
      '{"a":1.5}', '{"a":1.50}', '{"a":1e21}', '{"a":1e+21}', '{"a":123456789012345678}', '{"a":-0}', '{"a":0}', '{"a":-1}',
      '{"a":"\\ud800"}', '{"a":"\\ud800\\udc00"}', '{"a":"\\udc00\\ud800"}', '{"a":"\\u001f"}', '{"a":"\\u001F"}', '{"a":"\\u0008"}',
      '{"a":"\\b"}', '{"a":"\\/"}', '{"a":"\u2028"}', '{"__proto__":1}', '{"__proto__":1,"__proto__":2}', '{ "a":1}', '{"a":1 }',
      '{"a":true}', '{"a":tru}', '{"a":nul}', '[]', '{}', '"x"', '1', '',
    ];
    for (const text of cases) {
      assert.equal(fast(text), isCanonicalPlain(text), text);
    }
  });
});
