/**
 * Reading a log without modifying it: records in seq order, damaged records skipped and reported.
 * Safe while a writer appends (a half-written last line shows up as a torn tail).
 */
import { createNodeFs } from './fsBackend';
import type { StoreFs } from './fsBackend';
import type { TimedRecord } from './framing';
import { addSpan, notAFile, readSegment, scanSegmentFile, toSpan } from './recovery';
import type { DroppedSpan } from './recovery';
import { SegmentScanner, Slicer } from './scan';
import type { RecordCheck } from './scan';
import { listSegments } from './segments';

export interface LogEntry<T> {
  readonly seq: number;
  readonly record: T;
}

export interface ReadOptions {
  readonly fs?: StoreFs;
  /** Called for each damaged span skipped. */
  readonly onDamage?: (span: DroppedSpan) => void;
  /** Skip records with a smaller seq (whole segments that end before it are not parsed twice). */
  readonly fromSeq?: number;
  /** Refuses records beyond the frame checks; refused ones are damage (`bad-record`). */
  readonly check?: RecordCheck;
}

/**
 * The records of the log in `dir`, in seq order, streamed one segment at a time. Without `check`,
 * records are not validated beyond the frame (canonical JSON objects with a `ts` in the Date
 * range): `T` is the caller's claim. A segment that is not a file is damage, not an error.
 */
export async function* readLog<T extends TimedRecord = TimedRecord>(
  dir: string,
  options: ReadOptions = {},
): AsyncGenerator<LogEntry<T>, void, undefined> {
  const fs = options.fs ?? createNodeFs();
  const fromSeq = options.fromSeq ?? 1;
  let lastSeq = 0;
  for (const seg of await listSegments(fs, dir)) {
    const data = await readSegment(fs, seg);
    if (data === undefined) {
      options.onDamage?.(notAFile(seg.name));
      continue;
    }
    const scanner = new SegmentScanner(data, lastSeq, options.check);
    const slicer = new Slicer();
    for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
      if (item.kind === 'record') {
        if (item.seq >= fromSeq) {
          yield { seq: item.seq, record: item.value as unknown as T };
        }
      } else if (options.onDamage !== undefined) {
        options.onDamage(toSpan(seg.name, item));
      }
      if (slicer.due()) {
        await slicer.pause();
      }
    }
    lastSeq = scanner.lastSeq;
  }
}

/** All records and all damage at once (convenient for small logs and tests). */
export async function readLogAll<T extends TimedRecord = TimedRecord>(
  dir: string,
  options: Omit<ReadOptions, 'onDamage'> = {},
): Promise<{ entries: LogEntry<T>[]; damaged: DroppedSpan[] }> {
  const entries: LogEntry<T>[] = [];
  const damaged: DroppedSpan[] = [];
  for await (const entry of readLog<T>(dir, { ...options, onDamage: (d) => addSpan(damaged, d) })) {
    entries.push(entry);
  }
  return { entries, damaged };
}

export interface LogStatsReport {
  readonly segments: number;
  /** Total size of the segments. */
  readonly bytes: number;
  readonly records: number;
  /** Records per `t` field (`'?'` for records without a string `t`). */
  readonly byType: Readonly<Record<string, number>>;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** Smallest and largest `ts`. */
  readonly firstTs?: number;
  readonly lastTs?: number;
  /** Damaged spans (usually records) skipped. */
  readonly damaged: number;
  readonly damagedBytes: number;
}

/** Figures about the log in `dir`, read-only. */
export async function logStats(dir: string, options: { readonly fs?: StoreFs } = {}): Promise<LogStatsReport> {
  const fs = options.fs ?? createNodeFs();
  const byType: Record<string, number> = {};
  let segments = 0;
  let bytes = 0;
  let records = 0;
  let damaged = 0;
  let damagedBytes = 0;
  let firstSeq: number | undefined;
  let lastSeq = 0;
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  for (const seg of await listSegments(fs, dir)) {
    const scan = await scanSegmentFile(fs, seg, lastSeq, (r) => {
      const t = (r.value as { t?: unknown }).t;
      const key = typeof t === 'string' ? t : '?';
      byType[key] = (byType[key] ?? 0) + 1;
      firstTs = Math.min(firstTs, r.value.ts);
      lastTs = Math.max(lastTs, r.value.ts);
    });
    segments++;
    bytes += scan.data.length;
    damaged += scan.damage.length;
    for (const d of scan.damage) {
      damagedBytes += d.bytes;
    }
    firstSeq ??= scan.firstSeq;
    records += scan.records;
    lastSeq = scan.lastSeq;
  }
  return {
    segments,
    bytes,
    records,
    byType,
    ...(firstSeq !== undefined ? { firstSeq, lastSeq } : {}),
    ...(records > 0 ? { firstTs, lastTs } : {}),
    damaged,
    damagedBytes,
  };
}
