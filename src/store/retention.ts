/**
 * Retention (delete whole old segments, never the active one) and "Delete Local Data".
 */
import { join } from 'node:path';
import { errorCode, LogLockedError } from './errors';
import { createNodeFs } from './fsBackend';
import type { StoreFs } from './fsBackend';
import { isProcessAlive } from './lock';
import { nullLogger } from '../model/logger';
import type { Logger } from '../model/logger';
import { scanSegmentFile } from './recovery';
import { isTempSegment, listSegments, LOCK_FILE, parseSegmentName, readdirOrEmpty, RECOVERY_JOURNAL } from './segments';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Delete closed segments whose newest record is older than this. */
  readonly maxAgeDays?: number;
  /** Then delete the oldest closed segments until all segments total at most this. */
  readonly maxBytes?: number;
  /** Current time, ms since the epoch (default Date.now()). */
  readonly now?: number;
  readonly fs?: StoreFs;
  readonly logger?: Logger;
}

export interface RetentionDeletion {
  readonly segment: string;
  readonly bytes: number;
  /** `empty`: a closed segment without any intact record. */
  readonly reason: 'age' | 'size' | 'empty';
  readonly newestTs?: number;
}

export interface RetentionResult {
  readonly deleted: readonly RetentionDeletion[];
  readonly remainingSegments: number;
  readonly remainingBytes: number;
}

/**
 * Applies retention to the log in `dir`. The highest-numbered segment is the active one (a writer
 * may be appending to it) and is never deleted. Safe to run while the writer has the log open.
 */
export async function enforceRetention(dir: string, options: RetentionOptions = {}): Promise<RetentionResult> {
  const fs = options.fs ?? createNodeFs();
  const logger = options.logger ?? nullLogger;
  const now = options.now ?? Date.now();
  const segments = await listSegments(fs, dir);
  const closed = segments.slice(0, -1);
  const active = segments[segments.length - 1];

  interface Info {
    readonly name: string;
    readonly path: string;
    readonly bytes: number;
    readonly newestTs: number | undefined;
  }
  const infos: Info[] = [];
  for (const seg of closed) {
    const scan = await scanSegmentFile(fs, seg, 0);
    if (scan.notAFile) {
      continue; // not ours to delete (the writer's recovery moves it aside); it holds no records
    }
    infos.push({ name: seg.name, path: seg.path, bytes: scan.data.length, newestTs: scan.newestTs });
  }
  const activeBytes = active === undefined ? 0 : await sizeOrZero(fs, active.path);

  const deleted: RetentionDeletion[] = [];
  const keep: Info[] = [];
  const cutoff = options.maxAgeDays === undefined ? undefined : now - options.maxAgeDays * DAY_MS;
  for (const info of infos) {
    if (info.newestTs === undefined) {
      deleted.push({ segment: info.name, bytes: info.bytes, reason: 'empty' });
    } else if (cutoff !== undefined && info.newestTs < cutoff) {
      deleted.push({ segment: info.name, bytes: info.bytes, reason: 'age', newestTs: info.newestTs });
    } else {
      keep.push(info);
    }
  }
  let total = activeBytes + keep.reduce((sum, i) => sum + i.bytes, 0);
  if (options.maxBytes !== undefined) {
    while (total > options.maxBytes && keep.length > 0) {
      const oldest = keep.shift()!;
      total -= oldest.bytes;
      deleted.push({
        segment: oldest.name,
        bytes: oldest.bytes,
        reason: 'size',
        ...(oldest.newestTs !== undefined ? { newestTs: oldest.newestTs } : {}),
      });
    }
  }
  for (const d of deleted) {
    await unlinkIfPresent(fs, join(dir, d.segment));
  }
  if (deleted.length > 0) {
    await fs.syncDir(dir);
    const freed = deleted.reduce((sum, d) => sum + d.bytes, 0);
    logger.info(`event log: retention deleted ${deleted.length} segment(s), ${freed} B`);
  }
  return { deleted, remainingSegments: keep.length + (active === undefined ? 0 : 1), remainingBytes: total };
}

/**
 * Deletes the whole log: segments, leftovers of interrupted rewrites, the recovery journal and the
 * lock, then the directory if it is empty. Close the EventLog first; rejects with LogLockedError if
 * another live process holds the lock.
 */
export async function deleteLog(dir: string, options: { readonly fs?: StoreFs } = {}): Promise<void> {
  const fs = options.fs ?? createNodeFs();
  const names = await readdirOrEmpty(fs, dir);
  if (names.includes(LOCK_FILE)) {
    const pid = await lockPid(fs, join(dir, LOCK_FILE));
    if (pid !== undefined && pid !== process.pid && isProcessAlive(pid)) {
      throw new LogLockedError(join(dir, LOCK_FILE), pid);
    }
  }
  const ours = names.filter(
    (n) =>
      parseSegmentName(n) !== undefined ||
      isTempSegment(n) ||
      n === RECOVERY_JOURNAL ||
      n.startsWith(`${LOCK_FILE}.stale-`),
  );
  // The lock goes last, so that a crash midway leaves the directory still locked, not half-deleted.
  if (names.includes(LOCK_FILE)) {
    ours.push(LOCK_FILE);
  }
  for (const name of ours) {
    await unlinkIfPresent(fs, join(dir, name));
  }
  try {
    await fs.rmdir(dir);
  } catch (err) {
    const code = errorCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EBUSY') {
      throw err;
    }
  }
}

async function lockPid(fs: StoreFs, path: string): Promise<number | undefined> {
  try {
    const text = Buffer.from(await fs.readFile(path)).toString('utf8');
    const value: unknown = JSON.parse(text);
    const pid = typeof value === 'object' && value !== null ? (value as { pid?: unknown }).pid : value;
    return typeof pid === 'number' && Number.isSafeInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function unlinkIfPresent(fs: StoreFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      throw err;
    }
  }
}

async function sizeOrZero(fs: StoreFs, path: string): Promise<number> {
  try {
    return await fs.size(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      return 0;
    }
    throw err;
  }
}
