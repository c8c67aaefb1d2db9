/**
 * Small async file helpers for the preview and the outbox (no VS Code: unit-tested in plain mocha).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder, flushed to disk, then
 * renamed over the target. A reader (or a crash) sees the old file or the whole new one, never a
 * half-written bundle — the outbox must only ever hold complete, approved bytes.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

/** Whether a process is alive (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLockOptions {
  /** Whether the pid holding a lock is alive (a lock left by a dead window is taken over). */
  readonly isAlive?: (pid: number) => boolean;
  /** The clock a lock's age is measured with (tests move it). */
  readonly now?: () => number;
  /** Told when a stale lock is taken over (the caller logs it). */
  readonly onTakeover?: (lockPath: string) => void;
  /** The error thrown when the lock stays held past every attempt. */
  readonly lockedError?: (lockPath: string) => Error;
}

/** A held lock older than this is stale: the read-modify-write it guards takes milliseconds. */
const LOCK_STALE_MS = 5_000;
const LOCK_ATTEMPTS = 500;

/**
 * Takes `<file>.lock`, a lock file holding our pid, and resolves with its release: two extension
 * hosts (two windows of one workspace) that read-modify-write one small file never lose each
 * other's change. One left by a dead process, or older than LOCK_STALE_MS, is taken over.
 */
export async function acquireFileLock(file: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const lockPath = `${file}.lock`;
  const isAlive = options.isAlive ?? isProcessAlive;
  const now = options.now ?? Date.now;
  await mkdir(path.dirname(file), { recursive: true });
  const token = `${process.pid} ${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      // The lock appears with its owner already in it (written to a temp file, then hard-linked
      // into place, which fails if the lock exists): a waiter never reads an empty lock and
      // mistakes it for one a dead window left.
      const tmp = `${lockPath}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, token, { mode: 0o600 });
      try {
        await link(tmp, lockPath);
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      return async () => {
        const held = await readFile(lockPath, 'utf8').catch(() => '');
        if (held === token) {
          await unlink(lockPath).catch(() => undefined);
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    }
    const held = await readFile(lockPath, 'utf8').catch(() => undefined);
    const pid = Number(held?.split(' ')[0]);
    const age = await stat(lockPath).then((s) => now() - s.mtimeMs, () => 0);
    // An owner we cannot read (an empty lock) is presumed alive until the lock is old.
    const deadOwner = Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid);
    if (held !== undefined && (deadOwner || age > LOCK_STALE_MS)) {
      // Only the lock judged stale is removed: if another waiter took it over meanwhile, its
      // content differs and we wait for it like any live lock.
      const again = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (again === held) {
        options.onTakeover?.(lockPath);
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
    }
    if (attempt >= LOCK_ATTEMPTS) {
      throw options.lockedError?.(lockPath) ?? new Error(`${file} is locked by another window (${lockPath}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `fn` holding `<file>.lock` (see `acquireFileLock`). */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const release = await acquireFileLock(file, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}
