/** A SHA-256 digest as Candor writes it everywhere (bundle ids, checkpoints, approvals): 64 lowercase hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `v` is a SHA-256 digest in Candor's form (64 lowercase hex digits). */
export function isSha256(v: unknown): v is string {
  return typeof v === 'string' && v.length === 64 && SHA256_HEX.test(v);
}
