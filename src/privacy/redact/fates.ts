import type { KeyTable } from './marks';

/**
 * The result of a redaction run's marks (marks.ts), what the rewrite pass (rewritePass.ts) reads:
 * for every marked character, by origin id, its placeholder key and whether it is the anchor
 * (renders as the placeholder) or dropped (renders as '').
 */

/** Origin ids per bucket of the coarse index in `Fates` (a power of two). */
const BUCKET_SHIFT = 6;

/**
 * The fate of every marked character, looked up by origin id (sorted arrays, binary search).
 *
 * Pass 2 asks "is anything in this run marked?" for every piece it measures or renders, and the
 * answer is almost always no; a prefix count of marked ids per bucket of 64 ids answers that in
 * O(1) before any binary search.
 */
export class Fates {
  private readonly buckets: Int32Array;

  constructor(
    private readonly ids: Int32Array,
    private readonly key: Int32Array,
    private readonly anchor: Uint8Array,
    private readonly keys: KeyTable,
  ) {
    const n = ids.length === 0 ? 1 : (ids[ids.length - 1] >> BUCKET_SHIFT) + 1;
    const buckets = new Int32Array(n + 1);
    for (const id of ids) {
      buckets[(id >> BUCKET_SHIFT) + 1]++;
    }
    for (let b = 1; b <= n; b++) {
      buckets[b] += buckets[b - 1];
    }
    this.buckets = buckets;
  }

  /** Number of marked characters. */
  get size(): number {
    return this.ids.length;
  }

  /** Whether any of `length` characters from `origin` on is marked. */
  any(origin: number, length: number): boolean {
    if (length <= 0 || !this.maybe(origin, length)) {
      return false;
    }
    const lo = this.lowerBound(origin);
    return lo < this.ids.length && this.ids[lo] < origin + length;
  }

  /** False when the bucket counts prove that nothing in the run is marked. */
  private maybe(origin: number, length: number): boolean {
    const buckets = this.buckets;
    const last = buckets.length - 2;
    const lo = origin >> BUCKET_SHIFT;
    if (lo > last) {
      return false;
    }
    const hi = Math.min(last, (origin + length - 1) >> BUCKET_SHIFT);
    return buckets[hi + 1] - buckets[lo] > 0;
  }

  /** Length of `length` characters from `origin` on once rendered. */
  renderedLength(origin: number, length: number): number {
    if (length <= 0 || !this.maybe(origin, length)) {
      return length;
    }
    const lo = this.lowerBound(origin);
    const ids = this.ids;
    if (lo >= ids.length || ids[lo] >= origin + length) {
      return length;
    }
    let n = length;
    for (let i = lo; i < ids.length && ids[i] < origin + length; i++) {
      n += this.anchor[i] === 1 ? this.keys.placeholder(this.key[i]).length - 1 : -1;
    }
    return n;
  }

  /**
   * `text` (whose characters have origins `origin`, `origin + 1`, …) rendered: kept characters as
   * they are, anchors as their placeholder, dropped characters as ''. `onKey` hears the key of each
   * occurrence the text holds (part of): each placeholder, and each run of dropped characters not
   * following a placeholder of the same key.
   */
  render(origin: number, text: string, onKey?: (key: number) => void): string {
    if (text.length === 0 || !this.maybe(origin, text.length)) {
      return text;
    }
    const ids = this.ids;
    let i = this.lowerBound(origin);
    const end = origin + text.length;
    if (i >= ids.length || ids[i] >= end) {
      return text;
    }
    let out = '';
    let pos = 0;
    let lastKey = -1;
    for (; i < ids.length && ids[i] < end; i++) {
      const at = ids[i] - origin;
      out += text.slice(pos, at);
      const k = this.key[i];
      if (this.anchor[i] === 1) {
        out += this.keys.placeholder(k);
      }
      // Heard once per occurrence: on its placeholder, or on the first of its dropped characters
      // when the placeholder sits in another fragment (the later keys of a typed value).
      if (k !== lastKey || this.anchor[i] === 1) {
        onKey?.(k);
        lastKey = k;
      }
      pos = at + 1;
    }
    return out + text.slice(pos);
  }

  private lowerBound(origin: number): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid] < origin) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
