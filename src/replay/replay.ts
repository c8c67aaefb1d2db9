import type { LoggedEvent } from '../model/events';
import type { BufferFactory } from './buffer';
import type { ReplayIssue } from './issues';
import type { ReplayedDocument, ReplayStats, VersionListener } from './replayer';
import { Replayer } from './replayer';

export interface ReplayOptions {
  /** Only report versions and final state of this document (everything is still replayed, so renames into it work). */
  readonly file?: string;
  /** Stop after the event with this seq (inclusive). Events are expected in seq order. */
  readonly untilSeq?: number;
  readonly onVersion?: VersionListener;
  readonly createBuffer?: BufferFactory;
}

export interface ReplayResult {
  /** Final state of every document (or only `file`), sorted by path. */
  readonly documents: readonly ReplayedDocument[];
  readonly issues: readonly ReplayIssue[];
  readonly stats: ReplayStats;
  /** Seq of the last event replayed. */
  readonly lastSeq: number | undefined;
}

/** Replays `events` (in seq order) and checks every checkpoint. */
export function replayEvents(events: Iterable<LoggedEvent>, opts?: ReplayOptions): ReplayResult {
  const replayer = createReplayer(opts);
  const until = opts?.untilSeq;
  for (const e of events) {
    if (until !== undefined && e.seq > until) {
      break;
    }
    replayer.apply(e);
  }
  return finishReplay(replayer, opts);
}

/** As `replayEvents`, for a log read asynchronously. */
export async function replayEventStream(events: AsyncIterable<LoggedEvent>, opts?: ReplayOptions): Promise<ReplayResult> {
  const replayer = createReplayer(opts);
  const until = opts?.untilSeq;
  for await (const e of events) {
    if (until !== undefined && e.seq > until) {
      break;
    }
    replayer.apply(e);
  }
  return finishReplay(replayer, opts);
}

function createReplayer(opts: ReplayOptions | undefined): Replayer {
  const listener = opts?.onVersion;
  const file = opts?.file;
  const onVersion: VersionListener | undefined =
    listener === undefined || file === undefined
      ? listener
      : (f, v, seq, getText) => {
          if (f === file) {
            listener(f, v, seq, getText);
          }
        };
  return new Replayer({ createBuffer: opts?.createBuffer, onVersion });
}

function finishReplay(replayer: Replayer, opts: ReplayOptions | undefined): ReplayResult {
  replayer.finish();
  const names = opts?.file === undefined ? replayer.files() : [opts.file];
  const documents: ReplayedDocument[] = [];
  for (const f of names) {
    const doc = replayer.document(f);
    if (doc !== undefined) {
      documents.push(doc);
    }
  }
  return { documents, issues: replayer.issues, stats: replayer.stats, lastSeq: replayer.lastSeq };
}
