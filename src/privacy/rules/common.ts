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

/** Up to 30 name characters between a context word and the credential word (`TWILIO_AUTH_TOKEN`). */
export const NAME_GAP = String.raw`[\w.-]{0,30}?`;

/** Not preceded by a token character (start of a token). */
export const TOKEN_START = String.raw`(?<![A-Za-z0-9_-])`;

/** Not followed by a token character (end of a token). */
export const TOKEN_END = String.raw`(?![A-Za-z0-9_-])`;

/**
 * A context rule's pattern: `<context><gap><name><assign>(<value>)`, case-insensitive. The value is
 * capture group 1 (the span); the context and name only gate the match.
 */
export function contextPattern(context: string, name: string, value: string, end = TOKEN_END): RegExp {
  return new RegExp(`(?:${context})${NAME_GAP}(?:${name})${ASSIGN}(${value})${end}`, 'i');
}
