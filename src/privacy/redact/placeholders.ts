/**
 * Placeholders: what a redacted value becomes. `«<kind>:<rule>#<n>»`, e.g. `«secret:github-pat#1»`:
 * the kind and rule say what was there, `n` tells distinct values of one rule apart (same value →
 * same n within one redaction run, numbered in order of first detection).
 *
 * Placeholders must never be detected as secrets themselves, or redacting a redacted stream would
 * change it again (and a bundle's placeholders would be re-numbered by the collector's re-check).
 * Some rules do fire on them: `generic-secret` takes `password = "«secret:generic-secret#1»"` for a
 * quoted high-entropy value, `generic-secret-bare` takes `TOKEN=«secret:github-pat#1»`. So every text is
 * masked before detection: each placeholder becomes spaces of the same length. Spaces are inert
 * for every rule (no rule's value class contains whitespace at its edges) and keep offsets intact.
 */

/** Kind of the reviewer's redact-everywhere texts (not a detector kind). */
export const MANUAL_KIND = 'manual';
/** Rule id reported for the reviewer's redact-everywhere texts. */
export const MANUAL_RULE = 'manual-reviewer';

/** Longest placeholder we expect; bounds the look-around when a window edge may cut one. */
export const MAX_PLACEHOLDER_LENGTH = 96;

/** The placeholder of the `n`-th (1-based) distinct value of `rule`. */
export function formatPlaceholder(kind: string, rule: string, n: number): string {
  return `«${kind}:${rule}#${n}»`;
}

/** The placeholder of the `n`-th (1-based) redact-everywhere text, as the bundle code names it. */
export function manualPlaceholder(n: number): string {
  return `«${MANUAL_KIND}:reviewer#${n}»`;
}

/** Matches any placeholder (ours or a reviewer's). Built per call: a global regex carries state. */
function placeholderPattern(): RegExp {
  return /«[a-z]{1,16}:[a-z0-9]{1,40}(?:-[a-z0-9]{1,40}){0,8}#[1-9][0-9]{0,8}»/g;
}

/** True when `text` is exactly one placeholder. */
export function isPlaceholder(text: string): boolean {
  const re = placeholderPattern();
  const m = re.exec(text);
  return m !== null && m.index === 0 && m[0].length === text.length;
}

/** `text` with every placeholder replaced by spaces of the same length (see the file comment). */
export function maskPlaceholders(text: string): string {
  if (text.indexOf('«') < 0) {
    return text;
  }
  return text.replace(placeholderPattern(), (m) => ' '.repeat(m.length));
}
