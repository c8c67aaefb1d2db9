/**
 * Shapes of the bundle format v1: the manifest, the reviewer's actions, the redactor seam and the
 * reading limits. Plain data, no VS Code: the extension, the `candor` CLI and the collector share
 * this folder. docs/bundle-format.md and docs/bundle.schema.json describe the same shapes for
 * readers without Candor; test/unit/bundle/schema.test.ts keeps them in step.
 */
import type { ConsentReceipt } from '../consent/consentMachine';
import type { EventType, LoggedEvent } from '../model/events';

/** The format version this code writes and the only one it reads. */
export const BUNDLE_FORMAT_VERSION = 1;

/** One rule's findings in the redaction report. */
export interface RedactionFinding {
  /** Rule id, e.g. `github-pat`; `manual-reviewer` for the reviewer's redact-everywhere texts. */
  readonly rule: string;
  /** What it hides: `secret`, `pii`, `identity`, `path` or `manual`. */
  readonly kind: string;
  /** Distinct values this rule replaced (one placeholder each). */
  readonly values: number;
  /** Occurrences rewritten (snapshot fragments, edit texts, strings). */
  readonly occurrences: number;
}

/** What redaction did, as carried in the manifest. Never contains a redacted value. */
export interface BundleRedactionReport {
  /** Which engine ran, e.g. `candor-redact 1`. `none` only in tests (identity redactor). */
  readonly engine: string;
  /** Per rule, sorted by rule id; rules that found nothing are left out. */
  readonly findings: readonly RedactionFinding[];
  /** Events whose content the redactor rewrote (checkpoints re-hashed included). */
  readonly eventsChanged: number;
}

export interface RedactOptions {
  /**
   * Texts the reviewer asked to redact everywhere, in the order asked: the n-th (1-based) is
   * replaced by `«manual:reviewer#n»` wherever it appears in any version of any document (also
   * when it was typed key by key) and in every other string.
   */
  readonly manual: readonly string[];
  readonly signal?: AbortSignal;
  /** Fraction done in [0, 1]; called now and then, never per event. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RedactorOutput {
  /** Same seqs, in the same order (a redactor rewrites content; it never adds or drops events). */
  readonly events: LoggedEvent[];
  readonly report: BundleRedactionReport;
}

/**
 * The seam to the on-device redaction engine (src/privacy/redact). The bundle code only needs
 * this, so it can be tested with a fake and so the engine can run in the same worker.
 */
export interface Redactor {
  redact(events: readonly LoggedEvent[], options: RedactOptions): Promise<RedactorOutput>;
}

/**
 * A reviewer's action in the preview, with its parameters. Kept with the build input on the
 * device (the redact-everywhere text must never leave it); the manifest records only a
 * `ManifestReviewerAction` for each.
 */
export type ReviewerAction =
  | { readonly action: 'drop-event'; readonly seqs: readonly number[]; readonly at: string }
  | { readonly action: 'drop-file'; readonly file: string; readonly at: string }
  /** Events with `fromTs <= ts <= toTs` (milliseconds since the epoch). */
  | { readonly action: 'drop-range'; readonly fromTs: number; readonly toTs: number; readonly at: string }
  | { readonly action: 'redact-everywhere'; readonly text: string; readonly at: string };

export type ReviewerActionKind = ReviewerAction['action'];

export const REVIEWER_ACTION_KINDS: readonly ReviewerActionKind[] = ['drop-event', 'drop-file', 'drop-range', 'redact-everywhere'];

/** A reviewer action as the manifest records it: what was done, never the text that was hidden. */
export interface ManifestReviewerAction {
  readonly action: ReviewerActionKind;
  /** Human-readable: the seqs, the time range, or the placeholder. Never a path or a redacted text. */
  readonly detail: string;
  /** ISO 8601 time of the action. */
  readonly at: string;
  /** Events this action removed, including those removed to keep replay consistent. */
  readonly removed: number;
}

/** Per-file event count in the manifest. */
export interface ManifestFile {
  readonly f: string;
  readonly events: number;
}

