/** What can be wrong in a log, as replay sees it. Each issue names the event (`seq`) and the file. */
export type ReplayIssueKind =
  /** Edits for a document that had no snapshot, and no later snapshot included them. */
  | 'edit-before-snapshot'
  /** A change's offset/length falls outside the document as replayed; the event was skipped. */
  | 'edit-out-of-range'
  /** A checkpoint's hash differs from the hash of the replayed text. */
  | 'checkpoint-mismatch'
  /** A checkpoint for a document replay holds no text for. */
  | 'checkpoint-without-document'
  /** A record of a known type whose fields replay needs are missing or of the wrong type. */
  | 'malformed-event';

export interface ReplayIssue {
  readonly kind: ReplayIssueKind;
  /** The event at fault (for a run of edits: the first of them). */
  readonly seq: number;
  /** The document ('' when the record did not name one). */
  readonly f: string;
  /** Version the event claims. */
  readonly v?: number;
  /** checkpoint-mismatch: the document's version as replayed. */
  readonly replayedV?: number;
  /** checkpoint-mismatch: the last edit applied to the document (absent: none since its snapshot). */
  readonly lastEditSeq?: number;
  /** checkpoint-mismatch: the document's snapshot. */
  readonly snapSeq?: number;
  /** checkpoint-mismatch: the hash in the checkpoint and the hash of the replayed text. */
  readonly expected?: string;
  readonly actual?: string;
  /** edit-before-snapshot: how many edits the run holds, and the last one. */
  readonly count?: number;
  readonly lastSeq?: number;
  /** Human-readable, names the seq(s) and the file. */
  readonly message: string;
}
