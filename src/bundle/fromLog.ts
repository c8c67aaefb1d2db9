/**
 * Selecting a bundle's raw events from the local log: a time range and/or one recording session,
 * minus seq ranges to leave out (what the developer already approved).
 *
 * A selection that starts in the middle of a document's history, or skips some of it, would leave
 * the next selected edits with no text to apply to. So a document whose selected event needs its
 * text (an edit, a checkpoint, a rename) while the selection has not established that text gets a
 * snapshot of its state in the log just before. That snapshot carries the seq and ts of the event
 * that produced that state (a true statement about the log: at that seq, the document had that
 * text), so seqs stay unique and increasing.
 *
 * The log is streamed once and never replayed as a whole: each document keeps only its last
 * snapshot and the edits since (references to events already parsed), and is replayed only when
 * the selection needs a snapshot of it. A selection from the start of the log therefore replays
 * nothing at all. A document with a long unselected history is compacted into a text buffer now
 * and then, so that history is not held in memory.
 */
import type { EditEvent, LoggedEvent, SnapshotEvent } from '../model/events';
import type { DocumentBuffer } from '../replay/buffer';
import { chunkedBufferFactory } from '../replay/buffer';
import type { StoreFs } from '../store/fsBackend';
import { createNodeFs } from '../store/fsBackend';
import { asBuffer } from '../store/framing';
import { SegmentScanner, Slicer } from '../store/scan';
import { listSegments } from '../store/segments';
import type { BuildControl, BuiltBundle, BundleInput } from './build';
import { buildBundle, checkCancelled, reportPhase } from './build';
import type { SeqRange, SeqRanges } from './seqRanges';
import { normalizeRanges, RangeBuilder, RangeCursor } from './seqRanges';
import { validateEvent } from './validate';

export interface LogSelection {
  /** Only events with `ts >= from` (ms since the epoch). */
  readonly from?: number;
  /** Only events with `ts <= to`. */
  readonly to?: number;
  /** Only events of this recording session: from its start/resume event to its pause/stop event. */
  readonly sessionId?: string;
  /** Never events with these seqs (e.g. those already approved). */
  readonly exclude?: readonly SeqRange[];
  readonly fs?: StoreFs;
}

/** A log record left out because it is not a valid event of this format (e.g. from a newer Candor). */
export interface SkippedRecord {
  readonly seq: number;
  readonly reason: string;
}

export interface SelectedEvents {
  readonly events: LoggedEvent[];
  readonly skipped: readonly SkippedRecord[];
  /** Damaged spans of the log the reader skipped. */
  readonly damaged: number;
  /** Snapshots added to establish a document's text (see the file comment). */
  readonly synthesized: number;
  /**
   * The log seqs the selection took (synthesized snapshots not included), as ranges; a record
   * that was not a valid event inside a run does not split it. What approving the bundle decides.
   */
  readonly covered: SeqRange[];
}

/** Edits held per document before they are compacted into its text (unselected ones only count). */
const MAX_HELD_EDITS = 2048;

/** A document's state in the log, replayed only on demand. */
interface DocHistory {
  /** The last snapshot, until the history is replayed into `buffer`. */
  snapshot: SnapshotEvent | undefined;
  buffer: DocumentBuffer | undefined;
  /** Version of the text in `buffer` (or of `snapshot`). */
  v: number;
  /** Edits after the snapshot or buffer, not applied yet (the log's own objects: nothing is copied). */
  held: LoggedEvent[];
  /** Whether each held edit was selected (parallel to `held`). */
  heldSelected: boolean[];
  heldUnselected: number;
  /** The event that produced the current text (the snapshot or the last applied edit). */
  stateSeq: number;
  stateTs: number;
  /** Whether the bundle already has an event at `stateSeq` (selected, or a synthesized snapshot). */
  stateUsed: boolean;
  /** The rename that gave the document its current name, when later than `stateSeq`. */
  rename: { seq: number; ts: number; used: boolean } | undefined;
}

