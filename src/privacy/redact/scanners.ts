import { createDetector } from '../detect';
import type { Detector } from '../detect';
import type { Rule, SpanKind } from '../types';
import { KeywordAutomaton } from '../keywords';
import { mergeOverlapping } from '../merge';
import { MANUAL_KIND, MANUAL_RULE } from './placeholders';

/**
 * Scanning for redaction: the rules cut into tiers by reach, plus the reviewer's
 * redact-everywhere texts.
 *
 * Why tiers: a rescan window after an edit must be widened by the longest text a rule can decide
 * on, and that is very uneven — most provider tokens need ≤ 128 characters, but the PEM rule may
 * look 16 k characters ahead and the GCP service-account rule 24 k. One window widened by the
 * detector's `maxLength` would scan a whole 50 KB document per keystroke. Each tier instead gets a
 * window widened by its own reach, and is skipped altogether when none of its keywords can be in
 * that window (the keyword zones in scanPass.ts): a `private key` three screens away from the cursor
 * costs nothing while typing.
 *
 * All tiers share one keyword automaton (../keywords.ts, the detector's own), used both to learn
 * which tiers an edit may concern and to test windows.
 */

/** A span found by a scanner: a detector span, or a redact-everywhere text (kind `manual`). */
export interface FoundSpan {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
  readonly kind: SpanKind | typeof MANUAL_KIND;
  /**
   * The value the placeholder is keyed by, when it is not the span's own text: a spread hit on an
   * encoded form (base64, URL-encoded, JSON-escaped) of a detected value (spread.ts).
   */
  readonly value?: string;
}

/** One group of rules scanned together over windows of the same reach. */
export interface ScanTier {
  /** How far a rescan window around a change must extend on each side for this tier. */
  readonly reach: number;
  /** Ids (in `ScanSet.keywords`) of the tier's keywords; undefined when it must always be scanned. */
  readonly keywordIds: readonly number[] | undefined;
  /** Spans in `text` (already masked), sorted and non-overlapping within the tier. */
  scan(text: string): FoundSpan[];
}

/** The full scanning setup of a redactor. Immutable: one can serve any number of runs. */
export interface ScanSet {
  readonly tiers: readonly ScanTier[];
  /** Keywords of all tiers. */
  readonly keywords: KeywordAutomaton;
  /** For each keyword of `keywords`, the tiers that use it. */
  readonly keywordTiers: readonly (readonly number[])[];
  /** Longest keyword (a keyword created by an edit lies within this of the changed range). */
  readonly maxKeywordLength: number;
  /** Whole-text scan: one detector over all rules (plus the redact-everywhere texts).  */
  scanWhole(text: string): FoundSpan[];
  /** Whether rule `id` is a generic heuristic (a provider-specific label is preferred). */
  isGeneric(rule: string): boolean;
}

/** Smallest tier reach: rules up to 64 characters share one tier. */
const MIN_BAND = 6;

/**
 * Builds a `ScanSet` one piece at a time (each tier's detector, then the keyword index), so an
 * asynchronous caller can yield between pieces; `createScanSet` runs it to the end.
 */
export class ScanSetBuilder {
  private readonly bands: Rule[][];
  private readonly tierRules: (readonly Rule[] | undefined)[] = [];
  private readonly scans: ((text: string) => FoundSpan[])[] = [];
  private readonly reaches: number[] = [];
  private whole: Detector | undefined;
  private built: ScanSet | undefined;

  /**
   * @param whole A detector over exactly `rules`, if one exists already (the built-in one): used
   * for whole-text scans. Otherwise one is built as a step of its own.
   */
  constructor(
    private readonly rules: readonly Rule[],
    private readonly manual: readonly string[],
    whole?: Detector,
  ) {
    this.whole = whole;
    // Rules without keywords (IPv4, card numbers) and rules with a one-character keyword (`:` for
    // IPv6, `@` for e-mail, `/` for paths) get tiers of their own: they are scanned around almost
    // every edit, and the other rules of their band need not come along each time.
    const byBand = new Map<number, Rule[]>();
    for (const rule of rules) {
      const band = Math.max(MIN_BAND, Math.ceil(Math.log2(Math.max(1, rule.maxLength))));
      const kind = rule.keywords.length === 0 ? 0 : rule.keywords.some((k) => k.length === 1) ? 1 : 2;
      const key = band * 4 + kind;
      const list = byBand.get(key) ?? [];
      list.push(rule);
      byBand.set(key, list);
    }
    this.bands = [...byBand.keys()].sort((a, b) => a - b).map((band) => byBand.get(band)!);
  }

