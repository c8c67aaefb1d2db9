/** Options, figures and notifications of the event log writer (eventLog.ts). */
import type { StoreFs } from './fsBackend';
import type { TimedRecord } from './framing';
import type { LogTimers } from './logTimers';
import type { Logger } from '../model/logger';

export interface EventLogOptions<T extends TimedRecord> {
  /** The log directory (created if missing). */
  readonly dir: string;
  /** Longest a queued record waits before a write starts (default 250). */
  readonly flushIntervalMs?: number;
  /** A write starts as soon as this many records are queued (default 500). */
  readonly flushMaxEvents?: number;
  /** At most one fsync per this many ms, besides `sync()` and `close()` (default 1000). */
  readonly fsyncIntervalMs?: number;
  /** A new segment starts before one would grow past this (default 4 MiB). */
  readonly segmentMaxBytes?: number;
  /** Records held in memory (queued or being written) at most; beyond, `append` refuses (default 10 000). */
  readonly queueMaxEvents?: number;
  /** Bytes held in memory at most (default 4 MiB). */
  readonly queueMaxBytes?: number;
  readonly logger?: Logger;
  /** Clock (ms since the epoch), for tests. */
  readonly now?: () => number;
  /**
   * Timers for the batched flushes, trailing fsyncs and retries (default: Node's, unref'd). Tests
   * pass a hand-moved clock together with `now`, so no test sleeps.
   */
  readonly timers?: LogTimers;
  /** File system backend (default: Node's fs/promises). */
  readonly fs?: StoreFs;
  /**
   * Runs on the write chain before every write of queued records (flush, sync, close): the
   * recording session re-checks consent here, and takes back with `discardAfter` what was queued
   * after a withdrawal it can now see. Must not throw (a failure is logged; the write goes on).
   */
  readonly beforeWrite?: () => Promise<void>;
  /** Builds the record written after records were refused: "`dropped` records were lost here". */
  readonly makeDropRecord?: (dropped: number, ts: number) => T;
}

export interface EventLogStats {
  /** Records accepted by `append` (given a seq), drop records included. */
  readonly appended: number;
  /** Records handed to the OS (written to the file). */
  readonly written: number;
  /** Records refused: queue full, log closed, or not serialisable. */
  readonly dropped: number;
  /** Records taken back unwritten by `discardAfter` (consent was withdrawn before they were written). */
  readonly discarded: number;
  readonly bytesWritten: number;
  /** Segments in the log (existing at open + started since). */
  readonly segments: number;
  /** Index of the segment being written. */
  readonly activeSegment: number;
  /** Seq of the last accepted record (0: none yet in this log). */
  readonly lastSeq: number;
  /** Seq of the last record written to the OS. */
  readonly writtenSeq: number;
  /** Seq of the last record known durable (fsynced). */
  readonly syncedSeq: number;
  /** Records in memory (queued or being written). */
  readonly queueLength: number;
  readonly queueBytes: number;
  /** True between a failed write and the next successful one. */
  readonly failing: boolean;
}

export interface RotateEvent {
  /** Index of the segment that starts now. */
  readonly segment: number;
  readonly previous: number;
  /** Seq the new segment's first record gets. */
  readonly firstSeq: number;
}

const DEFAULTS = {
  flushIntervalMs: 250,
  flushMaxEvents: 500,
  fsyncIntervalMs: 1000,
  segmentMaxBytes: 4 * 1024 * 1024,
  queueMaxEvents: 10_000,
  queueMaxBytes: 4 * 1024 * 1024,
} as const;

/** Options with defaults applied and checked. */
export interface Config {
  readonly dir: string;
  readonly flushIntervalMs: number;
  readonly flushMaxEvents: number;
  readonly fsyncIntervalMs: number;
  readonly segmentMaxBytes: number;
  readonly queueMaxEvents: number;
  readonly queueMaxBytes: number;
}

/** Applies defaults and checks the numbers (RangeError on a non-positive or non-finite one). */
export function resolveConfig<T extends TimedRecord>(options: EventLogOptions<T>): Config {
  return {
    dir: options.dir,
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs ?? DEFAULTS.flushIntervalMs),
    flushMaxEvents: positive('flushMaxEvents', options.flushMaxEvents ?? DEFAULTS.flushMaxEvents),
    fsyncIntervalMs: nonNegative('fsyncIntervalMs', options.fsyncIntervalMs ?? DEFAULTS.fsyncIntervalMs),
    segmentMaxBytes: positive('segmentMaxBytes', options.segmentMaxBytes ?? DEFAULTS.segmentMaxBytes),
    queueMaxEvents: positive('queueMaxEvents', options.queueMaxEvents ?? DEFAULTS.queueMaxEvents),
    queueMaxBytes: positive('queueMaxBytes', options.queueMaxBytes ?? DEFAULTS.queueMaxBytes),
  };
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`event log: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`event log: ${name} must be a non-negative number, got ${value}`);
  }
  return value;
}