/** Replays the held edits into the buffer (the replayer's rules: covered versions and out-of-range edits are skipped). */
function replayHeld(doc: DocHistory): DocumentBuffer | undefined {
  if (doc.buffer === undefined) {
    if (doc.snapshot === undefined) {
      return undefined;
    }
    doc.buffer = chunkedBufferFactory(doc.snapshot.text, doc.stateSeq);
    doc.snapshot = undefined;
  }
  const buffer = doc.buffer;
  for (let h = 0; h < doc.held.length; h++) {
    const seq = doc.held[h].seq;
    const ev = doc.held[h].event as EditEvent;
    if (ev.v <= doc.v) {
      continue;
    }
    let len = buffer.length;
    let fits = true;
    for (const [offset, length, text] of ev.c) {
      if (offset + length > len) {
        fits = false;
        break;
      }
      len += text.length - length;
    }
    if (!fits) {
      continue;
    }
    ev.c.forEach(([offset, length, text], k) => buffer.apply(offset, length, text, seq, k));
    doc.v = ev.v;
    doc.stateSeq = seq;
    doc.stateTs = ev.ts;
    doc.stateUsed = doc.heldSelected[h];
    if (doc.rename !== undefined && doc.rename.seq < seq) {
      doc.rename = undefined;
    }
  }
  doc.held = [];
  doc.heldSelected = [];
  doc.heldUnselected = 0;
  return buffer;
}

export async function selectFromLog(dir: string, selection: LogSelection = {}, control?: BuildControl): Promise<SelectedEvents> {
  const from = selection.from ?? Number.NEGATIVE_INFINITY;
  const to = selection.to ?? Number.POSITIVE_INFINITY;
  const excluded = new RangeCursor(normalizeRanges(selection.exclude ?? []));
  const selected: LoggedEvent[] = [];
  const skipped: SkippedRecord[] = [];
  const covered = new RangeBuilder();
  const docs = new Map<string, DocHistory>();
  /** Documents whose current text in the log the selection itself establishes. */
  const established = new Set<string>();
  let synthesized = 0;
  let damaged = 0;
  let session: string | undefined;

  /** Adds a snapshot of `f`'s state in the log, if it has one the bundle can name by a free seq. */
  const synthesize = (f: string): void => {
    const doc = docs.get(f);
    if (doc === undefined) {
      return;
    }
    const buffer = replayHeld(doc);
    if (buffer === undefined) {
      return;
    }
    let at: { seq: number; ts: number };
    if (!doc.stateUsed) {
      doc.stateUsed = true;
      at = { seq: doc.stateSeq, ts: doc.stateTs };
    } else if (doc.rename !== undefined && !doc.rename.used) {
      doc.rename.used = true;
      at = doc.rename;
    } else {
      return; // that state is already in the bundle under this seq
    }
    const snap: LoggedEvent = { seq: at.seq, event: { t: 'snap', ts: at.ts, f, v: doc.v, text: buffer.getText() } };
    insertBySeq(selected, snap);
    synthesized++;
  };

  /** One record of the log, in seq order. */
  const visit = (seq: number, record: unknown): void => {
    const e: LoggedEvent = { seq, event: record as LoggedEvent['event'] };
    try {
      validateEvent(e);
    } catch (err) {
      skipped.push({ seq, reason: err instanceof Error ? err.message : String(err) });
      covered.bridge(seq);
      return;
    }
    const ev = e.event;
    if (ev.t === 'session' && (ev.op === 'start' || ev.op === 'resume')) {
      session = ev.sid;
    }
    const inSession = selection.sessionId === undefined || session === selection.sessionId;
    const take = inSession && ev.ts >= from && ev.ts <= to && !excluded.has(seq);
    if (take) {
      covered.add(seq);
      const needsText = ev.t === 'edit' || ev.t === 'ckpt' || (ev.t === 'file' && ev.op === 'rename') ? ev.f : undefined;
      if (needsText !== undefined && !established.has(needsText)) {
        synthesize(needsText);
        established.add(needsText);
      }
      if (ev.t === 'snap') {
        established.add(ev.f);
      } else if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
        if (established.delete(ev.f)) {
          established.add(ev.to);
        } else {
          established.delete(ev.to);
        }
      } else if (ev.t === 'file' && ev.op === 'delete') {
        established.delete(ev.f);
      }
      selected.push(e);
    } else {
      covered.gap();
      // The log's text moves on without the selection: the next selected use needs a snapshot.
      if (ev.t === 'snap' || ev.t === 'edit' || (ev.t === 'file' && ev.op === 'delete')) {
        established.delete(ev.f);
      } else if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
        established.delete(ev.f);
        established.delete(ev.to);
      }
    }
    track(docs, e, take);
    if (ev.t === 'session' && (ev.op === 'pause' || ev.op === 'stop')) {
      session = undefined;
    }
  };

  reportPhase(control, 'read');
  // Segment by segment, as the store's reader does, but without an async step per record: a day
  // is 100k records, and the reader's per-record promise cost more than the selection itself.
  const fs = selection.fs ?? createNodeFs();
  const slicer = new Slicer();
  let lastSeq = 0;
  for (const seg of await listSegments(fs, dir)) {
    const scanner = new SegmentScanner(asBuffer(await fs.readFile(seg.path)), lastSeq);
    for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
      if (item.kind === 'record') {
        visit(item.seq, item.value);
      } else {
        damaged++;
      }
      if (slicer.due()) {
        await slicer.pause(); // lets a cancel message in
        checkCancelled(control?.signal);
      }
    }
    lastSeq = scanner.lastSeq;
    checkCancelled(control?.signal);
  }
  return { events: selected, skipped, damaged, synthesized, covered: covered.ranges };
}