  /** Builds the next piece; false once the set is complete. */
  step(): boolean {
    if (this.built !== undefined) {
      return false;
    }
    if (this.whole === undefined) {
      // Whole texts (snapshots, final states, strings) are scanned by ONE detector over all
      // rules: running every tier over a whole text costs each tier's fixed overhead again —
      // measured 10–15× slower on 100 KB of code.
      this.whole = createDetector(this.rules);
      return true;
    }
    const next = this.scans.length;
    if (next < this.bands.length) {
      const rules = this.bands[next];
      const detector = createDetector(rules);
      // Compile the tier's regexes now (V8 compiles a regex on its first run), so the first
      // keystrokes of a run do not pay for it; the keywords make every rule of the tier run. Twice:
      // close together, each rule scans the whole text (its global regex); far apart, the
      // anchored rules are tried at their keywords (their sticky regex, see detect.ts).
      const words = rules.flatMap((r) => r.keywords);
      detector.detect(words.join(' \n '));
      detector.detect(words.join(`\n${' '.repeat(128)}\n`));
      this.scans.push((text) => detector.detect(text));
      this.reaches.push(detector.maxLength);
      this.tierRules.push(rules);
      return true;
    }
    const literals = this.manual.filter((m) => m.length > 0);
    if (literals.length > 0 && next === this.bands.length) {
      this.scans.push(manualScanner(this.manual));
      this.reaches.push(literals.reduce((m, k) => Math.max(m, k.length), 1));
      this.tierRules.push(undefined);
      return true;
    }
    this.built = this.finish(literals);
    return false;
  }

  result(): ScanSet {
    while (this.step()) {
      // builds what is left
    }
    return this.built!;
  }

  private finish(literals: readonly string[]): ScanSet {
    const all: string[] = [];
    const ids = new Map<string, number>();
    const keywordTiers: number[][] = [];
    const idOf = (k: string, t: number): number => {
      let id = ids.get(k);
      if (id === undefined) {
        id = all.length;
        ids.set(k, id);
        all.push(k);
        keywordTiers.push([]);
      }
      if (!keywordTiers[id].includes(t)) {
        keywordTiers[id].push(t);
      }
      return id;
    };
    const tiers: ScanTier[] = this.scans.map((scan, t) => {
      const rules = this.tierRules[t];
      // The index folds case, so for the case-sensitive manual texts it is a superset filter:
      // fine for deciding when a window can be skipped.
      const words = rules === undefined ? literals.map((k) => k.toLowerCase()) : rules.flatMap((r) => r.keywords);
      const alwaysOn = rules !== undefined && rules.some((r) => r.keywords.length === 0);
      const keywordIds = [...new Set(words.map((k) => idOf(k, t)))];
      return { reach: this.reaches[t], keywordIds: alwaysOn ? undefined : keywordIds, scan };
    });
    const generic = new Set(this.rules.filter((r) => r.generic === true).map((r) => r.id));
    const whole = this.whole!;
    const manualScan = literals.length > 0 ? manualScanner(this.manual) : undefined;
    return {
      tiers,
      keywords: new KeywordAutomaton(all),
      keywordTiers,
      maxKeywordLength: all.reduce((m, k) => Math.max(m, k.length), 1),
      scanWhole(text: string): FoundSpan[] {
        const spans: FoundSpan[] = whole.detect(text);
        return manualScan === undefined ? spans : mergeFound([...spans, ...manualScan(text)], generic);
      },
      isGeneric: (rule) => generic.has(rule),
    };
  }
}

/** Builds the tiers for `rules` and the redact-everywhere texts `manual`. */
export function createScanSet(rules: readonly Rule[], manual: readonly string[], whole?: Detector): ScanSet {
  return new ScanSetBuilder(rules, manual, whole).result();
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
 * preferred member — the detector's own policy (`mergeOverlapping` in merge.ts, as `mergeSpans`):
 * kind, then provider-specific over generic, then longer, then earlier, then rule id.
 */
export function mergeFound(spans: readonly FoundSpan[], generic: ReadonlySet<string>): FoundSpan[] {
  return mergeOverlapping([...spans], KIND_RANK, (s) => generic.has(s.rule));
}
