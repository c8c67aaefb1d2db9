/**
 * The detector engine. Per text: ONE pass of the keyword automaton (`keywords.ts`) finds which
 * rule keywords occur; only the rules with a keyword present (plus the few keyword-less ones) run
 * their regex over the text; the spans they report are merged into sorted, non-overlapping spans
 * (`mergeSpans`). Rules are data (`rules/*.ts`), so the engine knows nothing of any provider.
 *
 * Gating is per scanned text: a caller rescanning a window around an edit (see `maxLength`) gets
 * the window's keywords, not the document's.
 */
import { identityRules } from './identity';
import type { MachineIdentity } from './identity';
import { KeywordIndex } from './keywords';
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

/** Builds a detector over `rules`; build once per rule set, not per text. */
export function createDetector(rules: readonly Rule[]): Detector {
  const keywordIds = new Map<string, number>();
  const ruleKeywordIds: number[][] = [];
  rules.forEach((rule) => {
    const ids: number[] = [];
    for (const k of rule.keywords) {
      let id = keywordIds.get(k);
      if (id === undefined) {
        id = keywordIds.size;
        keywordIds.set(k, id);
      }
      ids.push(id);
    }
    ruleKeywordIds.push(ids);
  });
  const index = new KeywordIndex([...keywordIds.keys()]);
  // One regex per rule with the scan flags; each scan clones it (below), so the detector — which
  // may be a module-level constant — never carries a lastIndex from one call into the next.
  const compiled = rules.map((r) => new RegExp(r.pattern.source, scanFlags(r)));
  const maxLength = maxPatternLength(rules);

  return {
    rules,
    maxLength,
    detect(text: string, options?: ScanOptions): Span[] {
      const found = text.length === 0 ? new Uint8Array(0) : index.present(text);
      const candidates: Candidate[] = [];
      for (let ri = 0; ri < rules.length; ri++) {
        const ids = ruleKeywordIds[ri];
        let run = ids.length === 0;
        for (let k = 0; k < ids.length && !run; k++) {
          run = found[ids[k]] === 1;
        }
        if (run) {
          scanRule(rules[ri], compiled[ri], text, candidates);
        }
      }
      return options?.merge === false ? sortSpans(candidates).map(stripCandidate) : mergeCandidates(candidates);
    },
  };
}

function scanRule(rule: Rule, template: RegExp, text: string, out: Candidate[]): void {
  const re = new RegExp(template); // cheap: V8 shares the compiled code; fresh lastIndex
  const group = rule.secretGroup;
  const generic = rule.generic === true;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++; // cannot happen for a defined rule (minLength ≥ 1), but never spin
    }
    if (rule.validate && !rule.validate(m)) {
      continue;
    }
    let start = m.index;
    let end = m.index + m[0].length;
    if (group !== undefined) {
      const range = m.indices?.[group];
      if (!range) {
        continue; // the secret group did not take part in this match
      }
      [start, end] = range;
    }
    if (end > start) {
      out.push({ start, end, rule: rule.id, kind: rule.kind, generic });
    }
  }
}

function sortSpans<T extends Span>(spans: T[]): T[] {
  return spans.sort((a, b) => a.start - b.start || b.end - a.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

function stripCandidate(c: Candidate): Span {
  return { start: c.start, end: c.end, rule: c.rule, kind: c.kind };
}

/** True when `a` should label a merged cluster rather than `b`. */
function prefer(a: Candidate, b: Candidate): boolean {
  const ka = KIND_RANK[a.kind];
  const kb = KIND_RANK[b.kind];
  if (ka !== kb) {
    return ka > kb;
  }
  if (a.generic !== b.generic) {
    return !a.generic;
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
}

/**
 * Merges overlapping spans into sorted, non-overlapping ones.
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
  return mergeCandidates(spans.map((s) => ({ ...s, generic: false })));
}

function mergeCandidates(candidates: Candidate[]): Span[] {
  const sorted = sortSpans(candidates);
  const out: Span[] = [];
  let best: Candidate | undefined;
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
