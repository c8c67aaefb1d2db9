import { createHash } from 'node:crypto';

/**
 * SHA-256 (lowercase hex) of the UTF-8 bytes of `text`: the checkpoint hash. The recorder and
 * replay must both use this one function, so that both sides encode the text identically (a lone
 * surrogate, for instance, becomes U+FFFD in UTF-8 on both sides).
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
