import { randomUUID } from 'node:crypto';
import type { CandorEvent, Category } from '../model/events';
import type { Logger } from '../model/logger';
import { describeError } from '../model/logger';
import { Disposable, type IDisposable } from '../util/disposable';

/**
 * What a session needs of its recorder (src/recorder's `Recorder`: the VS Code sources of the
 * granted categories). Behind a factory, so the session itself needs no VS Code and plain mocha
 * tests it with a fake.
 */
export interface SessionRecorder extends IDisposable {
  /** The log rotated to a new segment: the next edit of each document starts from a snapshot. */
  onRotate(): void;
  /** Emits what the sources hold back (a coalesced edit, an idle selection) now. */
  flushPending(): void;
}

/** Builds the recorder of one session; every event it sees goes to `emit`. */
export type RecorderFactory = (emit: (event: CandorEvent) => void) => SessionRecorder;

/** What a recording session needs of the event log (src/store). */
export interface LogWriter {
  append(event: CandorEvent): boolean;
  sync(): Promise<void>;
  close(): Promise<void>;
  onError(listener: (err: Error) => void): IDisposable;
  onRotate(listener: () => void): IDisposable;
  /** Takes back queued records stamped after `cutoff` (never written); returns how many. */
  discardAfter(cutoff: number): number;
  readonly stats: { readonly appended: number; readonly dropped: number };
  /** The session the log's previous writer left open (it died), found when the log was opened. */
  readonly openTail?: { readonly sid: string; readonly lastTs: number } | undefined;
}

export interface OpenLogOptions {
  /** Runs before every write of queued records (the consent re-check). */
  readonly beforeWrite?: () => Promise<void>;
}

export type OpenLog = (dir: string, options?: OpenLogOptions) => Promise<LogWriter>;

/** The note of the record that closes a session its writer left open. */
export const UNCLEAN_END_NOTE =
  'The previous session did not end cleanly: the editor or its extension host stopped without closing the log (a crash, a kill or a forced shutdown). ' +
  'This record carries the time of the last record written; when the session really ended, and anything done until the next session, was not recorded and cannot be known.';

/** What a session records and where its events and errors go. */
interface SessionRecording {
  /** The categories recorded (named in the session's start record). */
  readonly categories: readonly Category[];
  /** Builds the sources; called once, when the log is open. */
  readonly createRecorder: RecorderFactory;
  readonly onLogError: (err: Error) => void;
  /**
   * Re-checks consent before each write of the log; returns the time consent ended if it no longer
   * allows this session (the session then halts and takes back what was queued after that time).
   */
  readonly checkConsent?: (() => Promise<number | undefined>) | undefined;
  /** Called after every event handed to the log: must be cheap (the controller throttles it). */
  readonly onAppend?: (() => void) | undefined;
}

/**
 * One stretch of recording, from start or resume to pause or stop: the open log and the
 * sources. Everything it owns is released when it ends, so nothing listens while not recording.
 */
export class RecordingSession extends Disposable {
  readonly sid = randomUUID();
  private readonly recorder: SessionRecorder;
  private ended = false;
  /** Set when consent ended elsewhere: nothing more is accepted but the closing record. */
  private halted = false;
  private emitted = 0;
  private readonly onAppend: (() => void) | undefined;

  private constructor(
    private readonly log: LogWriter,
    private readonly logger: Logger,
    args: SessionRecording,
  ) {
    super();
    this.onAppend = args.onAppend;
    this._register(log.onError(args.onLogError));
    this.recorder = this._register(args.createRecorder((e) => this.emit(e)));
    this._register(log.onRotate(() => this.recorder.onRotate()));
  }

  static async start(
    args: SessionRecording & {
      logDir: string;
      openLog: OpenLog;
      logger: Logger;
      op: 'start' | 'resume';
    },
  ): Promise<RecordingSession> {
    // The hook needs the session, which needs the log: it reaches it through this box.
    const box: { session?: RecordingSession } = {};
    const check = args.checkConsent;
    const log = await args.openLog(
      args.logDir,
      check === undefined
        ? {}
        : {
            beforeWrite: async () => {
              const session = box.session;
              if (session === undefined || session.halted || session.ended) {
                return;
              }
              const cutoff = await check();
              if (cutoff !== undefined) {
                session.halt(cutoff);
              }
            },
          },
    );
    const session = new RecordingSession(log, args.logger, args);
    box.session = session;
    const tail = log.openTail;
    if (tail !== undefined) {
      // Item: a crash leaves the last session open; say so, at the last time known to be recorded.
      session.emit({ t: 'session', ts: tail.lastTs, op: 'stop', sid: tail.sid, unclean: true, note: UNCLEAN_END_NOTE });
      args.logger.warn(`The previous recording session (${tail.sid}) did not end cleanly; recorded that in the log.`);
    }
    session.emit({ t: 'session', ts: Date.now(), op: args.op, sid: session.sid, cats: args.categories });
    return session;
  }

  /** Events handed to the log in this session, and how many the log had to drop. */
  get figures(): { events: number; dropped: number } {
    return { events: this.emitted, dropped: this.log.stats.dropped };
  }

  /** Whether consent ended elsewhere and this session only waits to be closed. */
  get isHalted(): boolean {
    return this.halted;
  }

  /**
   * Consent ended at `cutoff` (in another window, or by a policy): from now on nothing is
   * accepted, and what was queued after `cutoff` is taken back unwritten. Synchronous, so no
   * write can slip in between; `end` then writes the closing record.
   */
  halt(cutoff: number): void {
    if (this.halted || this.ended) {
      return;
    }
    this.halted = true;
    const taken = this.log.discardAfter(cutoff);
    if (taken > 0) {
      this.logger.info(`Consent ended at ${new Date(cutoff).toISOString()}: ${taken} event(s) queued after it were not written.`);
    }
  }

  emit(event: CandorEvent): void {
    if (this.ended || this.halted) {
      return;
    }
    this.emitted++;
    this.log.append(event);
    this.onAppend?.();
  }

  /** Flushes and fsyncs everything appended so far (for tests and before reading the log). */
  async sync(): Promise<void> {
    this.recorder.flushPending();
    await this.log.sync();
  }

  /** Ends the session: writes the pause/stop record, stops every source, closes the log (fsync). */
  async end(op: 'pause' | 'stop', note?: string): Promise<void> {
    if (this.ended) {
      return;
    }
    if (!this.halted) {
      this.recorder.flushPending();
    }
    // The closing record is written even after a halt: it says where and why recording ended.
    this.halted = false;
    this.emit({ t: 'session', ts: Date.now(), op, sid: this.sid, ...(note !== undefined ? { note } : {}) });
    this.halted = true;
    this.ended = true;
    this.dispose();
    try {
      await this.log.close();
    } catch (err) {
      this.logger.error(`Closing the event log failed: ${describeError(err)}`);
    }
  }
}
