/**
 * The one consent truth of a workspace, shared by every window that has it open.
 *
 * VS Code gives each window of one workspace its own `storageUri` (and workspace state) when two
 * are open at once, but one `globalStorageUri`. So the consent of a workspace lives in a small
 * file under global storage, keyed by a hash of the workspace's identity:
 * `<globalStorage>/workspaces/<key>/consent.json`. Every change is written whole and atomically
 * (temp file, fsync, rename) under a short-lived lock file with a revision counter, so no window
 * ever reads half a record and no two windows lose each other's change. Every window watches the
 * file (fs.watch plus a poll, since watchers miss events) and re-checks it before each write of
 * its event log. No VS Code here: unit-tested in plain mocha.
 */
import { createHash } from 'node:crypto';
import { watch as fsWatch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CATEGORIES } from '../model/events';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import { acquireFileLock, isNotFound, isProcessAlive, writeFileAtomic } from '../util/files';
import { INITIAL_CONSENT, parseConsentSnapshot, type ConsentSnapshot } from './consentMachine';

export const CONSENT_RECORD_FILE = 'consent.json';
const FORMAT = 1;

/** One revision of a workspace's consent. */
export interface ConsentRecord {
  /** 0 when there is no record (nothing was ever granted here); +1 on every write. */
  readonly rev: number;
  readonly consent: ConsentSnapshot;
  /** When this revision was written (ms since the epoch; 0 without a record). */
  readonly changedAt: number;
  /**
   * Bumped when the developer deletes the local data: every window then deletes its own log and
   * records into a new one.
   */
  readonly epoch: number;
  /** Why the last change happened, in words (e.g. "stopped by the developer"). */
  readonly note?: string;
  /** The file could not be read as a record: no consent until it is written again. */
  readonly damaged?: true;
}

export const NO_RECORD: ConsentRecord = { rev: 0, consent: INITIAL_CONSENT, changedAt: 0, epoch: 0 };

/**
 * The folder name of a workspace under global storage: SHA-256 of its identity (the workspace
 * file URI, or its folder URIs in any order). Unsalted on purpose: every window must find the
 * same folder at once, and a salt kept in global state may not have reached a window opened at
 * the same moment. It never leaves the machine (the receipt carries a salted id instead).
 */
export function workspaceKey(identity: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of [...identity].sort()) {
    h.update(part);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/** Parses a record file's text. Anything malformed is `undefined` (treated as "no consent"). */
export function parseConsentRecord(text: string): ConsentRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const { format, rev, changedAt, epoch, note } = r;
  if (
    format !== FORMAT ||
    typeof rev !== 'number' ||
    !Number.isSafeInteger(rev) ||
    rev < 1 ||
    typeof changedAt !== 'number' ||
    !Number.isFinite(changedAt) ||
    typeof epoch !== 'number' ||
    !Number.isSafeInteger(epoch) ||
    epoch < 0 ||
    (note !== undefined && typeof note !== 'string')
  ) {
    return undefined;
  }
  const consent = parseConsentSnapshot(r['consent'], CATEGORIES);
  return { rev, consent, changedAt, epoch, ...(typeof note === 'string' ? { note } : {}) };
}

/** What a write asks for: the new consent (or the current one kept), and whether to bump the epoch. */
export interface RecordChange {
  readonly consent: ConsentSnapshot;
  readonly note?: string;
  readonly bumpEpoch?: boolean;
}

export interface ConsentRecordOptions {
  readonly logger: Logger;
  readonly now?: () => number;
  /** Whether a process is alive (a lock left by a dead window is taken over). */
  readonly isAlive?: (pid: number) => boolean;
}

/** The consent record file of one workspace. */
export class ConsentRecordFile {
  private last: ConsentRecord = NO_RECORD;
  /** inode:size:mtime of the file as last read: a probe with the same signature reads nothing. */
  private signature: string | undefined;
  private probing: Promise<ConsentRecord> | undefined;
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;

  constructor(
    readonly file: string,
    private readonly options: ConsentRecordOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.isAlive = options.isAlive ?? isProcessAlive;
  }

  /** The record as last read or written (no I/O). */
  get current(): ConsentRecord {
    return this.last;
  }

