/** Human-readable figures for the CLI's text output. */

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `3d 4h`, `2h 12m`, `5m 3s`, `42s`, `120 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) {
    return `${d}d ${h}h`;
  }
  if (h > 0) {
    return `${h}h ${m}m`;
  }
  return m > 0 ? `${m}m ${sec}s` : `${sec}s`;
}

/**
 * Characters that must never reach a terminal raw from recorded or otherwise untrusted text: C0
 * controls (ESC starts the sequences that clear the screen or move the cursor; CR and LF let a
 * value forge a line such as "ok    verified"), DEL, C1 controls (0x9b is a one-byte CSI on some
 * terminals), bidirectional controls and marks (they reorder what is shown), zero-width and
 * invisible characters, the line and paragraph separators, the BOM, the backslash (so an escape
 * in the output is always ours) and unpaired surrogates.
 */
const UNSAFE_CHAR =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u005c\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The same, global, for `replace` (which always starts at 0 and leaves `lastIndex` at 0). */
const UNSAFE_CHARS = new RegExp(UNSAFE_CHAR.source, 'g');

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function escapeChar(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named !== undefined) {
    return named;
  }
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Recorded or untrusted text (paths, commands, session ids, manifest strings, messages that quote
 * them) made safe to print: every character of UNSAFE_CHAR is written as a visible escape (`\n`,
 * `\x1b`, `\u{202e}`, `\\`), everything else (any script, emoji) as is. The result is one line
 * that cannot move the cursor, clear the screen, reorder itself or hide characters. With
 * `maxLength`, a longer result is cut and ends with `…`.
 *
 * Every piece of recorded text the CLI prints goes through this (or `quoteText`).
 */
export function escapeText(text: string, maxLength?: number): string {
  const escaped = UNSAFE_CHAR.test(text) ? text.replace(UNSAFE_CHARS, escapeChar) : text;
  if (maxLength === undefined || escaped.length <= maxLength) {
    return escaped;
  }
  // Cut at a code point of the input, never inside a surrogate pair or one of our escapes.
  let out = '';
  for (const ch of text) {
    const piece = UNSAFE_CHAR.test(ch) ? escapeChar(ch) : ch;
    if (out.length + piece.length > maxLength - 1) {
      break;
    }
    out += piece;
  }
  return `${out}…`;
}

/** `escapeText` in single quotes, for a value inside a sentence: `'src/a.ts'`. */
export function quoteText(text: string, maxLength?: number): string {
  return `'${escapeText(text, maxLength)}'`;
}
