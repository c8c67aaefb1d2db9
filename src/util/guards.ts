/**
 * Type guards for messages that cross a trust boundary (webview ↔ host): each narrows an unknown
 * value, bounded, so a parser reads as a list of checks. Shared by the consent and preview
 * protocols; no Node or VS Code, so the webview bundles use them too.
 */

/** 8.64e15 ms is the largest time a Date holds. */
export const MAX_TIME_MS = 8.64e15;

export function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/** A non-negative safe integer (an id, a count, an offset). */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** A log or bundle sequence number (≥ 1). */
export function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 1;
}

/** A time in milliseconds since the epoch that a Date can hold. */
export function isTs(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= MAX_TIME_MS;
}

/** A string of `min`..`max` UTF-16 units. */
export function isText(x: unknown, max: number, min = 0): x is string {
  return typeof x === 'string' && x.length >= min && x.length <= max;
}