  /**
   * The record as it is on disk now. Cheap when nothing changed: one `stat`. A missing file is
   * NO_RECORD; a damaged one is logged and read as no consent (never as consent).
   */
  probe(): Promise<ConsentRecord> {
    this.probing ??= this.readNow().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /**
   * Applies `change` to the record as it is on disk now (under the lock): `change` gets the
   * current record and returns what to write, or undefined to write nothing. Resolves with the
   * record in force afterwards.
   */
  async update(change: (current: ConsentRecord) => RecordChange | undefined): Promise<ConsentRecord> {
    const release = await this.lock();
    try {
      this.signature = undefined; // read afresh under the lock
      const current = await this.readNow();
      const next = change(current);
      if (next === undefined) {
        return current;
      }
      const record: ConsentRecord = {
        rev: current.rev + 1,
        consent: next.consent,
        changedAt: this.now(),
        epoch: current.epoch + (next.bumpEpoch === true ? 1 : 0),
        ...(next.note !== undefined ? { note: next.note } : {}),
      };
      const stored = next.consent.state === 'off' ? { ...record, consent: { state: 'off' } } : record;
      await writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, ...stored })}\n`);
      this.last = record;
      this.signature = await this.signatureOf();
      return record;
    } finally {
      await release();
    }
  }

  private async readNow(): Promise<ConsentRecord> {
    const signature = await this.signatureOf();
    if (signature === undefined) {
      this.signature = undefined;
      this.last = NO_RECORD;
      return this.last;
    }
    if (signature === this.signature) {
      return this.last;
    }
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (isNotFound(err)) {
        this.signature = undefined;
        this.last = NO_RECORD;
        return this.last;
      }
      throw err;
    }
    const parsed = parseConsentRecord(text);
    if (parsed === undefined) {
      this.options.logger.error(`The consent record ${this.file} is damaged: read as "no consent" (nothing is recorded until consent is given again).`);
      // Keep the counters: the next write must not reuse a revision a window already saw.
      this.last = { rev: this.last.rev, consent: INITIAL_CONSENT, changedAt: this.now(), epoch: this.last.epoch, damaged: true };
    } else {
      this.last = parsed;
    }
    this.signature = signature;
    return this.last;
  }

  private async signatureOf(): Promise<string | undefined> {
    try {
      const s = await stat(this.file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      if (isNotFound(err)) {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * A lock file created exclusively, holding our pid. One left by a dead process, or older than
   * LOCK_STALE_MS (a write takes milliseconds), is taken over.
   */
  private lock(): Promise<() => Promise<void>> {
    return acquireFileLock(this.file, {
      isAlive: this.isAlive,
      now: this.now,
      onTakeover: (lockPath) => this.options.logger.warn(`Took over a stale consent-record lock (${lockPath}).`),
      lockedError: (lockPath) => new Error(`The consent record is locked by another window (${lockPath}).`),
    });
  }
}




/** What the watcher needs of the platform (injected in tests: no real timers, no sleeps). */
export interface WatchPlatform {
  /** Calls `onEvent` when something in `dir` may have changed; undefined if watching is impossible. */
  watch(dir: string, onEvent: () => void): { close(): void } | undefined;
  /** Calls `fn` every `ms`. */
  every(ms: number, fn: () => void): { cancel(): void };
}

export const nodeWatchPlatform: WatchPlatform = {
  watch: (dir, onEvent) => {
    try {
      const watcher = fsWatch(dir, { persistent: false }, () => onEvent());
      watcher.on('error', () => watcher.close()); // the poll still runs
      return watcher;
    } catch {
      return undefined; // the folder is missing or watching is unsupported: the poll covers it
    }
  },
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

interface Seen {
  readonly rev: number;
  readonly epoch: number;
  readonly damaged: boolean;
}

function seenOf(record: ConsentRecord): Seen {
  return { rev: record.rev, epoch: record.epoch, damaged: record.damaged === true };
}

/**
 * How often the watcher looks even without a file-system event. fs.watch reports a change at once;
 * the poll only catches an event the watcher missed, so 500 ms keeps a withdrawal inside its 1 s
 * budget while costing an idle window one `stat` every half second (the log's check before each
 * write covers the rest: nothing is written after a withdrawal it can see).
 */
export const CONSENT_POLL_MS = 500;

/**
 * Calls `onChange` with every new revision of the record, seen through fs.watch or the poll,
 * whichever is first. Revisions are compared by `rev` and `epoch`.
 */
export class ConsentRecordWatcher {
  private seen: Seen;
  private readonly watcher: { close(): void } | undefined;
  private readonly poll: { cancel(): void };
  private disposed = false;

  constructor(
    private readonly record: ConsentRecordFile,
    private readonly onChange: (record: ConsentRecord) => void,
    private readonly logger: Logger,
    platform: WatchPlatform = nodeWatchPlatform,
    pollMs = CONSENT_POLL_MS,
  ) {
    this.seen = seenOf(record.current);
    this.watcher = platform.watch(path.dirname(record.file), () => void this.check());
    this.poll = platform.every(pollMs, () => void this.check());
  }

  /** Marks `record` as seen (a change this window made itself is not reported back to it). */
  saw(record: ConsentRecord): void {
    this.seen = seenOf(record);
  }

  /** Reads the record now; reports it if it is new. */
  async check(): Promise<ConsentRecord | undefined> {
    if (this.disposed) {
      return undefined;
    }
    let record: ConsentRecord;
    try {
      record = await this.record.probe();
    } catch (err) {
      this.logger.warn(`Could not read the consent record: ${describeError(err)}`);
      return undefined;
    }
    const seen = seenOf(record);
    if (this.disposed || (seen.rev === this.seen.rev && seen.epoch === this.seen.epoch && seen.damaged === this.seen.damaged)) {
      return undefined;
    }
    this.seen = seen;
    this.onChange(record);
    return record;
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.poll.cancel();
  }
}
