/**
 * Adversarial inputs for a rule: long runs of the characters its pattern repeats, its keyword
 * over and over, and its own true positives repeated whole, truncated and with an endless tail.
 * Catastrophic backtracking shows up on exactly such text. Used by the unit tests (which report
 * the time) and by `bench/privacy.ts` (which holds it to the ≤ 10 ms per MB budget); not used at
 * run time.
 */
import { parseFixture } from './rule';
import type { Rule } from './types';

/** One adversarial text. */
export interface AdversarialInput {
  readonly name: string;
  readonly text: string;
  /**
   * True for texts dense with real matches (a true positive repeated): their cost is producing
   * thousands of spans, not backtracking, so they are reported apart from the ≤ 10 ms/MB budget.
   */
  readonly dense: boolean;
}

/** Options of `adversarialInputs`. */
export interface AdversarialOptions {
  /** Characters per input (default 1 MiB). */
  readonly size?: number;
  /** Characters per dense input (default `size`). */
  readonly denseSize?: number;
  /** How many of the rule's keywords to prefix runs with (default 2). */
  readonly keywords?: number;
}

/** Repeats `unit` until the result has `size` characters (cut to size). */
export function fill(unit: string, size: number): string {
  if (unit.length === 0) {
    return '';
  }
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Runs and patterns that stress the shapes our rules use (token bodies, dotted quads, emails, PEM, paths). */
const GENERIC_UNITS: readonly string[] = ['A', 'a', '0', 'aB3', '-', '_', '.', ':', 'a@', '1.', '@a.', ' ', '=', '/a', '\\a', '-----BEGIN '];

/**
 * Adversarial inputs of `size` characters for `rule`. Each starts with one of the rule's keywords,
 * so the keyword prefilter lets the rule run on it.
 */
export function adversarialInputs(rule: Rule, options: AdversarialOptions = {}): AdversarialInput[] {
  const size = options.size ?? 1 << 20;
  const denseSize = options.denseSize ?? size;
  const out: AdversarialInput[] = [];
  const keywords = rule.keywords.length > 0 ? rule.keywords.slice(0, options.keywords ?? 2) : [''];
  for (const kw of keywords) {
    for (const unit of GENERIC_UNITS) {
      out.push({ name: `${JSON.stringify(kw)}+run(${JSON.stringify(unit)})`, text: kw + fill(unit, size - kw.length), dense: false });
    }
    if (kw !== '') {
      out.push({ name: `repeat(${JSON.stringify(kw)})`, text: fill(kw, size), dense: false });
      // `kw = ` repeated is a run of near-misses for the assignment rules, but for a rule whose
      // keyword is a whole match (an identity literal) it is dense.
      out.push({ name: `repeat(${JSON.stringify(kw)}+" = ")`, text: fill(`${kw} = `, size), dense: rule.kind === 'identity' });
    }
  }
  rule.truePositives.slice(0, 2).forEach((tp, i) => {
    const f = parseFixture(tp);
    const secret = f.text.slice(f.start, f.end);
    const before = f.text.slice(0, f.start);
    out.push({ name: `tp${i} repeated`, text: fill(f.text + '\n', denseSize), dense: true });
    // Minus the last character most rules no longer match, but some still do (a shorter value
    // is still a value), so this one counts as dense.
    out.push({ name: `tp${i} minus last char, repeated`, text: fill(before + secret.slice(0, -1) + ' ', denseSize), dense: true });
    out.push({
      name: `tp${i} with endless secret tail`,
      text: before + secret.slice(0, Math.ceil(secret.length / 2)) + fill(secret.slice(-1) || 'A', size),
      dense: false,
    });
  });
  return out;
}
