/**
 * The detector engine. Per text: ONE pass of the keyword automaton (`keywords.ts`) finds which
 * rule keywords occur, and where; only the rules with a keyword present (plus the few keyword-less
 * ones) run. A rule whose matches provably start at a fixed distance from its keyword (`anchors`, anchor.ts:
 * `token…`, `key(?<=api_key)…`) is tried only there, with a sticky regex, while its keyword is
 * sparse; any other rule runs its regex over the whole text. The spans they report are merged into
 * sorted, non-overlapping spans (`mergeSpans`). Rules are data (`rules/*.ts`), so the engine knows
 * nothing of any provider.
 *
 * Gating is per scanned text: a caller rescanning a window around an edit (see `maxLength`) gets
 * the window's keywords, not the document's.
 */
import { identityRules } from './identity';
import type { MachineIdentity } from './identity';
import { KeywordAutomaton } from './keywords';
import { mergeOverlapping, sortSpans } from './merge';
import { pathRules } from './paths';
import { maxPatternLength, scanFlags } from './rule';
import { builtinRules } from './rules/index';
import type { Rule, Span, SpanKind } from './types';

/** Options of `detect` and `Detector.detect`. */
export interface ScanOptions {
  /**
   * Merge overlapping spans into non-overlapping ones (default true). False returns every rule's
   * raw spans, sorted — useful to see which rules fired.
   */
  readonly merge?: boolean;
}

/** Options of the one-shot `detect`. */
export interface DetectOptions extends ScanOptions {
  /** Replaces the built-in rule set. */
  readonly rules?: readonly Rule[];
  /** Adds `identityRules(identity)`. */
  readonly identity?: MachineIdentity;
  /** Adds `pathRules(workspaceRoots)`: absolute paths outside these roots become spans. */
  readonly workspaceRoots?: readonly string[];
}

/** Options of `createDetector`. */
export interface DetectorOptions {
  /**
   * How rules anchored on their keyword are scanned: `auto` (default) tries them at their keyword
   * occurrences while those are sparse and scans the whole text otherwise; `whole` always scans
   * the whole text; `anchored` always tries only the occurrences. All three give the same spans
   * (the tests hold them to it); only speed differs.
   */
  readonly scan?: 'auto' | 'whole' | 'anchored';
}

/** A rule set compiled once (keyword automaton) and reused for many texts. */
export interface Detector {
  readonly rules: readonly Rule[];
  /** `maxPatternLength(rules)`: how far a rescan window must extend around an edit. */
  readonly maxLength: number;
  detect(text: string, options?: ScanOptions): Span[];
}

/**
 * Priority of a span's kind when overlapping spans merge: a secret label beats personal data,
 * which beats identity and paths (a token that happens to contain the username is still a token).
 */
export const KIND_RANK: Readonly<Record<SpanKind, number>> = { secret: 4, pii: 3, identity: 2, path: 1 };

interface Candidate extends Span {
  readonly generic: boolean;
}

/**
 * A sticky attempt costs about as much as the global scan of this many characters (measured:
 * ~60 ns per attempt, ~0.3–0.8 ns per scanned character): a rule runs at its keyword occurrences
 * only while it has fewer than one per this many characters of text.
 */
const STICKY_CHARS_PER_ATTEMPT = 64;

/** How one rule is scanned: its regexes and, when proven (anchor.ts), where its matches start. */
interface RulePlan {
  readonly rule: Rule;
  readonly generic: boolean;
  /** Ids (in the detector's keyword list) of the rule's keywords; empty: always runs. */
  readonly keywordIds: readonly number[];
  /** The pattern with the scan flags (`g`), for a scan of the whole text. */
  readonly global: RegExp;
  /** The pattern with `y` instead of `g`, for attempts at keyword occurrences; undefined: not anchored. */
  readonly sticky: RegExp | undefined;
  /**
   * Anchored, and every match starts with one literal, which V8 finds natively — so a scan of
   * the whole text is cheaper than reading the rest of it with the automaton to locate its
   * occurrences (see the keyword pass).
   */
  readonly cheapWhole: boolean;
  /** Anchors as parallel arrays: a match may start at `end + anchorDelta[i]` of an occurrence of keyword `anchorIds[i]`. */
  readonly anchorIds: Int32Array;
  readonly anchorDeltas: Int32Array;
}

