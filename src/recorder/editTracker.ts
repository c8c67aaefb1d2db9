/**
 * Per-document bookkeeping for the edit source, kept free of VS Code so it is unit-tested alone:
 * when to take a snapshot (first touch in a session or segment) and when to checkpoint (every N
 * edits). The hot path is one Map lookup and an increment.
 */
export interface EditDecision {
  /** Record a full-text snapshot before this edit's event (first touch). */
  readonly snapshot: boolean;
  /** Record a checkpoint after this edit's event. */
  readonly checkpoint: boolean;
}

const SNAPSHOT: EditDecision = { snapshot: true, checkpoint: false };
const PLAIN: EditDecision = { snapshot: false, checkpoint: false };
const CHECKPOINT: EditDecision = { snapshot: false, checkpoint: true };

export class EditTracker {
  private readonly editsSinceCheckpoint = new Map<string, number>();

  constructor(private readonly checkpointEvery: number) {}

  onEdit(key: string): EditDecision {
    const count = this.editsSinceCheckpoint.get(key);
    if (count === undefined) {
      this.editsSinceCheckpoint.set(key, 0);
      return SNAPSHOT;
    }
    if (count + 1 >= this.checkpointEvery) {
      this.editsSinceCheckpoint.set(key, 0);
      return CHECKPOINT;
    }
    this.editsSinceCheckpoint.set(key, count + 1);
    return PLAIN;
  }

  /** Whether the document was touched (snapshotted) in the current segment. */
  isTracked(key: string): boolean {
    return this.editsSinceCheckpoint.has(key);
  }

  /** After a save checkpoint, count from zero again. */
  onCheckpoint(key: string): void {
    if (this.editsSinceCheckpoint.has(key)) {
      this.editsSinceCheckpoint.set(key, 0);
    }
  }

  /** The document closed or was renamed: the next edit snapshots it again. */
  forget(key: string): void {
    this.editsSinceCheckpoint.delete(key);
  }

  /** The log rotated: every document snapshots again so each segment replays on its own. */
  reset(): void {
    this.editsSinceCheckpoint.clear();
  }
}
