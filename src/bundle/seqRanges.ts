/**
 * Sets of log sequence numbers as sorted, disjoint, non-adjacent inclusive ranges `[first, last]`.
 * Which events of the local log a bundle covered, which were approved, and which are still to be
 * offered are all such sets: a day of typing is a handful of ranges, not 100k numbers. Pure.
 */

/** `[first, last]`, both inclusive, `1 <= first <= last`. */
export type SeqRange = readonly [first: number, last: number];

/** A set of seqs: ranges sorted by `first`, disjoint and not adjacent (`[1,3],[4,5]` is `[1,5]`). */
export type SeqRanges = readonly SeqRange[];

export function isSeqRange(x: unknown): x is SeqRange {
  return (
    Array.isArray(x) &&
    x.length === 2 &&
    Number.isSafeInteger(x[0]) &&
    Number.isSafeInteger(x[1]) &&
    (x[0] as number) >= 1 &&
    (x[0] as number) <= (x[1] as number)
  );
}

/** Any list of ranges (unsorted, overlapping) as a normal set. */
export function normalizeRanges(ranges: readonly SeqRange[]): SeqRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1] + 1) {
      last[1] = Math.max(last[1], b);
    } else {
      out.push([a, b]);
    }
  }
  return out;
}

export function unionRanges(a: SeqRanges, b: SeqRanges): SeqRange[] {
  return normalizeRanges([...a, ...b]);
}

/** The seqs of `a` that are not in `b` (both normal). */
export function subtractRanges(a: SeqRanges, b: SeqRanges): SeqRange[] {
  const out: SeqRange[] = [];
  let j = 0;
  for (const [first, last] of a) {
    let start = first;
    while (j < b.length && b[j][1] < start) {
      j++;
    }
    let k = j;
    while (start <= last) {
      const cut = b[k];
      if (cut === undefined || cut[0] > last) {
        out.push([start, last]);
        break;
      }
      if (cut[0] > start) {
        out.push([start, cut[0] - 1]);
      }
      start = Math.max(start, cut[1] + 1);
      k++;
    }
  }
  return out;
}

/** The seqs in both (both normal). */
export function intersectRanges(a: SeqRanges, b: SeqRanges): SeqRange[] {
  const out: SeqRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) {
      out.push([lo, hi]);
    }
    if (a[i][1] < b[j][1]) {
      i++;
    } else {
      j++;
    }
  }
  return out;
}

/** How many seqs the set holds. */
export function countRanges(ranges: SeqRanges): number {
  let n = 0;
  for (const [a, b] of ranges) {
    n += b - a + 1;
  }
  return n;
}

/** How many seqs of `ranges` lie in `[first, last]`. */
export function countWithin(ranges: SeqRanges, first: number, last: number): number {
  return first > last ? 0 : countRanges(intersectRanges(ranges, [[first, last]]));
}

/** Whether `seq` is in the (normal) set: binary search. */
export function rangesContain(ranges: SeqRanges, seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid];
    if (seq < a) {
      hi = mid - 1;
    } else if (seq > b) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}

/**
 * Membership for increasing seqs in O(1) amortized: a cursor over a normal set. `has` must be
 * called with non-decreasing seqs (a log is read in seq order).
 */
export class RangeCursor {
  private k = 0;

  constructor(private readonly ranges: SeqRanges) {}

  has(seq: number): boolean {
    const r = this.ranges;
    while (this.k < r.length && r[this.k][1] < seq) {
      this.k++;
    }
    return this.k < r.length && r[this.k][0] <= seq;
  }
}

/**
 * Builds a normal set from seqs given in increasing order. `gap` records that a record between
 * was not taken; `bridge` extends the current run over a record that could not be read at all
 * (so one unreadable line does not split a selection in two).
 */
export class RangeBuilder {
  private readonly out: [number, number][] = [];
  private open = false;

  add(seq: number): void {
    const last = this.out[this.out.length - 1];
    if (last !== undefined && seq <= last[1] + 1) {
      last[1] = Math.max(last[1], seq);
    } else {
      this.out.push([seq, seq]);
    }
    this.open = true;
  }

  gap(): void {
    this.open = false;
  }

  bridge(seq: number): void {
    const last = this.out[this.out.length - 1];
    if (this.open && last !== undefined && seq > last[1]) {
      last[1] = seq;
    }
  }

  get ranges(): SeqRange[] {
    return this.out.map(([a, b]) => [a, b]);
  }
}
