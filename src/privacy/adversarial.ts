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
export function adversarialInputs(rule: Rule, size = 1 << 20): AdversarialInput[] {
  const out: AdversarialInput[] = [];
  const keywords = rule.keywords.length > 0 ? rule.keywords.slice(0, 2) : [''];
  for (const kw of keywords) {
    for (const unit of GENERIC_UNITS) {
      out.push({ name: `${JSON.stringify(kw)}+run(${JSON.stringify(unit)})`, text: kw + fill(unit, size - kw.length) });
    }
    if (kw !== '') {
      out.push({ name: `repeat(${JSON.stringify(kw)})`, text: fill(kw, size) });
      out.push({ name: `repeat(${JSON.stringify(kw)}+" = ")`, text: fill(`${kw} = `, size) });
    }
  }
  rule.truePositives.slice(0, 2).forEach((tp, i) => {
    const f = parseFixture(tp);
    const secret = f.text.slice(f.start, f.end);
    const before = f.text.slice(0, f.start);
    out.push({ name: `tp${i} repeated`, text: fill(f.text + '\n', size) });
    out.push({ name: `tp${i} minus last char, repeated`, text: fill(before + secret.slice(0, -1) + ' ', size) });
    out.push({
      name: `tp${i} with endless secret tail`,
      text: before + secret.slice(0, Math.ceil(secret.length / 2)) + fill(secret.slice(-1) || 'A', size),
    });
  });
  return out;
}
