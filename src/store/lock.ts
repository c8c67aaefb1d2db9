/**
 * One writer per log directory: a lock file created exclusively (`wx`) holding the writer's pid.
 * A lock whose pid is no longer alive (a crashed or killed window) is stale and taken over; a live
 * one makes acquisition fail with LogLockedError.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errorCode, LogLockedError, LogWriteError } from './errors';
import { createNodeFs, writeFully } from './fsBackend';
import type { StoreFs } from './fsBackend';
import type { Logger } from '../model/logger';
import { LOCK_FILE } from './segments';
import { isProcessAlive } from '../util/files';

export interface LogLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Never rejects. */
  release(): Promise<void>;
}

interface LockContent {
  readonly pid: number;
  readonly host?: string;
  readonly token?: string;
}

export { isProcessAlive };

const MAX_ATTEMPTS = 5;

export async function acquireLock(
  fs: StoreFs,
  dir: string,
  logger: Logger,
  isAlive: (pid: number) => boolean = isProcessAlive,
): Promise<LogLock> {
  const path = join(dir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, host: hostname(), token, ts: Date.now() });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await tryCreate(fs, path, content)) {
      return { path, release: () => releaseLock(fs, path, token, logger) };
    }
    const current = await readLock(fs, path);
    if (current === 'missing') {
      continue; // released meanwhile: try again
    }
    if (current !== 'unreadable' && isAlive(current.pid)) {
      throw new LogLockedError(path, current.pid);
    }
    if (current === 'unreadable' && attempt === 0) {
      // Perhaps another writer is between creating and filling it: look again shortly.
      await delay(50);
      continue;
    }
    // Stale. Move it aside (atomic), check it is still the one we judged, then drop it.
    const aside = `${path}.stale-${token}`;
    try {
      await fs.rename(path, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        continue;
      }
      throw new LogWriteError('lock', path, err);
    }
    const moved = await readLock(fs, aside);
    if (moved !== 'missing' && moved !== 'unreadable' && isAlive(moved.pid)) {
      // Someone took it over between our read and the rename: give it back.
      await fs.rename(aside, path).catch(() => undefined);
      throw new LogLockedError(path, moved.pid);
    }
    await fs.unlink(aside).catch(() => undefined);
    logger.warn(
      `event log: took over a stale lock${current === 'unreadable' ? '' : ` of process ${current.pid}`} (${path})`,
    );
  }
  throw new LogLockedError(path, undefined);
}

async function tryCreate(fs: StoreFs, path: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(path, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') {
      return false;
    }
    throw new LogWriteError('lock', path, err);
  }
  try {
    await writeFully(fh, Buffer.from(content, 'utf8'));
    await fh.datasync();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.unlink(path).catch(() => undefined);
    throw new LogWriteError('lock', path, err);
  }
  return true;
}

async function readLock(fs: StoreFs, path: string): Promise<LockContent | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = Buffer.from(await fs.readFile(path)).toString('utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      return 'missing';
    }
    throw new LogWriteError('lock', path, err);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as { pid?: unknown }).pid === 'number') {
      return value as LockContent;
    }
  } catch {
    // fall through
  }
  // A bare pid (a hand-written or older lock).
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? { pid } : 'unreadable';
}

async function releaseLock(fs: StoreFs, path: string, token: string, logger: Logger): Promise<void> {
  try {
    const current = await readLock(fs, path);
    if (current === 'missing') {
      return;
    }
    if (current === 'unreadable' || current.token !== token) {
      logger.warn(`event log: lock ${path} is no longer ours; left in place`);
      return;
    }
    await fs.unlink(path);
  } catch (err) {
    logger.warn(`event log: could not release lock ${path}: ${String(err)}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The pid of the live process that holds the lock of the log in `dir`, or undefined (no lock, an
 * unreadable one, or one left by a dead process). Lets one window tell whether another window is
 * writing a log right now.
 */
export async function lockHolder(
  dir: string,
  fs: StoreFs = createNodeFs(),
  isAlive: (pid: number) => boolean = isProcessAlive,
): Promise<number | undefined> {
  const current = await readLock(fs, join(dir, LOCK_FILE)).catch(() => 'unreadable' as const);
  if (current === 'missing' || current === 'unreadable') {
    return undefined;
  }
  return isAlive(current.pid) ? current.pid : undefined;
}
