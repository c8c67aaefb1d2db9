/**
 * The recording sessions in the local log, for the preview's "one session" choice and the Candor
 * view, and the log's seq span, for "everything not yet approved (N events)".
 *
 * `LogIndex` reads the log once and then only what was appended since: the Candor view refreshes
 * while the developer types, and re-reading a 100k-event log every few seconds would cost the
 * extension host far more than recording it. It yields to the event loop between slices.
 */
import { open } from 'node:fs/promises';
import type { SeqRanges } from '../bundle/seqRanges';
import { countWithin } from '../bundle/seqRanges';
import type { CandorEvent } from '../model/events';
import { readLog } from '../store/reader';
import { SegmentScanner, Slicer } from '../store/scan';
import { createNodeFs } from '../store/fsBackend';
import { listSegments } from '../store/segments';
import { SerialQueue } from '../util/serialQueue';

export interface LogSession {
  readonly sessionId: string;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly events: number;
  /** Seqs of the session's first and last event. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** False while the session is still being recorded (no pause/stop event yet). */
  readonly ended: boolean;
}

export interface LogSummary {
  /** In log order. */
  readonly sessions: readonly LogSession[];
  /** Records in the log (in or out of a session). */
  readonly events: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
}

interface OpenSession {
  sessionId: string;
  firstTs: number;
  lastTs: number;
  events: number;
  firstSeq: number;
  lastSeq: number;
  ended: boolean;
}

/** The fold over the log's records that both `listSessions` and `LogIndex` use. */
class SessionFold {
  readonly sessions: OpenSession[] = [];
  private current: OpenSession | undefined;
  events = 0;
  firstSeq: number | undefined;
  lastSeq = 0;

  add(seq: number, record: unknown): void {
    const r = record as Partial<CandorEvent> | null;
    if (typeof r !== 'object' || r === null || typeof r.ts !== 'number') {
      return;
    }
    this.events++;
    this.firstSeq ??= seq;
    this.lastSeq = seq;
    if (r.t === 'session' && (r.op === 'start' || r.op === 'resume') && typeof r.sid === 'string') {
      this.current = { sessionId: r.sid, firstTs: r.ts, lastTs: r.ts, events: 0, firstSeq: seq, lastSeq: seq, ended: false };
      this.sessions.push(this.current);
    }
    const current = this.current;
    if (current !== undefined) {
      current.events++;
      current.lastSeq = seq;
      current.lastTs = Math.max(current.lastTs, r.ts);
      if (r.t === 'session' && (r.op === 'pause' || r.op === 'stop')) {
        current.ended = true;
        this.current = undefined;
      }
    }
  }

  summary(): LogSummary {
    return {
      sessions: this.sessions.map((s) => ({ ...s })),
      events: this.events,
      ...(this.firstSeq === undefined ? {} : { firstSeq: this.firstSeq, lastSeq: this.lastSeq }),
    };
  }
}

/** Sessions in log order, reading the whole log. Events outside any session are not counted. */
export async function listSessions(dir: string): Promise<LogSession[]> {
  const fold = new SessionFold();
  for await (const { seq, record } of readLog<CandorEvent>(dir)) {
    fold.add(seq, record);
  }
  return fold.summary().sessions.map((s) => ({ ...s }));
}

/** Events of the log (or of one session) that no approval covers. */
export function unapprovedCount(span: { readonly events: number; readonly firstSeq?: number; readonly lastSeq?: number }, approved: SeqRanges): number {
  if (span.firstSeq === undefined || span.lastSeq === undefined) {
    return 0;
  }
  return Math.max(0, span.events - countWithin(approved, span.firstSeq, span.lastSeq));
}

/**
 * The log's sessions, kept up to date by reading only what was appended since the last read.
 * Starts over when the log's first segment changes (retention deleted old ones) or the segment it
 * stopped in shrank or vanished (the log was deleted or repaired), and on `reset()`.
 */
export class LogIndex {
  private fold = new SessionFold();
  private firstSegment: string | undefined;
  /** Where reading stopped: a segment and the byte after its last complete line. */
  private position: { segment: string; offset: number } | undefined;
  /** Reads one at a time: a second caller waits for the first read, then reads only what came after. */
  private readonly queue = new SerialQueue();

  constructor(private readonly dir: () => string | undefined) {}

  /** Forget everything read (the log was deleted): the next `read` starts from the beginning. */
  reset(): void {
    this.fold = new SessionFold();
    this.firstSegment = undefined;
    this.position = undefined;
  }

  /** The log as it is now. Concurrent calls share one read. */
  read(): Promise<LogSummary> {
    return this.queue.run(() => this.catchUp());
  }

  private async catchUp(): Promise<LogSummary> {
    const dir = this.dir();
    if (dir === undefined) {
      this.reset();
      return this.fold.summary();
    }
    const fs = createNodeFs();
    const segments = await listSegments(fs, dir);
    if (segments.length === 0) {
      this.reset();
      return this.fold.summary();
    }
    let start = 0;
    let offset = 0;
    const pos = this.position;
    const k = pos === undefined ? -1 : segments.findIndex((s) => s.name === pos.segment);
    if (pos === undefined || segments[0].name !== this.firstSegment || k < 0 || (await fs.size(segments[k].path).catch(() => -1)) < pos.offset) {
      this.reset();
      this.firstSegment = segments[0].name;
    } else {
      start = k;
      offset = pos.offset;
    }
    const slicer = new Slicer();
    for (let s = start; s < segments.length; s++) {
      const seg = segments[s];
      const data = await readFrom(seg.path, s === start ? offset : 0);
      // Only complete lines: a line still being written is read next time.
      const end = data.lastIndexOf(0x0a) + 1;
      const scanner = new SegmentScanner(data.subarray(0, end), this.fold.lastSeq);
      for (let item = scanner.next(); item !== undefined; item = scanner.next()) {
        if (item.kind === 'record') {
          this.fold.add(item.seq, item.value);
        }
        if (slicer.due()) {
          await slicer.pause();
        }
      }
      this.position = { segment: seg.name, offset: (s === start ? offset : 0) + end };
    }
    return this.fold.summary();
  }
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') {
      return Buffer.alloc(0); // deleted by retention since it was listed
    }
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, size - offset);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0) {
        break;
      }
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}
