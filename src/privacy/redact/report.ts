/**
 * What a redaction run reports. Never a redacted value: rule ids, kinds, placeholders, counts,
 * (redacted) file paths, field names and seqs only. The first three fields have the shape the
 * bundle manifest carries (src/bundle/types.ts `BundleRedactionReport`).
 */

/** Engine name and version written to bundle manifests. */
export const REDACTION_ENGINE = 'candor-redact 1';

/** One rule's findings. */
export interface RuleFinding {
  /** Rule id, e.g. `github-pat`; `manual-reviewer` for the reviewer's redact-everywhere texts. */
  readonly rule: string;
  /** `secret`, `pii`, `identity`, `path` or `manual`. */
  readonly kind: string;
  /** Distinct values this rule replaced (one placeholder each). */
  readonly values: number;
  /**
   * Occurrences rewritten, counted per fragment (snapshot text, edit text, other string): a
   * fragment counts once for each occurrence it holds whole or in part, so a value twice in one
   * snapshot counts 2, and a value typed key by key counts once per key event.
   */
  readonly occurrences: number;
}

/** One placeholder: what it stands for, never the value. */
export interface PlaceholderReport {
  readonly placeholder: string;
  readonly rule: string;
  readonly kind: string;
  /** Documents (redacted paths, sorted) whose text held the value in some version. */
  readonly files: readonly string[];
  /** Other event fields that held it (`term.cmd`, `term.out`, `git.branch`, `path`, …), sorted. */
  readonly fields: readonly string[];
  /** Seq of the event at which it was first seen. */
  readonly firstSeq: number;
  readonly occurrences: number;
}

export interface RedactionReport {
  readonly engine: string;
  /** Per rule, sorted by rule id; rules that found nothing are left out. */
  readonly findings: readonly RuleFinding[];
  /** Events whose content was rewritten (re-hashed checkpoints and translated selections included). */
  readonly eventsChanged: number;
  /** In numbering order (order of first detection). */
  readonly placeholders: readonly PlaceholderReport[];
  /** Document lifetimes (snapshot to replacement, deletion or end) whose text was rewritten. */
  readonly documentsRedacted: number;
}
