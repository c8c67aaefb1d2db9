/** Test doubles for a recording session: an in-memory log and a recorder the test drives. */
import type { CandorEvent } from '../../../src/model/events';
import type { LogWriter, OpenLog, OpenLogOptions, SessionRecorder } from '../../../src/recording/recordingSession';
import type { IDisposable } from '../../../src/util/disposable';

/**
 * An event log in memory: `append` queues, `sync` (and `close`) runs the consent re-check and
 * then writes what is queued, like src/store's EventLog does before each write.
 */
export class MemoryLog implements LogWriter {
  readonly queued: CandorEvent[] = [];
  readonly written: CandorEvent[] = [];
  closed = false;
  openTail: { readonly sid: string; readonly lastTs: number } | undefined;
  private readonly errorListeners = new Set<(err: Error) => void>();
  private readonly rotateListeners = new Set<() => void>();
  private appended = 0;

  constructor(private readonly options: OpenLogOptions = {}) {}

  append(event: CandorEvent): boolean {
    if (this.closed) {
      throw new Error('append after close');
    }
    this.appended++;
    this.queued.push(event);
    return true;
  }

  async sync(): Promise<void> {
    await this.options.beforeWrite?.();
    this.written.push(...this.queued.splice(0));
  }

  async close(): Promise<void> {
    await this.sync();
    this.closed = true;
  }

  onError(listener: (err: Error) => void): IDisposable {
    this.errorListeners.add(listener);
    return { dispose: () => this.errorListeners.delete(listener) };
  }

  onRotate(listener: () => void): IDisposable {
    this.rotateListeners.add(listener);
    return { dispose: () => this.rotateListeners.delete(listener) };
  }

  discardAfter(cutoff: number): number {
    const keep = this.queued.filter((e) => e.ts <= cutoff);
    const taken = this.queued.length - keep.length;
    this.queued.splice(0, this.queued.length, ...keep);
    return taken;
  }

  get stats(): { appended: number; dropped: number } {
    return { appended: this.appended, dropped: 0 };
  }

  fail(err: Error): void {
    this.errorListeners.forEach((l) => l(err));
  }

  rotate(): void {
    this.rotateListeners.forEach((l) => l());
  }

  get listeners(): number {
    return this.errorListeners.size + this.rotateListeners.size;
  }
}

/** Opens MemoryLogs and keeps every one it opened (the last is `logs.at(-1)`). */
export function memoryLogs(tail?: { sid: string; lastTs: number }): { open: OpenLog; logs: MemoryLog[] } {
  const logs: MemoryLog[] = [];
  return {
    logs,
    open: (_dir, options) => {
      const log = new MemoryLog(options);
      log.openTail = tail;
      logs.push(log);
      return Promise.resolve(log);
    },
  };
}

/** A recorder whose events the test hands over: `held` events are emitted on flushPending. */
export class FakeRecorder implements SessionRecorder {
  readonly held: CandorEvent[] = [];
  rotations = 0;
  disposed = false;

  constructor(readonly emit: (event: CandorEvent) => void) {}

  onRotate(): void {
    this.rotations++;
  }

  flushPending(): void {
    for (const e of this.held.splice(0)) {
      this.emit(e);
    }
  }

  dispose(): void {
    this.disposed = true;
  }
}