/** Files a policy left out, per reason (counts only: a path can itself be private). */
export interface ManifestPolicyFiles {
  /** Matched one of the policy's exclusion globs. */
  readonly excluded: number;
  /** In a folder the policy does not allow (e.g. licence not on its allow-list), or in none. */
  readonly ineligible: number;
  readonly gitignored: number;
  readonly binary: number;
  readonly 'too-large': number;
}

/** The policy applied again at bundle time, and what it removed. */
export interface ManifestPolicyExclusions {
  /** The version of the policy applied (the team's when there is one). */
  readonly version: string;
  /** Events left out because they named a file the policy does not allow (or depended on one). */
  readonly events: number;
  /** Events left out, or terminal outputs stripped, because the policy does not allow their category. */
  readonly outsideCategories: number;
  readonly files: ManifestPolicyFiles;
}

export interface BundleManifest {
  /** Always 1 in this version (also in the header line). */
  readonly format: 1;
  /** ISO 8601 (UTC, milliseconds, `Z`), as given to the builder. */
  readonly createdAt: string;
  /** Version of the Candor that built the bundle. */
  readonly extensionVersion: string;
  /** Version of the (team) recording policy in force when the bundle was built. */
  readonly policyVersion: string;
  /** The developer's consent: a bundle without one is invalid. */
  readonly consent: ConsentReceipt;
  readonly source: {
    /** Session ids of the `session` events in the bundle, in order of first appearance. */
    readonly sessions: readonly string[];
    /** Seqs of the first and last event (absent in an empty bundle). */
    readonly firstSeq?: number;
    readonly lastSeq?: number;
  };
  /** Smallest and largest `ts` of the events (absent in an empty bundle). */
  readonly range?: { readonly firstTs: number; readonly lastTs: number };
  readonly counts: {
    readonly events: number;
    /** Events per type; types with no event are left out. */
    readonly byType: Readonly<Partial<Record<EventType, number>>>;
  };
  /** Files the events name, sorted by path, with the number of events naming each. */
  readonly files: readonly ManifestFile[];
  readonly exclusions: {
    /** Exclusion globs applied while building (files matching them are left out). */
    readonly patterns: readonly string[];
    /** Events left out because they named an excluded file (or depended on one). */
    readonly events: number;
    /** Events left out (or `out` fields stripped) because the receipt does not cover their category. */
    readonly outsideConsent: number;
    /** What the policy in force when the bundle was built removed (absent when none was applied). */
    readonly policy?: ManifestPolicyExclusions;
  };
  readonly redaction: BundleRedactionReport;
  readonly reviewerActions: readonly ManifestReviewerAction[];
}

export interface BundleLimits {
  /** Largest bundle file accepted. */
  readonly maxFileBytes: number;
  /** Largest uncompressed content accepted (declared or actual). */
  readonly maxContentBytes: number;
  readonly maxEvents: number;
  /**
   * Longest line of the content (the manifest or one event), in bytes. The reader holds one line
   * at a time, so this, not the content's size, sets its working memory; the writer refuses to
   * write a longer line.
   */
  readonly maxLineBytes: number;
  /** Most entries in the manifest's `files`: the reader's running figures are bounded by it. */
  readonly maxFiles: number;
  /** Longest text one document may reach during replay (UTF-16 code units). */
  readonly maxDocumentChars: number;
  /** Most text all documents may hold at once during replay (UTF-16 code units). */
  readonly maxLiveChars: number;
}

/**
 * Defaults sized from the budgets (a heavy day is ≤ 5 MB compressed, ~30 MB of JSON), with room
 * to spare, and such that a collector reading bundles from strangers can afford several at once:
 * verification holds at most one line, the manifest and the replayed documents, never the content
 * (docs/bundle-format.md, "Reading with bounded memory", gives the resulting bound). A line fits a
 * snapshot of the largest file the recorder may be set to record (`candor.maxFileSizeKB` ≤ 10 MiB)
 * when its text is ASCII.
 */
export const DEFAULT_LIMITS: BundleLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxContentBytes: 256 * 1024 * 1024,
  maxEvents: 2_000_000,
  maxLineBytes: 16 * 1024 * 1024,
  maxFiles: 50_000,
  maxDocumentChars: 16 * 1024 * 1024,
  maxLiveChars: 32 * 1024 * 1024,
};
