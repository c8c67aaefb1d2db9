import { randomUUID } from 'node:crypto';
import type { CandorEvent, Category } from './model/events';
import type { Logger } from './model/logger';
import { describeError } from './model/logger';
import type { DocumentResolver } from './recorder/documentResolver';
import { Recorder, type RecorderSettings } from './recorder/recorder';
import { Disposable, type IDisposable } from './util/disposable';

/** What a recording session needs of the event log (src/store). */
export interface LogWriter {
  append(event: CandorEvent): boolean;
  sync(): Promise<void>;
  close(): Promise<void>;
  onError(listener: (err: Error) => void): IDisposable;
  onRotate(listener: () => void): IDisposable;
  readonly stats: { readonly appended: number; readonly dropped: number };
}

export type OpenLog = (dir: string) => Promise<LogWriter>;

/** What a session records and where its events and errors go. */
interface SessionRecording {
  readonly categories: readonly Category[];
  readonly documents: DocumentResolver;
  readonly settings: RecorderSettings;
  readonly onLogError: (err: Error) => void;
  /** Called after every event handed to the log: must be cheap (the controller throttles it). */
  readonly onAppend?: (() => void) | undefined;
  readonly measure?: ((ms: number) => void) | undefined;
}

/**
 * One stretch of recording, from start or resume to pause or stop: the open log and the
 * sources. Everything it owns is released when it ends, so nothing listens while not recording.
 */
export class RecordingSession extends Disposable {
  readonly sid = randomUUID();
  private readonly recorder: Recorder;
  private ended = false;
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
    this.recorder = this._register(
      new Recorder({
        categories: args.categories,
        documents: args.documents,
        settings: args.settings,
        emit: (e) => this.emit(e),
        measure: args.measure,
      }),
    );
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
    const log = await args.openLog(args.logDir);
    const session = new RecordingSession(log, args.logger, args);
    session.emit({ t: 'session', ts: Date.now(), op: args.op, sid: session.sid, cats: args.categories });
    return session;
  }

  /** Events handed to the log in this session, and how many the log had to drop. */
  get figures(): { events: number; dropped: number } {
    return { events: this.emitted, dropped: this.log.stats.dropped };
  }

  emit(event: CandorEvent): void {
    if (this.ended) {
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
  async end(op: 'pause' | 'stop'): Promise<void> {
    if (this.ended) {
      return;
    }
    this.recorder.flushPending();
    this.emit({ t: 'session', ts: Date.now(), op, sid: this.sid });
    this.ended = true;
    this.dispose();
    try {
      await this.log.close();
    } catch (err) {
      this.logger.error(`Closing the event log failed: ${describeError(err)}`);
    }
  }
}
