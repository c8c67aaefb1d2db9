/**
 * The one rule for a path Candor records, writes into a bundle or reads back from one: relative to
 * a workspace folder, `/`-separated, and free of anything that could climb out of the folder or
 * disguise itself on a screen. The recorder, the bundle builder and both readers (log and bundle)
 * call it, so a path that one of them would refuse can never be produced by another.
 *
 * Refused: an empty path (unless `allowEmpty`, for "the workspace root"), a leading `/` or `\`, a
 * drive letter (`C:`), any backslash (on Windows it separates folders, so `..\..\x` climbs), an empty,
 * `.` or `..` segment, C0 and C1 control characters (NUL, LF, ESC…), DEL, bidirectional controls
 * (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: they make `evil\u202Etxt.exe` read as
 * something else) and unpaired surrogates.
 *
 * Written with char codes in one pass: it runs on every path of every event of a bundle.
 */
export function isSafeRelativePath(v: unknown, allowEmpty = false): v is string {
  if (typeof v !== 'string') {
    return false;
  }
  const n = v.length;
  if (n === 0) {
    return allowEmpty;
  }
  if (n >= 2 && v.charCodeAt(1) === 0x3a) {
    const c0 = v.charCodeAt(0) | 0x20;
    if (c0 >= 0x61 && c0 <= 0x7a) {
      return false; // a drive letter: 'C:'
    }
  }
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 0x2f : v.charCodeAt(i);
    if (c === 0x2f) {
      const len = i - segStart;
      if (len === 0) {
        return false; // leading '/', trailing '/' or '//'
      }
      if (v.charCodeAt(segStart) === 0x2e && (len === 1 || (len === 2 && v.charCodeAt(segStart + 1) === 0x2e))) {
        return false; // '.' or '..'
      }
      segStart = i + 1;
      continue;
    }
    if (c < 0x20 || c === 0x5c || (c >= 0x7f && c <= 0x9f)) {
      return false; // control characters, backslash
    }
    if (c >= 0x200e) {
      if (
        c === 0x200e ||
        c === 0x200f ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069)
      ) {
        return false; // bidirectional controls
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c <= 0xdbff && i + 1 < n) {
          const d = v.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            i++; // a well-formed pair
            continue;
          }
        }
        return false; // an unpaired surrogate
      }
    } else if (c === 0x061c) {
      return false; // Arabic letter mark
    }
  }
  return true;
}

/**
 * Why `isSafeRelativePath` refused a path, in words for an error message (never echoing the path's
 * raw characters), or undefined when it is accepted.
 */
export function unsafePathReason(v: unknown, allowEmpty = false): string | undefined {
  if (isSafeRelativePath(v, allowEmpty)) {
    return undefined;
  }
  if (typeof v !== 'string') {
    return 'not a string';
  }
  if (v.length === 0) {
    return 'empty';
  }
  if (hasControlCharacter(v)) {
    return 'contains a control character';
  }
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(v)) {
    return 'contains a bidirectional control character';
  }
  if (v.includes('\\')) {
    return 'contains a backslash';
  }
  if (v.startsWith('/') || /^[A-Za-z]:/.test(v)) {
    return 'is absolute';
  }
  if (v.split('/').some((s) => s === '..' || s === '.')) {
    return 'has a . or .. segment';
  }
  if (v.split('/').some((s) => s === '')) {
    return 'has an empty segment';
  }
  return 'contains an unpaired surrogate';
}

function hasControlCharacter(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return true;
    }
  }
  return false;
}
