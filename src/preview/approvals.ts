/**
 * Which events of the local log the developer already approved: `<workspace storage>/approvals.json`,
 * beside the log folder. Each approval lists the log seqs its bundle was selected from (as ranges),
 * so the preview offers "everything not yet approved" by default, and a time range or a session
 * without what was already approved. No VS Code: unit-tested in plain mocha.
 *
 * The file is rewritten whole and atomically at each approval (approvals are rare; the file holds
 * a few ranges each). Seqs only mean something for the log they came from: "Delete Local Data"
 * deletes the log, whose next seqs start at 1 again, so it clears this file first (a crash in
 * between re-offers approved events, never hides unapproved ones).
 *
 * Each window of a workspace keeps its own log and this file beside it, and a preview built in one
 * window may approve events of another window's log: that window's file is then written from here
 * while its own window may be writing it too. So every write is a read-modify-write under a lock
 * file (two extension hosts never lose each other's approval), and nothing is cached: every
 * question re-reads the file, so the owning window sees an approval made elsewhere at once.
 */
import { readFile, rm } from 'node:fs/promises';
import type { SeqRange } from '../bundle/seqRanges';
import { isSeqRange, normalizeRanges, unionRanges } from '../bundle/seqRanges';
import type { FileLockOptions } from '../util/files';
import { isNotFound, withFileLock, writeFileAtomic } from '../util/files';
import { SerialQueue } from '../util/serialQueue';
import { isSha256 } from '../util/sha256';

export interface ApprovalRecord {
  /** SHA-256 of the approved bundle file (its name in the outbox). */
  readonly sha256: string;
  readonly approvedAt: string;
  /** Events in the bundle. */
  readonly events: number;
  /**
   * The log seqs the bundle's selection took: reviewed and decided, including events the reviewer
   * dropped or that consent, exclusions or the policy left out (they would be left out again).
   */
  readonly covered: readonly SeqRange[];
}

const FILE_VERSION = 1;

function parseRecord(raw: unknown): ApprovalRecord | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const { sha256, approvedAt, events, covered } = r;
  if (
    typeof sha256 !== 'string' ||
    !isSha256(sha256) ||
    typeof approvedAt !== 'string' ||
    typeof events !== 'number' ||
    !Number.isSafeInteger(events) ||
    events < 0 ||
    !Array.isArray(covered) ||
    !covered.every(isSeqRange)
  ) {
    return undefined;
  }
  return { sha256, approvedAt, events, covered: normalizeRanges(covered) };
}

export class ApprovalLedger {
  /** Serialises writes in this process (the lock file serialises them across windows). */
  private readonly queue = new SerialQueue();

  constructor(
    readonly file: string,
    private readonly lockOptions: FileLockOptions = {},
  ) {}

  /** Every approval recorded; none when the file is absent. A damaged file reads as none (and says so through `onDamaged`). */
  async list(onDamaged?: (message: string) => void): Promise<ApprovalRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (isNotFound(err)) {
        return [];
      }
      throw err;
    }
    try {
      const raw = JSON.parse(text) as { version?: unknown; approvals?: unknown };
      if (raw.version !== FILE_VERSION || !Array.isArray(raw.approvals)) {
        throw new Error(`unknown layout (version ${String(raw.version)})`);
      }
      const out: ApprovalRecord[] = [];
      for (const a of raw.approvals) {
        const rec = parseRecord(a);
        if (rec === undefined) {
          throw new Error('an approval entry is malformed');
        }
        out.push(rec);
      }
      return out;
    } catch (err) {
      // Reading it as "nothing approved" re-offers events; it never hides one.
      onDamaged?.(`${this.file} could not be read (${err instanceof Error ? err.message : String(err)}); approved events may be offered again.`);
      return [];
    }
  }

  /** The union of every approval's seqs. */
  async approved(onDamaged?: (message: string) => void): Promise<SeqRange[]> {
    const all = await this.list(onDamaged);
    return all.reduce<SeqRange[]>((acc, a) => unionRanges(acc, a.covered), []);
  }

  /** Adds an approval (atomically rewrites the file). */
  record(approval: ApprovalRecord): Promise<void> {
    return this.queue.run(async () => {
      const rec = parseRecord(approval);
      if (rec === undefined) {
        throw new Error('refusing to record a malformed approval');
      }
      await withFileLock(
        this.file,
        async () => {
          const existing = (await this.list()).filter((a) => a.sha256 !== rec.sha256);
          const approvals = [...existing, rec].map((a) => ({ ...a, covered: a.covered.map(([x, y]) => [x, y]) }));
          await writeFileAtomic(this.file, `${JSON.stringify({ version: FILE_VERSION, approvals }, null, 1)}\n`);
        },
        this.lockOptions,
      );
    });
  }

  /** Forgets every approval: the log they refer to is being deleted. */
  clear(): Promise<void> {
    return this.queue.run(() => rm(this.file, { force: true }));
  }
}
