/**
 * Recovery: validates every segment of a log, and (with `repair`) rewrites damaged segments so that
 * they hold only their intact records, journaling what was dropped. The writer runs it on open;
 * `candor verify` runs it read-only.
 */
import { join } from 'node:path';
import { LogWriteError } from './errors';
import { createNodeFs } from './fsBackend';
import type { StoreFs } from './fsBackend';
import type { DamageReason } from './framing';
import { nullLogger } from '../model/logger';
import type { Logger } from '../model/logger';
import { scanSegment } from './scan';
import type { SegmentScan } from './scan';
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
  /** Segments rewritten without their damaged records (repair mode only). */
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
}

/** Reads and scans one segment. */
export async function scanSegmentFile(
  fs: StoreFs,
  seg: SegmentFile,
  afterSeq: number,
): Promise<{ data: Buffer; scan: SegmentScan }> {
  const raw = await fs.readFile(seg.path);
  const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return { data, scan: scanSegment(data, afterSeq) };
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
    const { data, scan } = await scanSegmentFile(fs, seg, lastSeq);
    const spans = scan.damage.map((d): DroppedSpan => ({ segment: seg.name, ...d }));
    dropped.push(...spans);
    let bytes = data.length;
    if (spans.length > 0) {
      logger.warn(describeDamage(seg.name, spans, repair));
      if (repair) {
        await journal(fs, dir, spans, now());
        const clean = cleanCopy(data, scan);
        await rewriteAtomically(fs, seg.path, clean);
        rewritten.push(seg.name);
        bytes = clean.length;
      }
    }
    let newestTs: number | undefined;
    for (const r of scan.records) {
      if (newestTs === undefined || r.value.ts > newestTs) {
        newestTs = r.value.ts;
      }
    }
    const first = scan.records[0];
    const last = scan.records[scan.records.length - 1];
    segments.push({
      index: seg.index,
      name: seg.name,
      bytes,
      records: scan.records.length,
      ...(first !== undefined && last !== undefined ? { firstSeq: first.seq, lastSeq: last.seq } : {}),
      ...(newestTs !== undefined ? { newestTs } : {}),
      damaged: spans.length,
    });
    records += scan.records.length;
    lastSeq = scan.lastSeq;
  }
  if (rewritten.length > 0) {
    await fs.syncDir(dir);
  }
  return { segments, records, dropped, rewritten, lastSeq, nextSeq: lastSeq + 1 };
}

/** The segment's intact records, each followed by LF. */
function cleanCopy(data: Buffer, scan: SegmentScan): Buffer {
  let size = 0;
  for (const r of scan.records) {
    size += r.end - r.start + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const r of scan.records) {
    pos += data.copy(out, pos, r.start, r.end);
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
      let off = 0;
      while (off < data.length) {
        const n = await fh.write(data, off, data.length - off);
        if (n <= 0) {
          throw Object.assign(new Error('short write'), { code: 'EIO' });
        }
        off += n;
      }
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
