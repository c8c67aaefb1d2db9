/**
 * Bearer tokens: 256 random bits, shown once, stored only as their SHA-256. A database leak then
 * gives no usable token, and a lookup by hash reveals nothing an attacker can steer (the hash of
 * a guess is unrelated to the hash of the real token); the final comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['contributor', 'lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Prefix that makes a leaked token recognisable to secret scanners and to people. */
export const TOKEN_PREFIX = 'cndr_';

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Short public handle of a token (for `token list` and `token revoke`): never secret. */
export function newTokenId(): string {
  return `tok_${randomBytes(6).toString('hex')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex hashes of the same length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The token in an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') {
    return undefined;
  }
  const m = /^Bearer ([A-Za-z0-9_\-.~+/=]{1,512})$/.exec(header.trim());
  return m === null ? undefined : m[1];
}

/** Team and contributor names: short, printable, no path or URL specials. */
export function isName(v: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(v);
}

/**
 * The `vscode://` link a contributor opens to connect Candor to this collector; Candor's URI
 * handler asks before it stores anything.
 */
export function inviteUrl(collectorUrl: string, token: string): string {
  return `vscode://candor.candor/connect?url=${encodeURIComponent(collectorUrl)}&token=${encodeURIComponent(token)}`;
}
