import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPlaceholder, manualPlaceholder } from '../../../src/privacy/redact/placeholders';
import type { PreviewRow } from '../../../src/preview/protocol';
import { chunkRanges, filterRows, formatBytes, rowMatches, segmentPlaceholders, shortHash, visibleWindow } from '../../../src/preview/timeline';

const T0 = Date.UTC(2025, 10, 30, 9);

/** n rows cycling through 4 types and 3 files (file -1 every 5th row). */
function rows(n: number): PreviewRow[] {
  return Array.from({ length: n }, (_, k): PreviewRow => [k + 1, T0 + k * 1000, k % 4, k % 5 === 0 ? -1 : k % 3, `row ${k}`]);
}

describe('preview timeline: filtering', () => {
  const all = rows(1000);

  it('an empty filter keeps every row, in order', () => {
    assert.deepEqual(filterRows(all, {}), all.map((_, k) => k));
  });

  it('filters by type, file and time, inclusively at both ends', () => {
    const kept = filterRows(all, { type: 2, file: 1, fromTs: T0 + 100_000, toTs: T0 + 200_000 });
    assert.ok(kept.length > 0);
    for (const k of kept) {
      const r = all[k];
      assert.equal(r[2], 2);
      assert.equal(r[3], 1);
      assert.ok(r[1] >= T0 + 100_000 && r[1] <= T0 + 200_000);
    }
    assert.deepEqual(filterRows(all, { fromTs: T0 + 5000, toTs: T0 + 5000 }), [5]);
  });

  it('filters by a set of seqs (the search result)', () => {
    assert.deepEqual(filterRows(all, { seqs: new Set([3, 500, 99999]) }), [2, 499]);
  });

  it('filtering in chunks gives the same indices as filtering at once (rows arrive in chunks)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 50 }), fc.option(fc.nat(4)), fc.option(fc.integer({ min: -1, max: 3 })), (n, size, type, file) => {
        const data = rows(n);
        const filter = { ...(type === null ? {} : { type }), ...(file === null ? {} : { file }) };
        const into: number[] = [];
        for (const [offset, count] of chunkRanges(n, size, size)) {
          filterRows(data, filter, offset, into, offset + count);
        }
        assert.deepEqual(into, filterRows(data, filter));
        assert.deepEqual(into, data.map((r, k) => (rowMatches(r, filter) ? k : -1)).filter((k) => k >= 0));
      }),
    );
  });
});

describe('preview timeline: chunks and the visible window', () => {
  it('posts a small first chunk, then large ones, covering every row once', () => {
    assert.deepEqual(chunkRanges(0), []);
    assert.deepEqual(chunkRanges(150), [[0, 150]]);
    assert.deepEqual(chunkRanges(10_450), [[0, 200], [200, 5000], [5200, 5000], [10_200, 250]]);
    fc.assert(
      fc.property(fc.nat(200_000), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 10_000 }), (total, first, size) => {
        const chunks = chunkRanges(total, first, size);
        let next = 0;
        for (const [offset, count] of chunks) {
          assert.equal(offset, next);
          assert.ok(count >= 1 && count <= Math.max(first, size));
          next += count;
        }
        assert.equal(next, total);
        if (total > 0) {
          assert.equal(chunks[0][1], Math.min(first, total));
        }
      }),
    );
  });

  it('never posts 100k rows at once', () => {
    assert.ok(chunkRanges(100_000).every(([, count]) => count <= 5000));
  });

  it('renders only the rows in view, plus overscan, within bounds', () => {
    assert.deepEqual(visibleWindow(0, 0, 500, 22), { first: 0, last: -1 });
    assert.deepEqual(visibleWindow(100_000, 0, 440, 22, 0), { first: 0, last: 20 });
    const w = visibleWindow(100_000, 22 * 50_000, 440, 22, 8);
    assert.deepEqual(w, { first: 49_992, last: 50_028 });
    const past = visibleWindow(10, 22 * 1000, 440, 22);
    assert.ok(past.last < past.first, 'scrolled past the end: nothing to render');
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(50_000_000), fc.nat(3000), (total, top, viewport) => {
        const { first, last } = visibleWindow(total, top, viewport, 22);
        assert.ok(first >= 0 && last < total && last - first < viewport / 22 + 20);
      }),
    );
  });
});

describe('preview timeline: placeholders', () => {
  it('splits text around placeholders, keeping every character', () => {
    const ph = formatPlaceholder('secret', 'github-pat', 2);
    const text = `token = "${ph}"; again ${ph} and ${manualPlaceholder(1)}.`;
    const segs = segmentPlaceholders(text);
    assert.equal(segs.map((s) => s.text).join(''), text);
    assert.deepEqual(
      segs.filter((s) => s.placeholder).map((s) => s.placeholder),
      [
        { kind: 'secret', rule: 'github-pat', n: 2 },
        { kind: 'secret', rule: 'github-pat', n: 2 },
        { kind: 'manual', rule: 'reviewer', n: 1 },
      ],
    );
  });

  it('leaves look-alikes as plain text', () => {
    for (const text of ['«secret»', '«Secret:x#1»', '«secret:x#0»', '«secret:x#1', 'plain', '«a:b-#1»']) {
      assert.ok(segmentPlaceholders(text).every((s) => s.placeholder === undefined), text);
    }
    assert.deepEqual(segmentPlaceholders(''), []);
  });

  it('finds every placeholder the redaction engine can write (property)', () => {
    const rule = fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 3 }).map((p) => p.join('-'));
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('secret', 'pii', 'identity', 'path'), rule, fc.integer({ min: 1, max: 1e6 }), fc.string(), (a, kind, r, n, b) => {
        const clean = (s: string): string => s.replace(/[«»]/g, '');
        const text = `${clean(a)}${formatPlaceholder(kind, r, n)}${clean(b)}`;
        const segs = segmentPlaceholders(text);
        assert.equal(segs.map((s) => s.text).join(''), text);
        assert.deepEqual(segs.find((s) => s.placeholder)?.placeholder, { kind, rule: r, n });
      }),
    );
  });
});

describe('preview timeline: formatting', () => {
  it('formats sizes and short hashes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(2048), '2.0 KB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.00 MB');
    assert.equal(shortHash('abcd1234'.repeat(8)), 'abcd1234…');
  });
});
