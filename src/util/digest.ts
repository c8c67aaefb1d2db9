import { createHash } from 'node:crypto';

/** SHA-256 of `bytes` as 64 lowercase hex digits: the id of a bundle is this of its file. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
