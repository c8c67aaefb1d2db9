/**
 * The logs of this workspace's other windows, as the preview and the Candor view offer them.
 *
 * Each VS Code window of a workspace runs its own extension host with its own `storageUri`, and
 * writes its own log there (two hosts have separate document versions, so their edits cannot
 * interleave in one log). Every window registers its log in the workspace's shared folder
 * (RecordingController.localDataFolders), so the preview of any window can offer every log: this
 * window's, and each other one as a choice of its own. A log is read here read-only and only up
 * to its last complete line (LogIndex), so a log another window is writing right now is safe to
 * read; its approvals are the `approvals.json` beside it, shared by whichever window approves.
 * No VS Code: unit-tested in plain mocha.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { SeqRange } from '../bundle/seqRanges';
import { ApprovalLedger } from './approvals';
import type { LogSummary } from './logSessions';
import { LogIndex, unapprovedCount } from './logSessions';

/** A log's id in the preview command's argument: a hash of its folder, never the path itself. */
export function logIdOf(dir: string): string {
  return createHash('sha256').update(dir).digest('hex').slice(0, 16);
}

/** Where the approvals of the log in `logDir` are kept: beside it, in that window's storage. */
export function ledgerFileOf(logDir: string): string {
  return path.join(path.dirname(logDir), 'approvals.json');
}

export interface OtherLog {
  readonly id: string;
  readonly dir: string;
  /** How the choice is named ("Another window’s log", numbered when there are several). */
  readonly label: string;
  /** Records in the log (as far as it is complete now). */
  readonly events: number;
  /** Those no approval in the log's own ledger covers. */
  readonly unapproved: number;
  readonly summary: LogSummary;
  readonly approved: readonly SeqRange[];
}

export class OtherLogs {
  /** One index per log, so a log is read once and then only what was appended since. */
  private readonly indexes = new Map<string, LogIndex>();

  constructor(
    /** The log folders of the other windows of this workspace, in a stable order. */
    private readonly dirs: () => Promise<readonly string[]>,
    /** Told when a log's approvals cannot be read (its events are then offered again). */
    private readonly onDamaged?: (message: string) => void,
  ) {}

  /** The approvals of the log in `dir` (written by whichever window approves its events). */
  ledger(dir: string): ApprovalLedger {
    return new ApprovalLedger(ledgerFileOf(dir));
  }

  /** Every other window's log, with its counts as they are now. */
  async list(): Promise<OtherLog[]> {
    const dirs = [...new Set(await this.dirs())];
    for (const dir of [...this.indexes.keys()]) {
      if (!dirs.includes(dir)) {
        this.indexes.delete(dir);
      }
    }
    return Promise.all(
      dirs.map(async (dir, k) => {
        let index = this.indexes.get(dir);
        if (index === undefined) {
          index = new LogIndex(() => dir);
          this.indexes.set(dir, index);
        }
        const [summary, approved] = await Promise.all([index.read(), this.ledger(dir).approved(this.onDamaged)]);
        return {
          id: logIdOf(dir),
          dir,
          label: dirs.length === 1 ? 'Another window’s log' : `Another window’s log (${k + 1})`,
          events: summary.events,
          unapproved: unapprovedCount(summary, approved),
          summary,
          approved,
        };
      }),
    );
  }

  /** Whether `dir` is another window's log of this workspace now (a stored spec may name one). */
  async isListed(dir: string): Promise<boolean> {
    return (await this.dirs()).includes(dir);
  }

  /** The other window's log with this id, if one is registered now. */
  async find(id: string): Promise<OtherLog | undefined> {
    return (await this.list()).find((o) => o.id === id);
  }

  /** Forget what was read (local data was deleted): the next `list` reads every log again. */
  reset(): void {
    this.indexes.clear();
  }
}
