import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { SeqRange } from '../../../src/bundle/seqRanges';
import {
  countRanges,
  countWithin,
  intersectRanges,
  normalizeRanges,
  RangeBuilder,
  RangeCursor,
  rangesContain,
  subtractRanges,
  unionRanges,
} from '../../../src/bundle/seqRanges';
import { fcRuns } from './helpers';

const MAX = 60;
const rangeArb = fc.tuple(fc.integer({ min: 1, max: MAX }), fc.integer({ min: 0, max: 8 })).map(([a, n]): SeqRange => [a, a + n]);
const rangesArb = fc.array(rangeArb, { maxLength: 8 });

function toSet(ranges: readonly SeqRange[]): Set<number> {
  const s = new Set<number>();
  for (const [a, b] of ranges) {
    for (let k = a; k <= b; k++) {
      s.add(k);
    }
  }
  return s;
}

function isNormal(ranges: readonly SeqRange[]): boolean {
  return ranges.every(([a, b], k) => a <= b && (k === 0 || a > ranges[k - 1][1] + 1));
}

describe('seq ranges', () => {
  it('normalizes any list to sorted, disjoint, non-adjacent ranges of the same seqs', () => {
    fc.assert(
      fc.property(rangesArb, (raw) => {
        const n = normalizeRanges(raw);
        assert.ok(isNormal(n), JSON.stringify(n));
        assert.deepEqual([...toSet(n)].sort((a, b) => a - b), [...toSet(raw)].sort((a, b) => a - b));
        assert.equal(countRanges(n), toSet(raw).size);
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('approved ∪ unapproved = all, and they are disjoint', () => {
    // `all`: a log's seqs; `approved`: what approvals covered (may reach past the log, or before it).
    fc.assert(
      fc.property(rangesArb, rangesArb, (allRaw, approvedRaw) => {
        const all = normalizeRanges(allRaw);
        const approved = normalizeRanges(approvedRaw);
        const unapproved = subtractRanges(all, approved);
        const offered = intersectRanges(all, approved);
        assert.ok(isNormal(unapproved) && isNormal(offered));
        assert.deepEqual(unionRanges(unapproved, offered), all, 'together they are the log');
        assert.deepEqual(intersectRanges(unapproved, approved), [], 'nothing approved is offered again');
        assert.equal(countRanges(unapproved) + countRanges(offered), countRanges(all));
        const [first, last] = [all[0]?.[0] ?? 1, all[all.length - 1]?.[1] ?? 0];
        const naive = [...toSet(approved)].filter((s) => s >= first && s <= last).length;
        assert.equal(countWithin(approved, first, last), naive);
        for (let seq = 1; seq <= MAX + 10; seq++) {
          assert.equal(rangesContain(unapproved, seq), toSet(all).has(seq) && !toSet(approved).has(seq), `seq ${seq}`);
        }
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('a cursor answers membership for increasing seqs like a binary search', () => {
    fc.assert(
      fc.property(rangesArb, fc.array(fc.integer({ min: 1, max: MAX + 10 }), { maxLength: 30 }), (raw, seqs) => {
        const set = normalizeRanges(raw);
        const cursor = new RangeCursor(set);
        for (const seq of [...seqs].sort((a, b) => a - b)) {
          assert.equal(cursor.has(seq), rangesContain(set, seq));
        }
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('a builder turns the seqs taken into ranges; an unreadable record inside a run does not split it', () => {
    const b = new RangeBuilder();
    for (const s of [1, 2, 3]) {
      b.add(s);
    }
    b.bridge(4); // not a valid event
    b.add(5);
    b.gap(); // 6 not taken
    b.bridge(7); // after a gap: not bridged
    b.add(8);
    b.add(10); // 9 missing from the log (damage): a new range
    assert.deepEqual(b.ranges, [
      [1, 5],
      [8, 8],
      [10, 10],
    ]);
  });
});
