/**
 * The windows an edit is rescanned in (pass 1 and the spread replay): the ranges of the new
 * document version that the edit's changes touched, merged when they overlap.
 */

/** Merges sorted-or-not flat pairs `[s0, e0, s1, e1, …]` that overlap or touch; returns sorted pairs. */
export function mergeRanges(flat: number[]): number[] {
  if (flat.length <= 2) {
    return flat; // one range: the common case (one change per keystroke)
  }
  const pairs: [number, number][] = [];
  for (let k = 0; k < flat.length; k += 2) {
    pairs.push([flat[k], flat[k + 1]]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= out[n - 1]) {
      out[n - 1] = Math.max(out[n - 1], e);
    } else {
      out.push(s, e);
    }
  }
  return out;
}

/**
 * The ranges of the new version that an event's changes touched, as flat pairs: each change's
 * inserted range (a point for a pure deletion), carried through the changes after it.
 */
export function dirtyRanges(changes: readonly number[]): number[] {
  const iv: number[] = [];
  for (let c = 0; c < changes.length; c += 3) {
    const o = changes[c];
    const l = changes[c + 1];
    const n = changes[c + 2];
    const d = n - l;
    for (let k = 0; k < iv.length; k += 2) {
      const s = iv[k];
      const e = iv[k + 1];
      iv[k] = s <= o ? s : s >= o + l ? s + d : o;
      iv[k + 1] = e <= o ? e : e >= o + l ? e + d : o + n;
    }
    iv.push(o, o + n);
  }
  return mergeRanges(iv);
}
