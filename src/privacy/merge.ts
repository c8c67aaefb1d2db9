/**
 * Merging overlapping spans — ONE policy shared by the detector (`mergeSpans`, detect.ts) and
 * redaction (`mergeFound`, redact/scanners.ts, which adds the reviewer's own texts as a kind).
 */

/** A span as the merge sees it: a range, the rule that claimed it, and the rule's kind. */
export interface RankedSpan<K extends string = string> {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
  readonly kind: K;
}

/** Sorts spans in place by start, then longest first, then rule id (a total order). */
export function sortSpans<T extends RankedSpan>(spans: T[]): T[] {
  return spans.sort((a, b) => a.start - b.start || b.end - a.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

/**
 * Merges overlapping spans into sorted, non-overlapping ones; sorts `spans` in place.
 *
 * Choice: a cluster of overlapping spans becomes ONE span covering their union, labelled by the
 * preferred member — higher `rank` of its kind, then provider-specific over generic (`isGeneric`),
 * then longer, then earlier, then rule id (so the result is deterministic). Union rather than
 * "keep the winner, drop the rest": dropping a partly-overlapping span would leave its
 * non-overlapping part unredacted, and on this side of the wire over-redaction is the safe error.
 * Spans that merely touch (`a.end === b.start`) stay separate.
 */
export function mergeOverlapping<K extends string, T extends RankedSpan<K>>(
  spans: T[],
  rank: Readonly<Record<string, number>>,
  isGeneric: (span: T) => boolean,
): RankedSpan<K>[] {
  const prefer = (a: T, b: T): boolean => {
    const ka = rank[a.kind] ?? 0;
    const kb = rank[b.kind] ?? 0;
    if (ka !== kb) {
      return ka > kb;
    }
    const ga = isGeneric(a);
    if (ga !== isGeneric(b)) {
      return !ga;
    }
    const la = a.end - a.start;
    const lb = b.end - b.start;
    if (la !== lb) {
      return la > lb;
    }
    if (a.start !== b.start) {
      return a.start < b.start;
    }
    return a.rule < b.rule;
  };
  const sorted = sortSpans(spans);
  const out: RankedSpan<K>[] = [];
  let best: T | undefined;
  let start = 0;
  let end = 0;
  for (const s of sorted) {
    if (best !== undefined && s.start < end) {
      end = Math.max(end, s.end);
      if (prefer(s, best)) {
        best = s;
      }
      continue;
    }
    if (best !== undefined) {
      out.push({ start, end, rule: best.rule, kind: best.kind });
    }
    best = s;
    start = s.start;
    end = s.end;
  }
  if (best !== undefined) {
    out.push({ start, end, rule: best.rule, kind: best.kind });
  }
  return out;
}
