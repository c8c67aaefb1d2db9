/**
 * Selecting a bundle's raw events from the local log: a time range and/or one recording session.
 *
 * A selection that starts in the middle of a document's history would leave its first edits with
 * no snapshot to apply to. So the whole log is replayed alongside, and a document whose first
 * selected event needs its text (an edit, a checkpoint, a rename) gets a snapshot of its replayed
 * state just before it. That snapshot carries the seq and ts of the event that produced that state
 * (a true statement about the log: at that seq, the document had that text), so seqs stay unique
 * and increasing.
 */
import type { LoggedEvent } from '../model/events';
import { Replayer } from '../replay/replayer';
import type { StoreFs } from '../store/fsBackend';
import { readLog } from '../store/reader';
import type { BuildControl, BuiltBundle, BundleInput } from './build';
import { buildBundle, checkCancelled, reportPhase } from './build';
import { validateEvent } from './validate';

export interface LogSelection {
  /** Only events with `ts >= from` (ms since the epoch). */
  readonly from?: number;
  /** Only events with `ts <= to`. */
  readonly to?: number;
  /** Only events of this recording session: from its start/resume event to its pause/stop event. */
  readonly sessionId?: string;
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
  /** Snapshots added at the start of the selection (see the file comment). */
  readonly synthesized: number;
}

export async function selectFromLog(dir: string, selection: LogSelection = {}, control?: BuildControl): Promise<SelectedEvents> {
  const from = selection.from ?? Number.NEGATIVE_INFINITY;
  const to = selection.to ?? Number.POSITIVE_INFINITY;
  const replayer = new Replayer();
  const selected: LoggedEvent[] = [];
  const skipped: SkippedRecord[] = [];
  const selectedSeqs = new Set<number>();
  /** Documents whose text the selection itself establishes (a selected or synthesized snapshot). */
  const established = new Set<string>();
  /** Seq and ts of the last snapshot or applied edit of each document, for synthesized snapshots. */
  const stateAt = new Map<string, { seq: number; ts: number; v: number }>();
  let synthesized = 0;
  let damaged = 0;
  let session: string | undefined;
  let count = 0;

  reportPhase(control, 'read');
  for await (const { seq, record } of readLog(dir, { fs: selection.fs, onDamage: () => damaged++ })) {
    if (++count % 4096 === 0) {
      checkCancelled(control?.signal);
    }
    const e: LoggedEvent = { seq, event: record as unknown as LoggedEvent['event'] };
    try {
      validateEvent(e);
    } catch (err) {
      skipped.push({ seq, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const ev = e.event;
    if (ev.t === 'session' && (ev.op === 'start' || ev.op === 'resume')) {
      session = ev.sid;
    }
    const inSession = selection.sessionId === undefined || session === selection.sessionId;
    if (inSession && ev.ts >= from && ev.ts <= to) {
      const needsText =
        ev.t === 'edit' || ev.t === 'ckpt' ? ev.f : ev.t === 'file' && ev.op === 'rename' ? ev.f : undefined;
      if (needsText !== undefined && !established.has(needsText)) {
        const doc = replayer.document(needsText);
        const at = stateAt.get(needsText);
        if (doc !== undefined && !selectedSeqs.has(doc.lastSeq)) {
          const ts = at !== undefined && at.seq === doc.lastSeq ? at.ts : ev.ts;
          selected.push({ seq: doc.lastSeq, event: { t: 'snap', ts, f: needsText, v: doc.v, text: doc.text } });
          selectedSeqs.add(doc.lastSeq);
          synthesized++;
        }
        established.add(needsText);
      }
      track(established, ev);
      selected.push(e);
      selectedSeqs.add(seq);
    }
    trackState(stateAt, e);
    replayer.apply(e);
    if (ev.t === 'session' && (ev.op === 'pause' || ev.op === 'stop')) {
      session = undefined;
    }
  }
  // Synthesized snapshots carry earlier seqs than the event that needed them.
  selected.sort((a, b) => a.seq - b.seq);
  return { events: selected, skipped, damaged, synthesized };
}

function track(established: Set<string>, ev: LoggedEvent['event']): void {
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
}

/** Mirrors which events set a document's text in the replayer (snapshots, edits past its version). */
function trackState(stateAt: Map<string, { seq: number; ts: number; v: number }>, e: LoggedEvent): void {
  const ev = e.event;
  if (ev.t === 'snap') {
    stateAt.set(ev.f, { seq: e.seq, ts: ev.ts, v: ev.v });
  } else if (ev.t === 'edit') {
    const cur = stateAt.get(ev.f);
    if (cur !== undefined && ev.v > cur.v) {
      stateAt.set(ev.f, { seq: e.seq, ts: ev.ts, v: ev.v });
    }
  } else if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
    const cur = stateAt.get(ev.f);
    stateAt.delete(ev.f);
    if (cur === undefined) {
      stateAt.delete(ev.to);
    } else {
      stateAt.set(ev.to, cur);
    }
  } else if (ev.t === 'file' && ev.op === 'delete') {
    stateAt.delete(ev.f);
  }
}

export interface LogBundleOptions extends Omit<BundleInput, 'events'>, LogSelection {}

export interface LogBundle extends BuiltBundle {
  readonly skipped: readonly SkippedRecord[];
  readonly damaged: number;
  readonly synthesized: number;
}

/** Reads the selected events of the log in `dir` and builds a bundle of them. */
export async function buildBundleFromLog(dir: string, options: LogBundleOptions, control?: BuildControl): Promise<LogBundle> {
  const { from, to, sessionId, fs, ...params } = options;
  const selection = await selectFromLog(dir, { from, to, sessionId, fs }, control);
  // selectFromLog validated every event it kept (and seqs come from the log in increasing order).
  const built = await buildBundle({ ...params, events: selection.events }, { ...control, eventsValidated: true });
  return { ...built, skipped: selection.skipped, damaged: selection.damaged, synthesized: selection.synthesized };
}
