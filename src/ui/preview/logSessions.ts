/**
 * The recording sessions in the local log, for the preview's "one session" choice and the Candor
 * view. Reads the log with the store's reader, which yields to the event loop between slices.
 */
import type { CandorEvent } from '../../model/events';
import { readLog } from '../../store/reader';

export interface LogSession {
  readonly sessionId: string;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly events: number;
  /** False while the session is still being recorded (no pause/stop event yet). */
  readonly ended: boolean;
}

interface OpenSession {
  sessionId: string;
  firstTs: number;
  lastTs: number;
  events: number;
  ended: boolean;
}

/** Sessions in log order. Events outside any session are not counted. */
export async function listSessions(dir: string): Promise<LogSession[]> {
  const out: OpenSession[] = [];
  let current: OpenSession | undefined;
  for await (const { record } of readLog<CandorEvent>(dir)) {
    if (typeof record !== 'object' || record === null || typeof record.ts !== 'number') {
      continue;
    }
    if (record.t === 'session' && (record.op === 'start' || record.op === 'resume') && typeof record.sid === 'string') {
      current = { sessionId: record.sid, firstTs: record.ts, lastTs: record.ts, events: 0, ended: false };
      out.push(current);
    }
    if (current !== undefined) {
      current.events++;
      current.lastTs = Math.max(current.lastTs, record.ts);
      if (record.t === 'session' && (record.op === 'pause' || record.op === 'stop')) {
        current.ended = true;
        current = undefined;
      }
    }
  }
  return out;
}