/** Mirrors how replay changes each document's state (src/replay/replayer.ts), lazily. */
function track(docs: Map<string, DocHistory>, e: LoggedEvent, selected: boolean): void {
  const ev = e.event;
  switch (ev.t) {
    case 'snap':
      docs.set(ev.f, {
        snapshot: ev,
        buffer: undefined,
        v: ev.v,
        held: [],
        heldSelected: [],
        heldUnselected: 0,
        stateSeq: e.seq,
        stateTs: ev.ts,
        stateUsed: selected,
        rename: undefined,
      });
      return;
    case 'edit': {
      const doc = docs.get(ev.f);
      if (doc === undefined) {
        return; // no text yet: replay holds it until a snapshot, which then replaces the state
      }
      doc.held.push(e);
      doc.heldSelected.push(selected);
      if (!selected && ++doc.heldUnselected > MAX_HELD_EDITS) {
        replayHeld(doc);
      }
      return;
    }
    case 'file':
      if (ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
        // As the replayer does: a rename of a document without text leaves the target as it was.
        const doc = docs.get(ev.f);
        docs.delete(ev.f);
        if (doc !== undefined) {
          doc.rename = { seq: e.seq, ts: ev.ts, used: selected };
          docs.set(ev.to, doc);
        }
      } else if (ev.op === 'delete') {
        docs.delete(ev.f);
      }
      return;
    default:
      return;
  }
}

/** Inserts `e` in seq order (synthesized snapshots carry earlier seqs than the event that needed them). */
function insertBySeq(events: LoggedEvent[], e: LoggedEvent): void {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].seq < e.seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  events.splice(lo, 0, e);
}

export interface LogBundleOptions extends Omit<BundleInput, 'events'>, LogSelection {}

export interface LogBundle extends BuiltBundle {
  readonly skipped: readonly SkippedRecord[];
  readonly damaged: number;
  readonly synthesized: number;
  readonly covered: SeqRanges;
}

/** Reads the selected events of the log in `dir` and builds a bundle of them. */
export async function buildBundleFromLog(dir: string, options: LogBundleOptions, control?: BuildControl): Promise<LogBundle> {
  const { from, to, sessionId, exclude, fs, ...params } = options;
  const selection = await selectFromLog(dir, { from, to, sessionId, exclude, fs }, control);
  // selectFromLog validated every event it kept (and seqs come from the log in increasing order).
  const built = await buildBundle({ ...params, events: selection.events }, { ...control, eventsValidated: true });
  return { ...built, skipped: selection.skipped, damaged: selection.damaged, synthesized: selection.synthesized, covered: selection.covered };
}
