import type { Change, CheckpointEvent, EditEvent, FileEvent, LoggedEvent, SnapshotEvent } from '../model/events';
import type { BufferFactory, DocumentBuffer } from './buffer';
import { chunkedBufferFactory } from './buffer';
import { sha256Hex } from './hash';
import type { ReplayIssue } from './issues';

/**
 * Called for every version replay establishes: after a snapshot and after each applied edit.
 * `getText` builds the full text on demand, so listeners that only need some versions stay cheap.
 */
export type VersionListener = (f: string, v: number, seq: number, getText: () => string) => void;

export interface ReplayerOptions {
  readonly createBuffer?: BufferFactory;
  readonly onVersion?: VersionListener;
}

/** A document as replayed at some point. */
export interface ReplayedDocument {
  readonly f: string;
  readonly text: string;
  readonly v: number;
  /** Seq of the last event that set the text: the last applied edit, or else the snapshot. */
  readonly lastSeq: number;
  readonly snapSeq: number;
  /** Absent when no edit was applied since the snapshot. */
  readonly lastEditSeq?: number;
}

export interface ReplayStats {
  /** Events passed to `apply`. */
  readonly events: number;
  readonly snapshots: number;
  /** Edit events applied to a document. */
  readonly editsApplied: number;
  /** Edit events skipped because a snapshot already included them (`v <=` its version). */
  readonly editsCovered: number;
  /** Individual changes applied. */
  readonly changes: number;
  readonly checkpoints: number;
  readonly checkpointsMatched: number;
  /**
   * Applied edits whose version jumped by more than one. Not an issue by itself (the recorder may
   * legitimately miss versions, e.g. dropped events); a checkpoint after it tells whether the text
   * still matches.
   */
  readonly versionGaps: number;
  readonly renames: number;
  readonly deletes: number;
}

type MutableStats = { -readonly [K in keyof ReplayStats]: ReplayStats[K] };

interface DocState {
  buffer: DocumentBuffer;
  v: number;
  snapSeq: number;
  lastEditSeq: number | undefined;
}

/** Edits seen for a document before any snapshot of it, waiting for a snapshot that includes them. */
interface PendingEdits {
  firstSeq: number;
  lastSeq: number;
  count: number;
  maxV: number;
}

/**
 * Rebuilds documents from snapshots and edits, in seq order, and checks every checkpoint.
 * Never throws on bad data: everything wrong becomes an entry in `issues`.
 *
 * Edits before a document's first snapshot are held back rather than reported at once: the
 * recorder snapshots a document after the edit that first touched it, and that edit may be logged
 * just before the snapshot. A later snapshot whose version covers them resolves them; otherwise
 * they become one `edit-before-snapshot` issue per run, when the run can no longer be covered
 * (rename, delete, a snapshot that does not cover them, or `finish()`).
 */
export class Replayer {
  private readonly docs = new Map<string, DocState>();
  private readonly pending = new Map<string, PendingEdits>();
  private readonly issueList: ReplayIssue[] = [];
  private readonly counters: MutableStats = {
    events: 0,
    snapshots: 0,
    editsApplied: 0,
    editsCovered: 0,
    changes: 0,
    checkpoints: 0,
    checkpointsMatched: 0,
    versionGaps: 0,
    renames: 0,
    deletes: 0,
  };
  private readonly createBuffer: BufferFactory;
  private readonly onVersion: VersionListener | undefined;
  private lastSeqSeen: number | undefined;

  constructor(options?: ReplayerOptions) {
    this.createBuffer = options?.createBuffer ?? chunkedBufferFactory;
    this.onVersion = options?.onVersion;
  }

  /** Issues so far; complete only after `finish()`. */
  get issues(): readonly ReplayIssue[] {
    return this.issueList;
  }

  get stats(): ReplayStats {
    return this.counters;
  }

  /** Seq of the last event applied. */
  get lastSeq(): number | undefined {
    return this.lastSeqSeen;
  }