/** Builds a detector over `rules`; build once per rule set, not per text. */
export function createDetector(rules: readonly Rule[], options?: DetectorOptions): Detector {
  const mode = options?.scan ?? 'auto';
  const keywordIds = new Map<string, number>();
  const idOf = (k: string): number => {
    let id = keywordIds.get(k);
    if (id === undefined) {
      id = keywordIds.size;
      keywordIds.set(k, id);
    }
    return id;
  };
  const plans: RulePlan[] = rules.map((rule) => {
    const ids = rule.keywords.map(idOf);
    const anchors = rule.anchors;
    // Anchors on one-character keywords are useless: those are found with indexOf, not located.
    const located = mode !== 'whole' && anchors !== undefined && anchors.length > 0 && anchors.every((a) => a.keyword.length > 1);
    const flags = scanFlags(rule);
    return {
      rule,
      generic: rule.generic === true,
      keywordIds: ids,
      global: new RegExp(rule.pattern.source, flags),
      sticky: located ? new RegExp(rule.pattern.source, flags.replace('g', 'y')) : undefined,
      cheapWhole: located && mode === 'auto' && rule.literalPrefix !== undefined,
      anchorIds: Int32Array.from(located ? anchors.map((a) => idOf(a.keyword)) : []),
      anchorDeltas: Int32Array.from(located ? anchors.map((a) => a.delta) : []),
    };
  });
  const keywords = [...keywordIds.keys()];
  const count = keywords.length;
  // One-character keywords (`@`, `:`) are frequent in source: in the automaton they would take its
  // "keyword found" branch every few characters, so native indexOf answers for them instead.
  const singles: [number, string, string][] = [];
  const multi: number[] = [];
  keywords.forEach((k, id) => {
    const lower = k.toLowerCase();
    if (lower.length === 1) {
      singles.push([id, lower, lower.toUpperCase()]);
    } else {
      multi.push(id);
    }
  });
  const automaton = new KeywordAutomaton(multi.map((id) => keywords[id]));
  // For each keyword: the rules it makes run, and the anchored rules it anchors (with how many of
  // their anchors it is: one per distance).
  const rulesOf: number[][] = keywords.map(() => []);
  const anchorsOf: number[][] = keywords.map(() => []);
  plans.forEach((plan, r) => {
    for (const id of new Set(plan.keywordIds)) {
      rulesOf[id].push(r);
    }
    plan.anchorIds.forEach((id) => anchorsOf[id].push(r));
  });
  const located = Uint8Array.from(anchorsOf, (list) => (list.length > 0 ? 1 : 0));
  const keywordless = plans.filter((p) => p.keywordIds.length === 0).length;
  // Rules whose keywords are all one character long: decided once those are looked up.
  const singleOnly = plans.flatMap((p, r) => (p.keywordIds.length > 0 && p.keywordIds.every((id) => keywords[id].length === 1) ? [r] : []));

  // Scratch state of one `detect` call, reused by the next: nothing is allocated per call for the
  // keyword pass. Arrays are stamped with `epoch`, so nothing needs clearing between calls:
  // `seen[id] === epoch` marks keyword `id` present, `runs[r] === epoch` rule `r` to run. The
  // occurrences of anchor keywords are chained per keyword (`first`, `last`, `next`, `ends`), up
  // to `cap` of them; `attempts[r]` counts the candidate starts of anchored rule `r`.
  //
  // The pass stops once every rule's fate is known — a rule without anchors as soon as one of its
  // keywords is seen, an anchored one once it has `cap` candidates (it will scan the whole text),
  // or at once if a scan of the whole text is cheap for it (`cheapWhole`) — which only a detector
  // of a few rules reaches (a redaction tier, a rule alone): on text dense with its keyword, or
  // with its keyword once and then a megabyte of anything, a rule alone reads only the start.
  // When the pass stopped early, anchored rules scan the whole text (their occurrences are not
  // all chained); when it read everything, they are tried at their occurrences as usual.
  const seen = new Int32Array(count);
  const hits = new Int32Array(count);
  const first = new Int32Array(count);
  const last = new Int32Array(count);
  const runs = new Int32Array(plans.length);
  const attempts = new Int32Array(plans.length);
  const decidedAt = new Int32Array(plans.length);
  let epoch = 0;
  let ends: Int32Array = new Int32Array(256);
  let next: Int32Array = new Int32Array(256);
  let used = 0;
  let starts: Int32Array = new Int32Array(256);
  let cap = 0;
  let decided = 0;
  let stopped = false;
  const decide = (r: number): void => {
    if (decidedAt[r] !== epoch) {
      decidedAt[r] = epoch;
      decided++;
    }
  };
  /** Marks keyword `id` present (first occurrence) and the rules it makes run. */
  const see = (id: number): void => {
    seen[id] = epoch;
    hits[id] = 0;
    first[id] = -1;
    for (const r of rulesOf[id]) {
      if (runs[r] !== epoch) {
        runs[r] = epoch;
        attempts[r] = 0;
        if (plans[r].sticky === undefined || plans[r].cheapWhole) {
          decide(r);
        }
      }
    }
  };
  const onHit = (automatonId: number, end: number): boolean => {
    const id = multi[automatonId];
    if (seen[id] !== epoch) {
      see(id);
    }
    if (located[id] === 0 || hits[id] >= cap) {
      return decided === plans.length;
    }
    hits[id]++;
    if (used === ends.length) {
      ends = grow(ends);
      next = grow(next);
    }
    ends[used] = end;
    next[used] = -1;
    if (first[id] < 0) {
      first[id] = used;
    } else {
      next[last[id]] = used;
    }
    last[id] = used;
    used++;
    for (const r of anchorsOf[id]) {
      if (++attempts[r] === cap) {
        decide(r); // too many to try one by one: it scans the whole text
      }
    }
    return decided === plans.length;
  };

  /** The keyword pass: marks the rules to run and chains the anchors' occurrences. */
  const findKeywords = (text: string): void => {
    epoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    if (epoch === 1) {
      seen.fill(0);
      runs.fill(0);
      decidedAt.fill(0);
    }
    used = 0;
    decided = keywordless;
    stopped = false;
    // In `auto` mode, a rule is tried at its keyword occurrences only while it has fewer than
    // one per STICKY_CHARS_PER_ATTEMPT characters.
    cap = mode === 'auto' ? Math.floor(text.length / STICKY_CHARS_PER_ATTEMPT) + 1 : 0x7fffffff;
    if (text.length === 0) {
      return;
    }
    // One-character keywords first (native search, GB/s), so their rules are decided before the
    // automaton runs.
    for (const [id, lower, upper] of singles) {
      if (text.includes(lower) || (upper !== lower && text.includes(upper))) {
        see(id);
      }
    }
    for (const r of singleOnly) {
      decide(r);
    }
    if (multi.length > 0) {
      // Stopped (early or before it began): anchored rules scan the whole text.
      stopped = decided === plans.length || automaton.find(text, onHit);
    }
  };

  /** Sorted candidate starts of `plan` in `[0, length]` (into `starts`); their count. */
  const candidateStarts = (plan: RulePlan, length: number): number => {
    let n = 0;
    let sorted = true;
    for (let a = 0; a < plan.anchorIds.length; a++) {
      const id = plan.anchorIds[a];
      if (seen[id] !== epoch) {
        continue;
      }
      const delta = plan.anchorDeltas[a];
      for (let h = first[id]; h >= 0; h = next[h]) {
        const x = ends[h] + delta;
        if (x < 0 || x > length) {
          continue;
        }
        if (n === starts.length) {
          starts = grow(starts);
        }
        if (n > 0 && x < starts[n - 1]) {
          sorted = false;
        }
        starts[n++] = x;
      }
    }
    if (!sorted) {
      starts.subarray(0, n).sort();
    }
    return n;
  };

  return {
    rules,
    maxLength: maxPatternLength(rules),
    detect(text: string, options?: ScanOptions): Span[] {
      findKeywords(text);
      const candidates: Candidate[] = [];
      for (let r = 0; r < plans.length; r++) {
        const plan = plans[r];
        if (plan.keywordIds.length > 0 && runs[r] !== epoch) {
          continue;
        }
        if (plan.sticky !== undefined && attempts[r] < cap && !stopped) {
          const n = candidateStarts(plan, text.length); // may grow `starts`
          scanAt(plan, plan.sticky, text, starts, n, candidates);
        } else {
          scanAll(plan, text, candidates);
        }
      }
      return options?.merge === false ? sortSpans(candidates).map(stripCandidate) : mergeCandidates(candidates);
    },
  };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Reports the match `m` of `plan`'s rule (its secret group, if any) when it validates. */
function report(plan: RulePlan, m: RegExpExecArray, out: Candidate[]): void {
  const rule = plan.rule;
  if (rule.validate && !rule.validate(m)) {
    return;
  }
  let start = m.index;
  let end = m.index + m[0].length;
  if (rule.secretGroup !== undefined) {
    const range = m.indices?.[rule.secretGroup];
    if (!range) {
      return; // the secret group did not take part in this match
    }
    [start, end] = range;
  }
  if (end > start) {
    out.push({ start, end, rule: rule.id, kind: rule.kind, generic: plan.generic });
  }
}

/** Scans the whole text: every match, left to right, each search resuming where a match ended. */
function scanAll(plan: RulePlan, text: string, out: Candidate[]): void {
  const re = plan.global;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++; // cannot happen for a defined rule (minLength ≥ 1), but never spin
    }
    report(plan, m, out);
  }
  re.lastIndex = 0;
}

