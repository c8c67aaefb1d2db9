import { createDetector } from '../detect';
import type { Detector } from '../detect';
import { KeywordIndex } from '../keywords';
import type { Rule, SpanKind } from '../types';
import { MANUAL_KIND, MANUAL_RULE } from './placeholders';

/**
 * Scanning for redaction: the detector's rules cut into tiers by reach, plus the reviewer's
 * redact-everywhere texts.
 *
 * Why tiers: a rescan window after an edit must be widened by the longest text a rule can decide
 * on, and that is very uneven — most provider tokens need ≤ 128 characters, but the PEM rule may
 * look 82 k characters ahead and the GCP service-account rule 24 k. One window widened by the
 * detector's `maxLength` would scan a whole 50 KB document per keystroke. Each tier instead gets a
 * window widened by its own reach, and is skipped altogether when none of its keywords can be in
 * that window (see `KeywordZones` in the engine): a `private key` three screens away from the
 * cursor costs nothing while typing.
 */

/** A span found by a scanner: a detector span, or a redact-everywhere text (kind `manual`). */
export interface FoundSpan {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
  readonly kind: SpanKind | typeof MANUAL_KIND;
}

/** One group of rules scanned together over windows of the same reach. */
export interface ScanTier {
  /** How far a rescan window around a change must extend on each side for this tier. */
  readonly reach: number;
  /** The tier's keywords; undefined when a rule has none (the tier must always be scanned). */
  readonly keywords: KeywordIndex | undefined;
  /** Spans in `text` (already masked), sorted and non-overlapping within the tier. */
  scan(text: string): FoundSpan[];
}

/** The full scanning setup of one redaction run. */
export interface ScanSet {
  readonly tiers: readonly ScanTier[];
  /** All tier keywords, to learn after an edit which tiers may have gained a keyword. */
  readonly keywords: KeywordIndex;
  /** For each keyword of `keywords`, the tiers that use it. */
  readonly keywordTiers: readonly (readonly number[])[];
  /** Longest keyword (a keyword created by an edit lies within this of the changed range). */
  readonly maxKeywordLength: number;
  /** Whole-text scan: the detector's merged spans plus the redact-everywhere texts. */
  scanWhole(text: string): FoundSpan[];
  /** Whether rule `id` is a generic heuristic (a provider-specific label is preferred). */
  isGeneric(rule: string): boolean;
}

/** Smallest tier reach: rules up to 64 characters share one tier. */
const MIN_BAND = 6;

/** Builds the tiers for `detector`'s rules and the redact-everywhere texts `manual`. */
export function createScanSet(detector: Detector, manual: readonly string[]): ScanSet {
  const byBand = new Map<number, Rule[]>();
  for (const rule of detector.rules) {
    const band = Math.max(MIN_BAND, Math.ceil(Math.log2(Math.max(1, rule.maxLength))));
    const list = byBand.get(band) ?? [];
    list.push(rule);
    byBand.set(band, list);
  }
  const tiers: ScanTier[] = [];
  for (const band of [...byBand.keys()].sort((a, b) => a - b)) {
    const rules = byBand.get(band)!;
    tiers.push(ruleTier(rules));
  }
  const literals = manual.filter((m) => m.length > 0);
  if (literals.length > 0) {
    tiers.push(manualTier(manual));
  }
  const all: string[] = [];
  const ids = new Map<string, number>();
  const keywordTiers: number[][] = [];
  tiers.forEach((tier, t) => {
    for (const k of tier.keywords?.keywords ?? []) {
      let id = ids.get(k);
      if (id === undefined) {
        id = all.length;
        ids.set(k, id);
        all.push(k);
        keywordTiers.push([]);
      }
      keywordTiers[id].push(t);
    }
  });
  const generic = new Set(detector.rules.filter((r) => r.generic === true).map((r) => r.id));
  const manualScan = literals.length > 0 ? manualScanner(manual) : undefined;
  return {
    tiers,
    keywords: new KeywordIndex(all),
    keywordTiers,
    maxKeywordLength: all.reduce((m, k) => Math.max(m, k.length), 1),
    scanWhole(text: string): FoundSpan[] {
      const spans: FoundSpan[] = detector.detect(text);
      return manualScan === undefined ? spans : mergeFound([...spans, ...manualScan(text)], generic);
    },
    isGeneric: (rule) => generic.has(rule),
  };
}

function ruleTier(rules: readonly Rule[]): ScanTier {
  const detector = createDetector(rules);
  const alwaysOn = rules.some((r) => r.keywords.length === 0);
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
  return {
    reach: detector.maxLength,
    keywords: alwaysOn ? undefined : new KeywordIndex(keywords),
    scan: (text) => detector.detect(text),
  };
}

function manualTier(manual: readonly string[]): ScanTier {
  const literals = manual.filter((m) => m.length > 0);
  // The index folds case, so it is a superset filter for these case-sensitive literals: fine for
  // deciding when a window can be skipped.
  return {
    reach: literals.reduce((m, k) => Math.max(m, k.length), 1),
    keywords: new KeywordIndex([...new Set(literals.map((k) => k.toLowerCase()))]),
    scan: manualScanner(manual),
  };
}

/**
 * Finds the redact-everywhere texts, case-sensitively (the reviewer selected this exact text).
 * The rule id carries the 1-based index so each text keeps its own placeholder number.
 */
function manualScanner(manual: readonly string[]): (text: string) => FoundSpan[] {
  return (text) => {
    const out: FoundSpan[] = [];
    manual.forEach((lit, k) => {
      if (lit.length === 0) {
        return;
      }
      for (let at = text.indexOf(lit); at >= 0; at = text.indexOf(lit, at + lit.length)) {
        out.push({ start: at, end: at + lit.length, rule: manualRuleId(k + 1), kind: MANUAL_KIND });
      }
    });
    return out.sort((a, b) => a.start - b.start || b.end - a.end);
  };
}

/** Internal rule id of the n-th redact-everywhere text (reported as `manual-reviewer`). */
export function manualRuleId(n: number): string {
  return `${MANUAL_RULE}#${n}`;
}

/** The 1-based index of a redact-everywhere rule id, or undefined for a detector rule. */
export function manualIndex(rule: string): number | undefined {
  if (!rule.startsWith(`${MANUAL_RULE}#`)) {
    return undefined;
  }
  const n = Number(rule.slice(MANUAL_RULE.length + 1));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Priority of kinds when overlapping spans merge: as the detector's, with the reviewer's texts after PII. */
export const KIND_RANK: Readonly<Record<string, number>> = { secret: 5, pii: 4, manual: 3, identity: 2, path: 1 };

/**
 * Merges overlapping spans into sorted, non-overlapping ones covering their union, labelled by the
 * preferred member (kind, then provider-specific over generic, then longer, then earlier) — the
 * detector's own rule, so a string and a document spell a cluster the same way.
 */
export function mergeFound(spans: readonly FoundSpan[], generic: ReadonlySet<string>): FoundSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  const out: FoundSpan[] = [];
  let best: FoundSpan | undefined;
  let start = 0;
  let end = 0;
  const better = (a: FoundSpan, b: FoundSpan): boolean => {
    const ka = KIND_RANK[a.kind] ?? 0;
    const kb = KIND_RANK[b.kind] ?? 0;
    if (ka !== kb) {
      return ka > kb;
    }
    const ga = generic.has(a.rule);
    if (ga !== generic.has(b.rule)) {
      return !ga;
    }
    return a.end - a.start > b.end - b.start;
  };
  for (const s of sorted) {
    if (best !== undefined && s.start < end) {
      end = Math.max(end, s.end);
      if (better(s, best)) {
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
