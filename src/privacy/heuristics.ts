/**
 * Value checks shared by rules: entropy, placeholders, checksums. Pure functions over one string,
 * so a rule's verdict depends only on its own match (see `RuleSpec.validate`).
 */

/** Shannon entropy of `s` in bits per UTF-16 unit. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) {
    return 0;
  }
  // Counts in a small array for ASCII (the common case, and hot on dense input), a Map beyond.
  const ascii = new Uint32Array(128);
  let other: Map<number, number> | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      ascii[c]++;
    } else {
      other ??= new Map();
      other.set(c, (other.get(c) ?? 0) + 1);
    }
  }
  let h = 0;
  const add = (n: number): void => {
    const p = n / s.length;
    h -= p * Math.log2(p);
  };
  for (let c = 0; c < 128; c++) {
    if (ascii[c] > 0) {
      add(ascii[c]);
    }
  }
  other?.forEach(add);
  return h;
}

/**
 * Words that, alone or glued together with digits and separators, make a value a placeholder
 * rather than a secret (`changeme`, `your_api_key`, `test-token-1`, `password123`).
 */
const PLACEHOLDER_WORDS = [
  'access', 'admin', 'api', 'apikey', 'auth', 'bar', 'baz', 'bearer', 'change', 'changeit', 'changeme',
  'client', 'config', 'default', 'demo', 'dummy', 'env', 'example', 'fake', 'foo', 'foobar', 'here',
  'insert', 'invalid', 'key', 'letmein', 'local', 'my', 'none', 'null', 'pass', 'passwd', 'password',
  'placeholder', 'private', 'public', 'qux', 'qwerty', 'redacted', 'replace', 'root', 'sample', 'secret',
  'secure', 'some', 'string', 'super', 'test', 'testing', 'this', 'todo', 'token', 'undefined', 'user',
  'username', 'value', 'welcome', 'xxx', 'xyz', 'your', 'yourkey', 'yourtoken',
];
const PLACEHOLDER_SET: ReadonlySet<string> = new Set(PLACEHOLDER_WORDS);

/**
 * True for obvious placeholders: template references (`${VAR}`, `{{x}}`, `%(x)s`, `<your-token>`,
 * `process.env.X`, `$VAR`), masks (`xxxx`, `****`, `....`), runs of one character, and values
 * made only of placeholder words, digits and separators.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) {
    return true;
  }
  if (/[${}<>]|%\(|^%\w+%$|process\.env|os\.environ|getenv|ENV\[/i.test(v)) {
    return true;
  }
  if (/^(.)\1*$/.test(v) || /x{4,}|\*{3,}|\.{3,}|_{4,}|#{3,}|0{6,}/i.test(v)) {
    return true;
  }
  if (/^(?:0123456789?|1234567890?|12345678|abcdefg?h?|abc123\w{0,3}|qwerty\w{0,4})$/i.test(v)) {
    return true;
  }
  const words = v.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 0);
  if (words.length > 0 && words.every((w) => PLACEHOLDER_SET.has(w) || splitsIntoPlaceholders(w))) {
    return true;
  }
  return /(?:^|[^a-z])(?:your|my)[_-]?(?:api|secret|token|key|password|pass)|example|placeholder|redacted|changeme/i.test(v);
}

/** True when `w` is a concatenation of placeholder words (`yourapitoken`, `mysecretkey`). */
function splitsIntoPlaceholders(w: string): boolean {
  // Dynamic programming over prefixes; words are short, so this is cheap.
  const ok = new Array<boolean>(w.length + 1).fill(false);
  ok[0] = true;
  for (let i = 1; i <= w.length; i++) {
    for (let j = Math.max(0, i - 12); j < i && !ok[i]; j++) {
      ok[i] = ok[j] && PLACEHOLDER_SET.has(w.slice(j, i));
    }
  }
  return ok[w.length];
}

/**
 * True when `value` reads like code or a name rather than a secret: identifiers and member paths
 * (`config.apiKey`, `AUTH_TOKEN`, `passwordField`), words joined by separators
 * (`my-secret-name`), URLs and file paths, type names.
 */
