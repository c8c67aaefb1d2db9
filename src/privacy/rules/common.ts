/**
 * Pattern fragments shared by rule families. Each is bounded, so every composed pattern stays
 * analyzable (`regexBounds.ts`) and safe against catastrophic backtracking.
 */

/**
 * The assignment between a name and its value in the forms people write: `=`, `:`, `:=`, `=>`,
 * with an optional closing quote/bracket after the name (`"token":`, `['token'] =`) and an optional
 * opening quote before the value.
 */
export const ASSIGN = String.raw`["'\]]?\s{0,3}(?::=|=>|[:=])\s{0,3}["'\x60]?`;

/**
 * The name characters after a context word, taken atomically and never across another
 * occurrence of the context word. The lookahead captures the longest run (up to 24) and the
 * backreference consumes exactly that, so the engine never retries shorter runs; the run stops at
 * the next context word, so on `oktaoktaokta…` each attempt ends where the next begins and the
 * scan stays linear. (A lazy `[\w.-]{0,30}?` retries every length at every occurrence: 30
 * attempts every 4 characters.) The credential name is then checked by a lookbehind at the end
 * of the run.
 */
export function nameRun(context: string): string {
  return `(?=((?:(?!${context})[\\w.-]){0,24}))\\1`;
}

/** Not preceded by a token character (start of a token). */
export const TOKEN_START = String.raw`(?<![A-Za-z0-9_-])`;

/** Not followed by a token character (end of a token). */
export const TOKEN_END = String.raw`(?![A-Za-z0-9_-])`;

/** The capture group of a `contextPattern` value (group 1 is the atomic name run). */
export const CONTEXT_GROUP = 2;

/**
 * A context rule's pattern: `<context><name run ending in name><assign>(<value>)`,
 * case-insensitive. The value is group `CONTEXT_GROUP` (the span); the context and name only gate
 * the match. `TWILIO_AUTH_TOKEN=…`: context `twilio`, run `_AUTH_TOKEN`, name `token`.
 */
export function contextPattern(context: string, name: string, value: string, end = TOKEN_END): RegExp {
  return new RegExp(`(?:${context})${nameRun(context)}(?<=(?:${name}))${ASSIGN}(${value})${end}`, 'i');
}
