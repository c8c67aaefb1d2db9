/**
 * Recovery: validates every segment of a log, and (with `repair`) rewrites damaged segments so that
 * they hold only their intact records, journaling what was dropped. The writer runs it on open;
 * `candor verify` runs it read-only.
 */
import { join } from 'node:path';
import { errorCode, LogWriteError } from './errors';
import { createNodeFs, writeFully } from './fsBackend';
import type { StoreFs } from './fsBackend';
import type { DamageReason } from './framing';
import { nullLogger } from '../model/logger';
import type { Logger } from '../model/logger';
import { asBuffer } from './framing';
import { mergeable, SegmentScanner, Slicer } from './scan';
import type { RecordCheck, ScannedDamage, ScannedRecord } from './scan';
import { isTempSegment, listSegments, readdirOrEmpty, RECOVERY_JOURNAL, TEMP_SUFFIX } from './segments';
import type { SegmentFile } from './segments';

/** A span of bytes recovery (or a reader) rejected: usually one damaged record. */
export interface DroppedSpan {
  readonly segment: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: DamageReason;
  /** The sequence number the damaged bytes claimed, if readable (not verified). */
  readonly seq?: number;
  /** Why the caller's record check refused the record (`bad-record` only). */
  readonly detail?: string;
}

export interface SegmentSummary {
  readonly index: number;
  readonly name: string;
  /** Size in bytes (after the rewrite, if one happened). */
  readonly bytes: number;
  readonly records: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** Newest `ts` among its records. */
  readonly newestTs?: number;
  readonly damaged: number;
}

export interface RecoveryReport {
  readonly segments: readonly SegmentSummary[];
  /** Intact records kept. */
  readonly records: number;
  readonly dropped: readonly DroppedSpan[];
  /**
   * Segments rewritten without their damaged records, or moved aside when not a file (repair mode
   * only).
   */
  readonly rewritten: readonly string[];
  /** Highest intact sequence number (0 for an empty log). */
  readonly lastSeq: number;
  /** The sequence number the next record gets. */
  readonly nextSeq: number;
}

export interface RecoveryOptions {
  /** Rewrite damaged segments and journal the damage (default false: read-only). */
  readonly repair?: boolean;
  readonly fs?: StoreFs;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Refuses records beyond the frame checks (e.g. the CLI's event validation). */
  readonly check?: RecordCheck;
}

/** A scanner's damage item, named after its segment. */
export function toSpan(segment: string, d: ScannedDamage): DroppedSpan {
  return {
    segment,
    offset: d.offset,
    bytes: d.bytes,
    reason: d.reason,
    ...(d.seq === undefined ? {} : { seq: d.seq }),
    ...(d.detail === undefined ? {} : { detail: d.detail }),
  };
}

/**
 * Appends `span` to `list`, or extends the list's last span when `span` continues it (same
 * segment, contiguous, same reason, neither naming a seq): a flood of junk lines is one span.
 */
export function addSpan(list: DroppedSpan[], span: DroppedSpan): void {
  const last = list.length > 0 ? list[list.length - 1] : undefined;
  if (last !== undefined && last.segment === span.segment && mergeable(last, span)) {
    list[list.length - 1] = { segment: last.segment, offset: last.offset, bytes: last.bytes + span.bytes, reason: last.reason };
  } else {
    list.push(span);
  }
}

/**
 * A segment's bytes, or undefined when the segment is not a file (a directory named like one:
 * EISDIR). Other errors are I/O errors and propagate.
 */
export async function readSegment(fs: StoreFs, seg: SegmentFile): Promise<Buffer | undefined> {
  try {
    return asBuffer(await fs.readFile(seg.path));
  } catch (err) {
    if (errorCode(err) === 'EISDIR') {
      return undefined;
    }
    throw err;
  }
}

/** The damage reported for a segment that is not a file. */
export function notAFile(segment: string): DroppedSpan {
  return { segment, offset: 0, bytes: 0, reason: 'not-a-file' };
}

/** What scanning one segment file found. */
export interface SegmentFileScan {
  readonly data: Buffer;
  /** Accepted records: `[start, end)` byte ranges (LF excluded), flattened. */
  readonly ranges: number[];
  readonly damage: DroppedSpan[];
  readonly records: number;
  readonly firstSeq: number | undefined;
  /** Seq of the last accepted record (or the `afterSeq` given). */
  readonly lastSeq: number;
  readonly newestTs: number | undefined;
  /** The segment is not a file (then `data` is empty and `damage` says so). */
  readonly notAFile: boolean;
}

/**
 * Reads and scans one segment, giving the event loop a turn every few milliseconds (a 4 MiB
 * segment takes far longer than one frame to parse). `visit` sees each accepted record. A segment
 * that is not a file is reported as damage, not thrown.
 */
export async function scanSegmentFile(
  fs: StoreFs,
  seg: SegmentFile,
  afterSeq: number,
  visit?: (record: ScannedRecord) => void,
  check?: RecordCheck,
): Promise<SegmentFileScan> {
  const read = await readSegment(fs, seg);
  if (read === undefined) {
    const data = Buffer.alloc(0);
    return { data, ranges: [], damage: [notAFile(seg.name)], records: 0, firstSeq: undefined, lastSeq: afterSeq, newestTs: undefined, notAFile: true };
  }
  const data = read;
  const scanner = new SegmentScanner(data, afterSeq, check);
  const slicer = new Slicer();
  const ranges: number[] = [];
  const damage: DroppedSpan[] = [];
  let firstSeq: number | undefined;
  let newestTs: number | undefined;
  for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
    if (item.kind === 'record') {
      ranges.push(item.start, item.end);
      firstSeq ??= item.seq;
      if (newestTs === undefined || item.value.ts > newestTs) {
        newestTs = item.value.ts;
      }
      visit?.(item);
    } else {
      addSpan(damage, toSpan(seg.name, item));
    }
    if (slicer.due()) {
      await slicer.pause();
    }
  }
  return { data, ranges, damage, records: ranges.length / 2, firstSeq, lastSeq: scanner.lastSeq, newestTs, notAFile: false };
}

