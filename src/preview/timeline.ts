/**
 * The timeline's pure logic, shared by the host (tests) and the preview webview (bundled into
 * media/dist/preview.js): filtering rows, splitting text around redaction placeholders, and small
 * formatters. No VS Code, no Node, no DOM: plain mocha tests it and the webview type-checks it.
 */
import type { PreviewRow } from './protocol';

/** What the timeline shows. Every field narrows; an empty filter shows every row. */
export interface TimelineFilter {
  /** Row type code (index into `PreviewSummary.types`), or undefined for every type. */
  readonly type?: number;
  /** Row file code (index into `PreviewSummary.files`), or undefined for every file. */
  readonly file?: number;
  /** Only rows with `ts >= fromTs`. */
  readonly fromTs?: number;
  /** Only rows with `ts <= toTs`. */
  readonly toTs?: number;
  /** Only rows whose seq is in this set (the host's search result). */
  readonly seqs?: ReadonlySet<number>;
}

export function isEmptyFilter(f: TimelineFilter): boolean {
  return f.type === undefined && f.file === undefined && f.fromTs === undefined && f.toTs === undefined && f.seqs === undefined;
}

export function rowMatches(row: PreviewRow, f: TimelineFilter): boolean {
  return (
    (f.type === undefined || row[2] === f.type) &&
    (f.file === undefined || row[3] === f.file) &&
    (f.fromTs === undefined || row[1] >= f.fromTs) &&
    (f.toTs === undefined || row[1] <= f.toTs) &&
    (f.seqs === undefined || f.seqs.has(row[0]))
  );
}

/**
 * Indices (into `rows`) of the rows the filter keeps, from `start` to `end` (exclusive; rows may
 * still be arriving), appended to `into`. A
 * plain loop over the tuples: 100k rows take a few milliseconds, far inside the 100 ms budget,
 * so the webview filters locally instead of asking the host on every keystroke.
 */
export function filterRows(rows: readonly PreviewRow[], f: TimelineFilter, start = 0, into: number[] = [], end = rows.length): number[] {
  if (isEmptyFilter(f)) {
    for (let k = start; k < end; k++) {
      into.push(k);
    }
    return into;
  }
  for (let k = start; k < end; k++) {
    if (rowMatches(rows[k], f)) {
      into.push(k);
    }
  }
  return into;
}

/** The rows a virtualized list of `rowHeight` px shows at `scrollTop` in `viewport` px, with overscan. */
export function visibleWindow(total: number, scrollTop: number, viewport: number, rowHeight: number, overscan = 8): { first: number; last: number } {
  if (total === 0 || rowHeight <= 0) {
    return { first: 0, last: -1 };
  }
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total - 1, Math.ceil((scrollTop + Math.max(0, viewport)) / rowHeight) + overscan);
  // Scrolled past the end (the filter just shrank the list): nothing until the scroll is clamped.
  return first > last ? { first: 0, last: -1 } : { first, last };
}

/**
 * Splits rows into chunks for posting: a small first chunk so the first screen paints at once,
 * then larger ones (each postMessage has a fixed cost). Returns `[offset, count]` pairs.
 */
export function chunkRanges(total: number, first = 200, size = 5000): [offset: number, count: number][] {
  const out: [number, number][] = [];
  let offset = 0;
  let next = Math.max(1, first);
  while (offset < total) {
    const count = Math.min(next, total - offset);
    out.push([offset, count]);
    offset += count;
    next = Math.max(1, size);
  }
  return out;
}

/** A redaction placeholder `«kind:rule#n»` found in text. */
export interface Placeholder {
  readonly kind: string;
  readonly rule: string;
  readonly n: number;
}

export interface TextSegment {
  readonly text: string;
  /** Present when `text` is exactly one placeholder. */
  readonly placeholder?: Placeholder;
}

/** Same shape as src/privacy/redact/placeholders.ts's pattern (kept in step by a unit test). */
const PLACEHOLDER_SOURCE = '«([a-z]{1,16}):([a-z0-9]{1,40}(?:-[a-z0-9]{1,40}){0,8})#([1-9][0-9]{0,8})»';

/** Splits `text` into plain runs and placeholders, in order; concatenating the texts gives `text`. */
export function segmentPlaceholders(text: string): TextSegment[] {
  if (text.indexOf('«') < 0) {
    return text === '' ? [] : [{ text }];
  }
  // Built per call: a global regex carries its lastIndex between calls.
  const re = new RegExp(PLACEHOLDER_SOURCE, 'g');
  const out: TextSegment[] = [];
  let pos = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > pos) {
      out.push({ text: text.slice(pos, m.index) });
    }
    out.push({ text: m[0], placeholder: { kind: m[1], rule: m[2], n: Number(m[3]) } });
    pos = m.index + m[0].length;
  }
  if (pos < text.length) {
    out.push({ text: text.slice(pos) });
  }
  return out;
}

/** How a placeholder is described to the developer (tooltip and screen readers). */
export function describePlaceholder(p: Placeholder): string {
  const what = p.kind === 'manual' ? 'your redact-everywhere text' : `a ${p.kind} value`;
  return `Redacted ${what} (rule ${p.rule}, value #${p.n})`;
}

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KB`;
  }
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}

/** `abcd1234…`: the first 8 hex digits, enough to compare at a glance. */
export function shortHash(sha256: string): string {
  return `${sha256.slice(0, 8)}…`;
}
