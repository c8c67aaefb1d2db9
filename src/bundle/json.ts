/**
 * The two JSON encodings of a bundle. Both are fixed functions of the data, so the same inputs
 * always give the same bytes, whatever key order the recorder or the redactor happened to use.
 */
import type { LoggedEvent } from '../model/events';

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, which for the manifest's ASCII keys is
 * plain byte order), no whitespace, strings and numbers as `JSON.stringify` writes them, keys
 * whose value is `undefined` left out. Used for the manifest, which is small.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    }
    const out = JSON.stringify(value) as string | undefined;
    if (out === undefined) {
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    }
    return out;
  }
  if (Array.isArray(value)) {
    return `[${(value as unknown[]).map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v !== undefined) {
      parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
  }
  return `{${parts.join(',')}}`;
}

/**
 * Every key an event line may hold, in line order: `seq`, `t`, `ts`, then the others
 * alphabetically. Passed to `JSON.stringify` as its replacer list, which both orders the keys and
 * keeps the native serializer's speed (a hand-rolled canonical writer is several times slower on
 * 100k events). Nested values are arrays of numbers and strings, which the list does not affect.
 */
export const EVENT_KEY_ORDER: readonly string[] = [
  'seq',
  't',
  'ts',
  ...[
    'branch', 'c', 'cats', 'cmd', 'commit', 'cut', 'cwd', 'dur', 'exit', 'f', 'h', 'id', 'k', 'n', 'name', 'op',
    'out', 'r', 'repo', 's', 'sid', 'src', 'text', 'to', 'type', 'v', 'why', 'win',
  ].sort(),
];

/**
 * One event line (without its LF): the event's own fields plus `seq`. Keys outside
 * `EVENT_KEY_ORDER` would be dropped silently by the replacer, so callers validate events first.
 */
export function eventLine(e: LoggedEvent): string {
  return JSON.stringify({ seq: e.seq, ...e.event }, EVENT_KEY_ORDER as string[]);
}