/**
 * Validates the log in `dir`. Never throws on any byte content (only on I/O errors). With
 * `repair`, the caller must hold the log's lock.
 */
export async function recoverLog(dir: string, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const fs = options.fs ?? createNodeFs();
  const logger = options.logger ?? nullLogger;
  const now = options.now ?? Date.now;
  const repair = options.repair ?? false;

  if (repair) {
    for (const name of await readdirOrEmpty(fs, dir)) {
      if (isTempSegment(name)) {
        await fs.unlink(join(dir, name)).catch(() => undefined);
      }
    }
  }

  const segments: SegmentSummary[] = [];
  const dropped: DroppedSpan[] = [];
  const rewritten: string[] = [];
  let lastSeq = 0;
  let records = 0;
  for (const seg of await listSegments(fs, dir)) {
    const scan = await scanSegmentFile(fs, seg, lastSeq, undefined, options.check);
    // A loop, not push(...spread): a segment may hold millions of damaged spans.
    for (const d of scan.damage) {
      dropped.push(d);
    }
    let bytes = scan.data.length;
    if (scan.damage.length > 0) {
      logger.warn(describeDamage(seg.name, scan.damage, repair));
      if (repair) {
        await journal(fs, dir, scan.damage, now());
        if (scan.notAFile) {
          // Nothing in it is Candor's to delete: move it aside, whole, so the name is free for
          // the writer (which may append to it as the last segment) and for rotation.
          await moveAside(fs, seg.path, now());
        } else {
          const clean = cleanCopy(scan.data, scan.ranges);
          await rewriteAtomically(fs, seg.path, clean);
          bytes = clean.length;
        }
        rewritten.push(seg.name);
      }
    }
    segments.push({
      index: seg.index,
      name: seg.name,
      bytes,
      records: scan.records,
      ...(scan.firstSeq !== undefined ? { firstSeq: scan.firstSeq, lastSeq: scan.lastSeq } : {}),
      ...(scan.newestTs !== undefined ? { newestTs: scan.newestTs } : {}),
      damaged: scan.damage.length,
    });
    records += scan.records;
    lastSeq = scan.lastSeq;
  }
  if (rewritten.length > 0) {
    await fs.syncDir(dir);
  }
  return { segments, records, dropped, rewritten, lastSeq, nextSeq: lastSeq + 1 };
}

/** The segment's intact records, each followed by LF. */
function cleanCopy(data: Buffer, ranges: readonly number[]): Buffer {
  let size = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    size += ranges[i + 1] - ranges[i] + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    pos += data.copy(out, pos, ranges[i], ranges[i + 1]);
    out[pos++] = 0x0a;
  }
  return out;
}

/** Write temp, fsync, rename over `path`. */
export async function rewriteAtomically(fs: StoreFs, path: string, data: Uint8Array): Promise<void> {
  const tmp = path + TEMP_SUFFIX;
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await writeFully(fh, data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new LogWriteError('rename', path, err);
  }
}

/** Renames `path` (not a file) to `<path>.not-a-segment-<time>`, beside it. */
async function moveAside(fs: StoreFs, path: string, time: number): Promise<void> {
  try {
    await fs.rename(path, `${path}.not-a-segment-${time}`);
  } catch (err) {
    throw new LogWriteError('rename', path, err);
  }
}

async function journal(fs: StoreFs, dir: string, spans: readonly DroppedSpan[], time: number): Promise<void> {
  const iso = new Date(time).toISOString();
  const lines = spans.map((s) => JSON.stringify({ time: iso, ...s }) + '\n').join('');
  try {
    await fs.appendFile(join(dir, RECOVERY_JOURNAL), lines);
  } catch (err) {
    throw new LogWriteError('write', join(dir, RECOVERY_JOURNAL), err);
  }
}

function describeDamage(segment: string, spans: readonly DroppedSpan[], repair: boolean): string {
  const shown = spans
    .slice(0, 5)
    .map((s) => `${s.reason} at byte ${s.offset} (${s.bytes} B${s.seq === undefined ? '' : `, seq ${s.seq}?`})`)
    .join('; ');
  const more = spans.length > 5 ? `; and ${spans.length - 5} more` : '';
  return `event log: ${segment}: ${repair ? 'dropped' : 'found'} ${spans.length} damaged span(s): ${shown}${more}`;
}
