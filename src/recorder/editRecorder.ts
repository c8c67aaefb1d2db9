import type { CandorEvent, Change, EditEvent } from '../model/events';
import { looksBinary } from '../privacy/policy/binary';
import { sha256Hex } from '../replay/hash';
import { EditTracker } from './editTracker';

/** A content change as VS Code reports it (the fields Candor keeps). */
export interface ContentChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

/** What the recorder knows of a document at an edit: its version and, lazily, its text. */
export interface EditedDocument {
  readonly version: number;
  getText(): string;
}

/** `too-large` and `binary`: nothing was recorded, and the document should be excluded from now on. */
export type EditOutcome = 'recorded' | 'too-large' | 'binary';

/**
 * The edit path without VS Code: turns one change event into records (a first-touch snapshot,
 * the edit, a periodic checkpoint). It is the hottest code in Candor — it runs on every
 * keystroke — so it does one Map lookup, builds one small record, and touches the full text only
 * on first touch and every `checkpointEvery` edits. Plain mocha and the benchmark use it directly.
 */
export class EditRecorder {
  private readonly tracker: EditTracker;

  constructor(
    private readonly emit: (event: CandorEvent) => void,
    private readonly now: () => number,
    checkpointEvery: number,
    private readonly maxFileSizeBytes: number,
  ) {
    this.tracker = new EditTracker(checkpointEvery);
  }

  onChange(f: string, doc: EditedDocument, changes: readonly ContentChange[], reason: 'undo' | 'redo' | undefined): EditOutcome {
    const decision = this.tracker.onEdit(f);
    const ts = this.now();
    if (decision.snapshot) {
      const text = doc.getText();
      // UTF-16 length stands in for size: the cap keeps big generated files out, not bytes exact.
      if (text.length > this.maxFileSizeBytes) {
        this.tracker.forget(f);
        return 'too-large';
      }
      // Binary content (a NUL or many control characters in the first 8 KB) is never recorded;
      // checked once per document, on the snapshot's text, so typing never pays for it.
      if (looksBinary(text)) {
        this.tracker.forget(f);
        return 'binary';
      }
      this.emit({ t: 'snap', ts, f, v: doc.version, text });
    }
    const c: Change[] = new Array<Change>(changes.length);
    for (let i = 0; i < changes.length; i++) {
      const ch = changes[i];
      c[i] = [ch.rangeOffset, ch.rangeLength, ch.text];
    }
    const event: EditEvent = reason ? { t: 'edit', ts, f, v: doc.version, c, r: reason } : { t: 'edit', ts, f, v: doc.version, c };
    this.emit(event);
    if (decision.checkpoint) {
      this.emit({ t: 'ckpt', ts, f, v: doc.version, h: sha256Hex(doc.getText()), why: 'every' });
    }
    return 'recorded';
  }

  /** A save: checkpoint documents we hold a snapshot of (others cannot be verified by replay). */
  onSave(f: string, doc: EditedDocument): void {
    if (!this.tracker.isTracked(f)) {
      return;
    }
    this.tracker.onCheckpoint(f);
    this.emit({ t: 'ckpt', ts: this.now(), f, v: doc.version, h: sha256Hex(doc.getText()), why: 'save' });
  }

  /** Closed or renamed: a reopened document starts again at version 1, so snapshot it again. */
  forget(f: string): void {
    this.tracker.forget(f);
  }

  /** The log rotated: every document snapshots again so each segment replays on its own. */
  reset(): void {
    this.tracker.reset();
  }
}
