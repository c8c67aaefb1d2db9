import { LogWriteError } from './errors';
import type { StoreFileHandle, StoreFs } from './fsBackend';
import { describeError } from '../model/logger';
import type { Logger } from '../model/logger';
import { segmentFile } from './segments';
import { materialize } from './writeQueue';
import type { Piece } from './writeQueue';

/**
 * The event log's file side (eventLog.ts): the open segment file, moving to the next segment
 * (the old one fsynced and closed, the directory fsynced when a segment is created), writing a
 * piece to the end (resuming where a failed write stopped) and fsyncing at most once per
 * interval. Called only on the log's operation chain, one call at a time.
 */
export class SegmentWriter {
  private handle: StoreFileHandle | undefined;
  private handleSegment: number;
  private highestSegment: number;
  /** Segments in the log (existing at open + started since). */
  segments: number;
  bytesWritten = 0;
  /** Written since the last fsync. */
  dirty = false;
  private lastFsyncAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dir: string,
    private readonly fs: StoreFs,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly fsyncIntervalMs: number,
    private readonly hooks: {
      /** An fsync is due in `delay` ms (the interval has not passed yet). */
      readonly deferFsync: (delay: number) => void;
      /** An fsync succeeded: everything written so far is durable. */
      readonly synced: () => void;
    },
    active: { handle: StoreFileHandle; index: number; segments: number },
  ) {
    this.handle = active.handle;
    this.handleSegment = active.index;
    this.highestSegment = active.index;
    this.segments = active.segments;
  }

  /** Path of the segment being written (for errors). */
  get path(): string {
    return segmentFile(this.dir, this.handleSegment).path;
  }

  /** Writes what is left of `piece` to its segment. Throws LogWriteError. */
  async write(piece: Piece): Promise<void> {
    const handle = await this.ensureSegment(piece.segment);
    const data = materialize(piece);
    while (piece.offset < data.length) {
      let n: number;
      try {
        n = await handle.write(data, piece.offset, data.length - piece.offset);
      } catch (err) {
        throw new LogWriteError('write', this.path, err);
      }
      if (!(n > 0)) {
        throw new LogWriteError('write', this.path, Object.assign(new Error('no bytes written'), { code: 'EIO' }));
      }
      piece.offset += n;
      this.bytesWritten += n;
      this.dirty = true;
    }
  }

  /**
   * fsyncs if data was written since the last fsync and (unless `force`) the interval has passed;
   * otherwise defers it (`hooks.deferFsync`). Throws LogWriteError.
   */
  async fsyncIfDue(force: boolean): Promise<void> {
    if (!this.dirty || this.handle === undefined) {
      return;
    }
    const elapsed = this.now() - this.lastFsyncAt;
    if (!force && elapsed < this.fsyncIntervalMs) {
      this.hooks.deferFsync(this.fsyncIntervalMs - elapsed);
      return;
    }
    try {
      await this.handle.datasync();
    } catch (err) {
      throw new LogWriteError('sync', this.path, err);
    }
    this.dirty = false;
    this.lastFsyncAt = this.now();
    this.hooks.synced();
  }

  /** Closes the segment file (a failure is logged: the data was fsynced before, or is lost anyway). */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) {
      try {
        await handle.close();
      } catch (err) {
        this.logger.warn(`event log: close failed: ${describeError(err)}`);
      }
    }
  }

  /** The handle of segment `index`, closing (after fsync) the current one if it is another. */
  private async ensureSegment(index: number): Promise<StoreFileHandle> {
    if (this.handle !== undefined && this.handleSegment === index) {
      return this.handle;
    }
    if (this.handle !== undefined) {
      await this.fsyncIfDue(true);
      const old = this.handle;
      this.handle = undefined;
      try {
        await old.close();
      } catch (err) {
        this.logger.warn(`event log: closing ${segmentFile(this.dir, this.handleSegment).name} failed: ${describeError(err)}`);
      }
    }
    const seg = segmentFile(this.dir, index);
    try {
      this.handle = await this.fs.open(seg.path, 'a');
    } catch (err) {
      throw new LogWriteError('open', seg.path, err);
    }
    this.handleSegment = index;
    if (index > this.highestSegment) {
      this.segments += index - this.highestSegment;
      this.highestSegment = index;
      await this.fs.syncDir(this.dir);
      this.logger.info(`event log: started ${seg.name}`);
    }
    return this.handle;
  }
}
