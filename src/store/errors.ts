/**
 * Typed errors of the event log. Both carry a brand (`name`) so that `is()` also recognises an
 * error thrown by another copy of this module (the CLI bundle and the extension bundle each embed
 * one).
 */

/** Error codes that mean "the disk (or the user's quota) is full". */
const DISK_FULL_CODES: readonly string[] = ['ENOSPC', 'EDQUOT'];

/** Which operation failed. */
export type LogWriteOp = 'open' | 'write' | 'sync' | 'close' | 'rename' | 'lock';

/** A write to the log failed. The data it concerned is kept in memory and retried. */
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
  /** The system error code (`ENOSPC`, `EIO`, …), or `EUNKNOWN` when the cause had none. */
  readonly code: string;
  readonly op: LogWriteOp;
  readonly path: string;

  constructor(op: LogWriteOp, path: string, cause: unknown) {
    const code = errorCode(cause) ?? 'EUNKNOWN';
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`event log ${op} failed (${code}) on ${path}: ${detail}`, { cause });
    this.code = code;
    this.op = op;
    this.path = path;
  }

  /** True when the disk or quota is full: the host should pause recording. */
  get isDiskFull(): boolean {
    return DISK_FULL_CODES.includes(this.code);
  }

  static is(err: unknown): err is LogWriteError {
    return err instanceof LogWriteError || hasBrand(err, 'LogWriteError');
  }
}

/** Another live process holds the log directory's lock. */
export class LogLockedError extends Error {
  override readonly name = 'LogLockedError';
  readonly lockPath: string;
  /** Pid recorded in the lock file (undefined if unreadable). */
  readonly pid: number | undefined;

  constructor(lockPath: string, pid: number | undefined) {
    super(
      `event log is locked by ${pid === undefined ? 'another process' : `process ${pid}`} (${lockPath}); ` +
        'another window is recording into this directory',
    );
    this.lockPath = lockPath;
    this.pid = pid;
  }

  static is(err: unknown): err is LogLockedError {
    return err instanceof LogLockedError || hasBrand(err, 'LogLockedError');
  }
}

/** True when `err` (a LogWriteError or a raw Node error) means the disk or quota is full. */
export function isDiskFull(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && DISK_FULL_CODES.includes(code);
}

/** The `code` of a Node system error, if any. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function hasBrand(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
