/**
 * Canonical JSON: text that is exactly what `JSON.stringify` gives for the value `JSON.parse`
 * reads from it. The event log accepts only that form (see framing.ts), so that a record has one
 * byte string, and no JSON parser (ours or another) can read a different value out of it: no
 * duplicate keys, no whitespace, no CR, no `1.0`, no `\/`.
 *
 * The plain way, `JSON.stringify(JSON.parse(text)) === text`, costs a `JSON.stringify` per record,
 * more than twice the parse. `parseCanonical` gets the same verdict with one pass over the bytes
 * (whitespace, escapes, number spelling, nesting, key count) and, after the parse, a count of the
 * keys the value kept (a duplicate key is read once): cases the pass cannot settle cheaply (a
 * number that is not a short integer, a key made of digits, which `JSON.parse` moves to the front)
 * fall back to the plain comparison. The tests prove both ways agree (canonicalJson.test.ts).
 */
import { isUtf8 } from 'node:buffer';

/**
 * Deepest nesting of arrays and objects a record may have. Candor's events nest three deep; the
 * bound keeps `JSON.stringify` (recursive in V8), the key count below and every later reader far
 * from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** `scan` results below 0; a result ≥ 0 is the number of keys in the text. */
const NON_CANONICAL = -1;
const TOO_DEEP = -2;
/** Canonical as far as the pass can tell; the value must be re-serialised to be sure. */
const SLOW = -3;

export type CanonicalResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'non-canonical' | 'bad-json' };

/**
 * The value of the JSON in `data[start, end)` if that text is canonical. `utf8`: the caller has
 * checked that `data` is valid UTF-8 as a whole. Never throws.
 */
export function parseCanonical(data: Buffer, start: number, end: number, utf8: boolean): CanonicalResult {
  const keys = scan(data, start, end);
  if (keys === NON_CANONICAL) {
    return { ok: false, reason: 'non-canonical' };
  }
  if (keys === TOO_DEEP) {
    return { ok: false, reason: 'bad-json' };
  }
  // UTF-8 decoding of valid bytes is one-to-one, so from here equal text means equal bytes.
  if (!utf8 && !isUtf8(data.subarray(start, end))) {
    return { ok: false, reason: 'non-canonical' };
  }
  const text = data.toString('utf8', start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
  const canonical =
    keys === SLOW ? JSON.stringify(value) === text : (typeof value === 'object' && value !== null ? countKeys(value) : 0) === keys;
  return canonical ? { ok: true, value } : { ok: false, reason: 'non-canonical' };
}

/** The plain way: what `parseCanonical` must agree with (tests, and the documentation of it). */
export function isCanonicalPlain(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Keys of every object in `value` (own keys: a duplicate in the text is one key here). Depth ≤ MAX_JSON_DEPTH. */
function countKeys(value: unknown): number {
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (typeof item === 'object' && item !== null) {
        n += countKeys(item);
      }
    }
    return n;
  }
  const obj = value as Record<string, unknown>;
  // for…in without an array of keys (this runs per record); hasOwn skips anything inherited.
  for (const key in obj) {
    if (Object.hasOwn(obj, key)) {
      n++;
      const item = obj[key];
      if (typeof item === 'object' && item !== null) {
        n += countKeys(item);
      }
    }
  }
  return n;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Value of 4 lowercase hex digits at `pos`, or -1. */
function hex4(data: Buffer, pos: number, end: number): number {
  if (pos + 4 > end) {
    return -1;
  }
  let v = 0;
  for (let i = pos; i < pos + 4; i++) {
    const b = data[i];
    const d = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;
    if (d < 0) {
      return -1;
    }
    v = v * 16 + d;
  }
  return v;
}

/**
 * One pass over JSON text: NON_CANONICAL for anything `JSON.stringify` never writes (a byte below
 * 0x20, a space between tokens, an escape it would not use), TOO_DEEP past MAX_JSON_DEPTH, SLOW
 * when only re-serialising can tell, else the number of keys. Text that is not JSON at all may get
 * any result: `JSON.parse` judges it next.
 */
function scan(data: Buffer, start: number, end: number): number {
  let depth = 0;
  let keys = 0;
  let slow = false;
  let i = start;
  while (i < end) {
    const b = data[i];
    if (b === QUOTE) {
      // A string: raw bytes ≥ 0x20 except `"` and `\`; escapes only as JSON.stringify writes them.
      let digitsOnly = true;
      const open = i;
      i++;
      for (;;) {
        if (i >= end) {
          return keys; // unterminated: JSON.parse fails
        }
        const c = data[i];
        if (c === QUOTE) {
          break;
        }
        if (c < 0x20) {
          return NON_CANONICAL;
        }
        if (c === BACKSLASH) {
          digitsOnly = false;
          const e = i + 1 < end ? data[i + 1] : 0;
          if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
            i += 2; // \" \\ \b \f \n \r \t
            continue;
          }
          if (e !== 0x75) {
            return NON_CANONICAL; // \/ or not JSON
          }
          const u = hex4(data, i + 2, end);
          if (u < 0) {
            return NON_CANONICAL; // uppercase hex, or not JSON
          }
          if (u < 0x20) {
            if (u === 0x08 || u === 0x09 || u === 0x0a || u === 0x0c || u === 0x0d) {
              return NON_CANONICAL; // written with its short form
            }
          } else if (u >= 0xd800 && u <= 0xdbff) {
            // A lone high surrogate is escaped; one followed by an escaped low one is a pair,
            // which JSON.stringify writes as the character itself.
            if (i + 7 < end && data[i + 6] === BACKSLASH && data[i + 7] === 0x75) {
              const next = hex4(data, i + 8, end);
              if (next >= 0xdc00 && next <= 0xdfff) {
                return NON_CANONICAL;
              }
            }
          } else if (u < 0xdc00 || u > 0xdfff) {
            return NON_CANONICAL; // a character that needs no escape
          }
          i += 6;
          continue;
        }
        if (!isDigit(c)) {
          digitsOnly = false;
        }
        i++;
      }
      i++; // past the closing quote
      if (i < end && data[i] === COLON) {
        keys++;
        if (digitsOnly && i - 1 > open + 1) {
          slow = true; // an array-index-like key: JSON.parse puts it first
        }
      }
      continue;
    }
    if (b < 0x21) {
      return NON_CANONICAL; // whitespace or a control byte between tokens
    }
    if (b === MINUS || isDigit(b)) {
      // A number: short integers are written as read; anything else is judged by re-serialising.
      let j = b === MINUS ? i + 1 : i;
      const first = j;
      while (j < end && isDigit(data[j])) {
        j++;
      }
      const digits = j - first;
      const next = j < end ? data[j] : 0;
      if (digits === 0 || digits > 15 || (data[first] === 0x30 && (digits > 1 || b === MINUS)) || next === 0x2e || next === 0x65 || next === 0x45) {
        slow = true;
      }
      i = j > i ? j : i + 1;
      continue;
    }
    if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        return TOO_DEEP;
      }
    } else if (b === 0x5d || b === 0x7d) {
      depth--;
    }
    i++;
  }
  return slow ? SLOW : keys;
}