export function isIdentifierLike(value: string): boolean {
  if (/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+(?:\(\))?$/.test(value)) {
    return true; // member path, optional chaining included
  }
  if (/^[A-Za-z]+(?:[_.:-][A-Za-z]+)*[_.:-]?\d{0,2}$/.test(value)) {
    return true; // words and separators, at most a short version suffix
  }
  if (/^[a-z]+(?:[A-Z][a-z]+)+\d{0,2}$/.test(value) || /^(?:[A-Z][a-z]+){2,}\d{0,2}$/.test(value)) {
    return true; // camelCase / PascalCase words
  }
  if (/^(?:https?:|file:|\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value)) {
    return true;
  }
  return false;
}

/** Options for `looksLikeSecret`. */
export interface SecretValueOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Minimum Shannon entropy (bits per character) for values of 12 characters or more. */
  readonly minEntropy?: number;
  /**
   * Accept a long run of letters alone (`lettersOnly`): a password manager's letters-only
   * password. Only where the name says *password*: a token or key of letters alone is rare, and
   * `token: "…"` holds words far more often than `password: "…"` does.
   */
  readonly lettersOnly?: boolean;
}

/** Shortest letters-only value accepted as a password (`SecretValueOptions.lettersOnly`). */
export const LETTERS_ONLY_MIN_LENGTH = 20;

/**
 * A run of letters that can be a password rather than a name: not a placeholder, not made of
 * capitalised words (`invalidUserNameOrPassword`, `platformAuthDOMGetToken`: case-delimited pieces
 * of three letters or more on average; random mixed case averages under two), not all capitals, and varied (entropy). A single-case run is
 * accepted: after a password name it is a generated password or a passphrase
 * (`correcthorsebatterystaple`) far more often than anything else (measured: no such value in
 * 105 MB of node_modules sources; see docs/privacy-model.md).
 */
function lettersOnlyPassword(value: string): boolean {
  if (value.length < LETTERS_ONLY_MIN_LENGTH || !/^[A-Za-z]+$/.test(value) || /^[A-Z]+$/.test(value)) {
    return false;
  }
  const pieces = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
  if (pieces.length >= 2 && value.length / pieces.length >= 3) {
    return false;
  }
  return shannonEntropy(value) >= 3.0;
}

/**
 * The shared gate for values found next to a secret-ish name: long enough, not a placeholder,
 * not code, varied enough (entropy), and mixing letters with digits or symbols — random tokens
 * nearly always do, English words and identifiers rarely do.
 */
export function looksLikeSecret(value: string, options: SecretValueOptions = {}): boolean {
  const minLength = options.minLength ?? 8;
  const maxLength = options.maxLength ?? 500;
  if (value.length < minLength || value.length > maxLength) {
    return false;
  }
  // Brackets and an inner `=` mark markup or expressions (`[type=password]`, `a=b&c=d`); secrets
  // rarely contain them (base64 padding `=` only ends a value).
  if (/[\s[\](){}]|=[^=]/.test(value) || isPlaceholder(value)) {
    return false;
  }
  if (options.lettersOnly === true && lettersOnlyPassword(value)) {
    return true;
  }
  if (isIdentifierLike(value)) {
    return false;
  }
  const entropy = shannonEntropy(value);
  // Short values cannot reach a high per-character entropy; scale the bar with the length.
  const floor = value.length < 12 ? Math.min(2.5, Math.log2(value.length) - 0.4) : (options.minEntropy ?? 3.0);
  if (entropy < floor) {
    return false;
  }
  const letters = /[A-Za-z]/.test(value);
  const digits = /\d/.test(value);
  const symbols = /[^A-Za-z0-9]/.test(value);
  if (!letters) {
    return digits && value.length >= 16 && entropy >= 3.0; // long random numbers/hex-less
  }
  if (digits || symbols) {
    return true;
  }
  // Letters only: accept only long, mixed-case, high-entropy values (base64-ish), not words.
  return value.length >= 20 && /[a-z]/.test(value) && /[A-Z]/.test(value) && entropy >= 3.8;
}

/** Luhn checksum over the digits of `s` (other characters ignored). */
export function luhnValid(s: string): boolean {
  let sum = 0;
  let double = false;
  let count = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      continue;
    }
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    double = !double;
    count++;
  }
  return count > 0 && sum % 10 === 0;
}

/** Decodes standard or URL-safe base64; undefined if `s` is not base64. */
export function decodeBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    return undefined;
  }
  try {
    // atob rather than Buffer: this folder must also run where Node's Buffer does not (web).
    return atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
}
