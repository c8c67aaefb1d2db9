import { analyzeAnchors } from './anchor';
import { analyzePattern } from './regexBounds';
import type { Rule, RuleSpec } from './types';

/** Opening and closing marks of the expected span inside a fixture string. */
export const SPAN_OPEN = '⟦';
export const SPAN_CLOSE = '⟧';

/** A fixture with its marks removed: the text to scan and the span expected in it. */
export interface ParsedFixture {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Validates a rule spec and derives its `maxLength` and keyword anchors from the pattern. Throws
 * on a rule that could never be scanned safely (unbounded quantifier, empty match, bad keyword),
 * so a broken rule fails at import time and in every test rather than in a user's bundle.
 */
export function defineRule(spec: RuleSpec): Rule {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(spec.id)) {
    throw new Error(`rule id must be kebab-case: ${spec.id}`);
  }
  if (spec.pattern.global || spec.pattern.sticky) {
    throw new Error(`rule ${spec.id}: pattern must not carry g/y flags (the engine adds them)`);
  }
  for (const k of spec.keywords) {
    if (k.length === 0 || k !== k.toLowerCase()) {
      throw new Error(`rule ${spec.id}: keyword must be a non-empty lowercase literal: '${k}'`);
    }
  }
  const bounds = analyzePattern(spec.pattern.source, spec.pattern.flags);
  if (!Number.isFinite(bounds.maxLength)) {
    throw new Error(`rule ${spec.id}: pattern is unbounded`);
  }
  if (bounds.minLength < 1) {
    throw new Error(`rule ${spec.id}: pattern can match the empty string`);
  }
  if (spec.secretGroup !== undefined && (spec.secretGroup < 1 || spec.secretGroup > bounds.groups)) {
    throw new Error(`rule ${spec.id}: secretGroup ${spec.secretGroup} does not exist`);
  }
  // Derived once here, not per detector: the analysis parses the pattern again.
  const { anchors, literalPrefix } = analyzeAnchors(spec.pattern.source, spec.pattern.flags, spec.keywords);
  return Object.freeze({ ...spec, maxLength: bounds.maxLength, anchors, literalPrefix: anchors === undefined ? undefined : literalPrefix });
}

/** The flags the engine scans with: global, plus match indices when a group is the span. */
export function scanFlags(rule: Rule): string {
  const base = rule.pattern.flags.replace(/[gyd]/g, '');
  return `${base}g${rule.secretGroup !== undefined ? 'd' : ''}`;
}

/** Splits a fixture into its text and expected span (the whole text when it has no marks). */
export function parseFixture(fixture: string): ParsedFixture {
  const open = fixture.indexOf(SPAN_OPEN);
  if (open < 0) {
    return { text: fixture, start: 0, end: fixture.length };
  }
  const close = fixture.indexOf(SPAN_CLOSE, open);
  if (close < 0) {
    throw new Error(`fixture has ${SPAN_OPEN} without ${SPAN_CLOSE}: ${fixture}`);
  }
  const text = fixture.slice(0, open) + fixture.slice(open + 1, close) + fixture.slice(close + 1);
  return { text, start: open, end: close - 1 };
}

/** Upper bound on the match length over `rules`: the widening a rescan window needs. */
export function maxPatternLength(rules: readonly Rule[]): number {
  let max = 0;
  for (const r of rules) {
    max = Math.max(max, r.maxLength);
  }
  return max;
}

/** Escapes a literal for use inside a RegExp. */
export function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
