/**
 * Deterministic pseudo-random strings for rule fixtures. Fixtures that look like real credentials
 * are assembled at load time from a prefix and `synth(...)`, so no realistic secret literal sits in
 * the repository (push protection and secret scanners stay quiet, and nobody mistakes a fixture
 * for a leak), while the values still pass the entropy checks real tokens pass.
 */

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const UPPER_ALNUM = UPPER + DIGITS;
export const LOWER_ALNUM = LOWER + DIGITS;
export const LETTERS = UPPER + LOWER;
export const HEX = '0123456789abcdef';
export const HEX_UPPER = '0123456789ABCDEF';
export const BASE64 = ALNUM + '+/';
export const BASE64URL = ALNUM + '-_';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `length` characters drawn from `alphabet` by a seeded generator (mulberry32): same seed, same string. */
export function synth(alphabet: string, length: number, seed: number): string {
  let state = (seed * 0x9e3779b9) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out += alphabet[Math.floor(r * alphabet.length)];
  }
  return out;
}

/**
 * `parts` joined at load time, for fixture strings that secret scanners flag as literals even
 * though they are not secrets (a false-positive fixture such as a short `xoxb-…`). `vsce package`
 * scans the bundle, and esbuild folds `'a' + 'b'` or a constant template into one literal, but it
 * never evaluates a call: the bundle holds only the harmless parts.
 */
export function joined(...parts: string[]): string {
  return parts.join('');
}

/** Base64url of a UTF-8/ASCII string without padding (for synthetic JWT parts). */
export function base64url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