  apply(e: LoggedEvent): void {
    this.counters.events++;
    this.lastSeqSeen = e.seq;
    const ev = e.event;
    switch (ev.t) {
      case 'edit':
        this.edit(e.seq, ev);
        return;
      case 'snap':
        this.snapshot(e.seq, ev);
        return;
      case 'ckpt':
        this.checkpoint(e.seq, ev);
        return;
      case 'file':
        this.file(e.seq, ev);
        return;
      default:
        return;
    }
  }

  /** Reports edits still waiting for a snapshot and sorts the issues by seq. Idempotent. */
  finish(): void {
    for (const f of [...this.pending.keys()]) {
      this.flushPending(f, 'no snapshot of it follows');
    }
    // Held-back runs are reported late; sorting puts them where they happened (sort is stable).
    this.issueList.sort((a, b) => a.seq - b.seq);
  }

  /** Documents that currently have text, sorted. */
  files(): string[] {
    return [...this.docs.keys()].sort();
  }

  document(f: string): ReplayedDocument | undefined {
    const st = this.docs.get(f);
    if (st === undefined) {
      return undefined;
    }
    const base = { f, text: st.buffer.getText(), v: st.v, snapSeq: st.snapSeq, lastSeq: st.lastEditSeq ?? st.snapSeq };
    return st.lastEditSeq === undefined ? base : { ...base, lastEditSeq: st.lastEditSeq };
  }

  private edit(seq: number, ev: EditEvent): void {
    const changes = ev.c;
    if (typeof ev.f !== 'string' || typeof ev.v !== 'number' || !isList(changes)) {
      this.malformed(seq, ev.f, 'edit without a valid f, v or c');
      return;
    }
    const st = this.docs.get(ev.f);
    if (st === undefined) {
      this.holdPending(seq, ev);
      return;
    }
    if (ev.v <= st.v) {
      this.counters.editsCovered++;
      return;
    }
    // Check the whole event before touching the buffer, so a bad event is skipped as a unit
    // instead of leaving the document half-edited.
    let len = st.buffer.length;
    for (let k = 0; k < changes.length; k++) {
      const ch: unknown = changes[k];
      if (!isChange(ch)) {
        this.malformed(seq, ev.f, `change #${k} is not [offset, length, text]`);
        return;
      }
      const [offset, length, text] = ch;
      if (offset + length > len) {
        this.issueList.push({
          kind: 'edit-out-of-range',
          seq,
          f: ev.f,
          v: ev.v,
          message:
            `seq ${seq}: edit of ${ev.f} v${ev.v} change #${k} [${offset}, ${length}] is outside the document ` +
            `(length ${len} at that point); event skipped`,
        });
        return;
      }
      len += text.length - length;
    }
    for (let k = 0; k < changes.length; k++) {
      const [offset, length, text] = changes[k];
      st.buffer.apply(offset, length, text, seq, k);
    }
    this.counters.editsApplied++;
    this.counters.changes += changes.length;
    if (ev.v > st.v + 1) {
      this.counters.versionGaps++;
    }
    st.v = ev.v;
    st.lastEditSeq = seq;
    if (this.onVersion !== undefined) {
      const buffer = st.buffer;
      this.onVersion(ev.f, ev.v, seq, () => buffer.getText());
    }
  }

  private snapshot(seq: number, ev: SnapshotEvent): void {
    if (typeof ev.f !== 'string' || typeof ev.v !== 'number' || typeof ev.text !== 'string') {
      this.malformed(seq, ev.f, 'snapshot without a valid f, v or text');
      return;
    }
    const waiting = this.pending.get(ev.f);
    if (waiting !== undefined) {
      if (waiting.maxV <= ev.v) {
        this.pending.delete(ev.f);
        this.counters.editsCovered += waiting.count;
      } else {
        this.flushPending(ev.f, `the snapshot at seq ${seq} is only at v${ev.v}`);
      }
    }
    // A snapshot is authoritative: it replaces whatever state the document had.
    const buffer = this.createBuffer(ev.text, seq);
    this.docs.set(ev.f, { buffer, v: ev.v, snapSeq: seq, lastEditSeq: undefined });
    this.counters.snapshots++;
    if (this.onVersion !== undefined) {
      this.onVersion(ev.f, ev.v, seq, () => buffer.getText());
    }
  }

