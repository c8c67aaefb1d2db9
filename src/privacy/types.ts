/**
 * Shared shapes of the on-device detectors. No VS Code: this folder is used by the extension, the
 * `candor` CLI and the collector alike.
 */

import type { KeywordAnchor } from './anchor';

/**
 * What a span hides. `secret`: credentials (provider tokens, keys, passwords). `pii`: personal data
 * (emails, IP addresses, card numbers, phone numbers). `identity`: this machine's user, home,
 * hostname and git identity. `path`: an absolute path outside the workspace.
 */
export type SpanKind = 'secret' | 'pii' | 'identity' | 'path';

/** A half-open UTF-16 range `[start, end)` of the scanned text, and the rule that claimed it. */
export interface Span {
  readonly start: number;
  readonly end: number;
  /** Rule id, e.g. `github-pat`. After merging, the id of the preferred rule of the cluster. */
  readonly rule: string;
  readonly kind: SpanKind;
}

/**
 * A rule as written in `rules/*.ts`: declarative data plus its own examples, so every rule ships
 * the evidence that it fires and that it does not over-fire.
 *
 * Fixture strings may mark the expected span with `⟦` and `⟧` (see `parseFixture`); a fixture
 * without marks expects the whole string to be the span.
 */
export interface RuleSpec {
  /** Stable id, kebab-case, e.g. `github-pat`. Placeholders in bundles are derived from it. */
  readonly id: string;
  readonly description: string;
  readonly kind: SpanKind;
  /**
   * Lowercase literals; the rule runs only if one occurs (case-insensitively) in the scanned text.
   * Contract: a text containing none of them has no match. Empty = the rule always runs (only for
   * rules with no literal at all, such as IPv4 or card numbers, whose regex V8 scans at GB/s).
   */
  readonly keywords: readonly string[];
  /**
   * Every quantifier must be bounded (checked at definition: `maxLength` must be finite). For
   * speed in V8, start the pattern with a literal; a prefix that precedes the literal belongs in a
   * lookbehind, with the span captured by `secretGroup` (see `pii.ts` email).
   */
  readonly pattern: RegExp;
  /** Capture group whose range is the span; without it, the whole match is the span. */
  readonly secretGroup?: number;
  /**
   * Accepts or rejects a match (entropy, checksum, placeholder). Must depend only on the match's
   * own groups, never on text outside it: windowed rescanning relies on that.
   */
  readonly validate?: (match: RegExpExecArray) => boolean;
  /**
   * True for heuristic rules (`password = …`, `Bearer …`): when spans overlap, a provider-specific
   * rule's label wins over a generic one.
   */
  readonly generic?: boolean;
  readonly truePositives: readonly string[];
  readonly falsePositives: readonly string[];
}

/** A rule after `defineRule`: the spec plus what is derived from its pattern. */
export interface Rule extends RuleSpec {
  /**
   * Upper bound on the length of text that decides one detection: the match plus whatever its
   * lookarounds inspect. A rescan window around an edit widened by this on both sides sees every
   * detection the edit can create or destroy.
   */
  readonly maxLength: number;
  /**
   * Where its matches can start, relative to occurrences of its keywords, when the pattern proves
   * it (anchor.ts): the detector may then try the rule only there. Undefined: not proven; the
   * rule is always scanned over the whole text.
   */
  readonly anchors?: readonly KeywordAnchor[];
  /** With `anchors`: the literal every match starts with (`literalPrefix`, anchor.ts), if any. */
  readonly literalPrefix?: string;
}