/**
 * Tries the sticky regex at the sorted candidate `starts[0..n)` only. Same matches as `scanAll`
 * because every position where the pattern can match is a candidate (anchor.ts proves it): a
 * start inside the previous match is skipped, as the global scan would resume after it.
 */
function scanAt(plan: RulePlan, re: RegExp, text: string, starts: Int32Array, n: number, out: Candidate[]): void {
  let resume = 0;
  for (let i = 0; i < n; i++) {
    const x = starts[i];
    if (x < resume) {
      continue;
    }
    re.lastIndex = x;
    const m = re.exec(text);
    if (m !== null) {
      resume = x + Math.max(1, m[0].length);
      report(plan, m, out);
    }
  }
  re.lastIndex = 0;
}

function stripCandidate(c: Candidate): Span {
  return { start: c.start, end: c.end, rule: c.rule, kind: c.kind };
}

/**
 * Merges overlapping spans into sorted, non-overlapping ones (`mergeOverlapping` in merge.ts).
 *
 * Choice: a cluster of overlapping spans becomes ONE span covering their union, labelled by the
 * preferred member — higher kind (secret > pii > identity > path), then provider-specific over
 * generic, then longer, then earlier, then rule id (so the result is deterministic). Union rather
 * than "keep the winner, drop the rest": dropping a partly-overlapping span would leave its
 * non-overlapping part unredacted, and on this side of the wire over-redaction is the safe error.
 * Spans that merely touch (`a.end === b.start`) stay separate.
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  // Outside the engine the generic flag is unknown: rank on kind, length and position only.
  return mergeOverlapping([...spans], KIND_RANK, () => false);
}

function mergeCandidates(candidates: Candidate[]): Span[] {
  return mergeOverlapping(candidates, KIND_RANK, (c) => c.generic);
}

/** The detector over the built-in rules (secrets + personal data), built once at load. */
export const defaultDetector: Detector = createDetector(builtinRules);

/**
 * Detects secrets and personal data in `text`: sorted, non-overlapping spans (see `mergeSpans`).
 * With `identity` or `workspaceRoots`, a detector is built for this call — callers scanning many
 * texts should `createDetector` once instead.
 */
export function detect(text: string, options?: DetectOptions): Span[] {
  if (!options?.rules && !options?.identity && !options?.workspaceRoots) {
    return defaultDetector.detect(text, options);
  }
  const rules = [
    ...(options.rules ?? builtinRules),
    ...(options.identity ? identityRules(options.identity) : []),
    ...(options.workspaceRoots ? pathRules(options.workspaceRoots) : []),
  ];
  return createDetector(rules).detect(text, options);
}
