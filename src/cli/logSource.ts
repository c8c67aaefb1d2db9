/**
 * What the CLI needs from the event log, kept small so the CLI does not depend on the store's exact
 * API: `storeAdapter.ts` maps the store onto it.
 */
import type { LoggedEvent } from '../model/events';

/** A span of bytes the reader rejected: usually one damaged record. */
export interface DamagedRecord {
  /** Segment file name, e.g. `seg-000002.log`. */
  readonly segment: string;
  /** Byte offset of the span in the segment. */
  readonly offset: number;
  readonly bytes: number;
  /**
   * Short machine-readable reason, e.g. `checksum`, `torn-tail`, `non-canonical`, `bad-record`
   * (a sound frame whose record is not a valid event), `not-a-file` (see src/store/framing.ts).
   */
  readonly reason: string;
  /** The sequence number the damaged bytes claimed, if readable (not verified). */
  readonly seq?: number;
  /** For `bad-record`: what the event validator said (quotes recorded text: escape it to print). */
  readonly detail?: string;
}

export interface SegmentInfo {
  readonly name: string;
  readonly bytes: number;
  /** Intact records. */
  readonly records: number;
  /** Damaged spans. */
  readonly damaged: number;
}

/** Read-only verification of every record's framing and checksum. */
export interface LogCheck {
  readonly segments: readonly SegmentInfo[];
  readonly records: number;
  readonly damaged: readonly DamagedRecord[];
}

/** Physical size of a log. */
export interface LogSummary {
  readonly segments: readonly SegmentInfo[];
  readonly bytes: number;
  readonly records: number;
  readonly damaged: number;
}

export interface LogSource {
  /**
   * Intact records in seq order, each a valid event; damaged ones and records that are not valid
   * events skipped. Never modifies the log.
   */
  read(dir: string): AsyncIterable<LoggedEvent>;
  verify(dir: string): Promise<LogCheck>;
  stats(dir: string): Promise<LogSummary>;
}