  private checkpoint(seq: number, ev: CheckpointEvent): void {
    if (typeof ev.f !== 'string' || typeof ev.v !== 'number' || typeof ev.h !== 'string') {
      this.malformed(seq, ev.f, 'checkpoint without a valid f, v or h');
      return;
    }
    this.counters.checkpoints++;
    const st = this.docs.get(ev.f);
    if (st === undefined) {
      this.issueList.push({
        kind: 'checkpoint-without-document',
        seq,
        f: ev.f,
        v: ev.v,
        message: `seq ${seq}: checkpoint of ${ev.f} v${ev.v}, but replay has no text for ${ev.f} (no snapshot)`,
      });
      return;
    }
    const actual = sha256Hex(st.buffer.getText());
    if (actual === ev.h.toLowerCase()) {
      this.counters.checkpointsMatched++;
      return;
    }
    const last =
      st.lastEditSeq === undefined
        ? `no edit applied since the snapshot at seq ${st.snapSeq}`
        : `last edit applied: seq ${st.lastEditSeq}`;
    const versions = ev.v === st.v ? `v${ev.v}` : `v${ev.v} (replayed to v${st.v})`;
    this.issueList.push({
      kind: 'checkpoint-mismatch',
      seq,
      f: ev.f,
      v: ev.v,
      replayedV: st.v,
      snapSeq: st.snapSeq,
      ...(st.lastEditSeq === undefined ? {} : { lastEditSeq: st.lastEditSeq }),
      expected: ev.h,
      actual,
      message: `seq ${seq}: checkpoint mismatch for ${ev.f} ${versions}; ${last}; expected ${ev.h}, replayed ${actual}`,
    });
  }

  private file(seq: number, ev: FileEvent): void {
    if (ev.op === 'rename') {
      if (typeof ev.f !== 'string' || typeof ev.to !== 'string') {
        this.malformed(seq, ev.f, 'rename without a valid f or to');
        return;
      }
      this.counters.renames++;
      if (ev.to === ev.f) {
        return;
      }
      this.flushPending(ev.f, `it was renamed at seq ${seq}`);
      const st = this.docs.get(ev.f);
      this.docs.delete(ev.f);
      if (st !== undefined) {
        this.docs.set(ev.to, st);
      }
    } else if (ev.op === 'delete') {
      this.counters.deletes++;
      this.flushPending(ev.f, `it was deleted at seq ${seq}`);
      this.docs.delete(ev.f);
    }
  }

  private holdPending(seq: number, ev: EditEvent): void {
    const run = this.pending.get(ev.f);
    if (run === undefined) {
      this.pending.set(ev.f, { firstSeq: seq, lastSeq: seq, count: 1, maxV: ev.v });
    } else {
      run.lastSeq = seq;
      run.count++;
      run.maxV = Math.max(run.maxV, ev.v);
    }
  }

  private flushPending(f: string, why: string): void {
    const run = this.pending.get(f);
    if (run === undefined) {
      return;
    }
    this.pending.delete(f);
    const which = run.count === 1 ? `edit at seq ${run.firstSeq}` : `${run.count} edits at seq ${run.firstSeq}–${run.lastSeq}`;
    this.issueList.push({
      kind: 'edit-before-snapshot',
      seq: run.firstSeq,
      f,
      count: run.count,
      lastSeq: run.lastSeq,
      message: `seq ${run.firstSeq}: ${which} of ${f} before any snapshot of it, and ${why}`,
    });
  }

  private malformed(seq: number, f: unknown, what: string): void {
    const name = typeof f === 'string' ? f : '';
    this.issueList.push({
      kind: 'malformed-event',
      seq,
      f: name,
      message: `seq ${seq}: malformed event${name === '' ? '' : ` for ${name}`}: ${what}`,
    });
  }
}

function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** Array.isArray without the type guard, which would widen `readonly Change[]` to any[]. */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

function isChange(x: unknown): x is Change {
  if (!Array.isArray(x)) {
    return false;
  }
  const items = x as unknown[];
  return isIndex(items[0]) && isIndex(items[1]) && typeof items[2] === 'string';
}
