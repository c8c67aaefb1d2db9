/**
 * Whether the log ends inside a recording session: its last `session` record opened one (start or
 * resume) and nothing closed it (pause or stop). A writer that closes cleanly always writes the
 * closing record, so such a tail means the previous writer died — a crash, a kill, a host that
 * was shut down before it could flush. The writer then records that the session ended uncleanly.
 */
import { createNodeFs } from './fsBackend';
import type { StoreFs } from './fsBackend';
import { scanSegment } from './scan';
import { listSegments } from './segments';

export interface OpenTail {
  /** The session left open. */
  readonly sid: string;
  /** Time of the last intact record of the log (the latest moment known to have been recorded). */
  readonly lastTs: number;
}

/**
 * Reads segments from the last backwards until it meets a `session` record (normally only the
 * last segment: every session start is near the segment it writes into). Undefined when the log
 * is empty or its last session was closed.
 */
export async function openSessionAtTail(dir: string, fs: StoreFs = createNodeFs()): Promise<OpenTail | undefined> {
  const segments = await listSegments(fs, dir);
  let lastTs: number | undefined;
  for (let i = segments.length - 1; i >= 0; i--) {
    let data: Uint8Array;
    try {
      data = await fs.readFile(segments[i].path);
    } catch {
      continue; // removed by retention meanwhile
    }
    const { records } = scanSegment(data);
    for (let k = records.length - 1; k >= 0; k--) {
      const value = records[k].value as { t?: unknown; ts?: unknown; op?: unknown; sid?: unknown };
      if (lastTs === undefined && typeof value.ts === 'number') {
        lastTs = value.ts;
      }
      if (value.t !== 'session') {
        continue;
      }
      if ((value.op === 'start' || value.op === 'resume') && typeof value.sid === 'string' && lastTs !== undefined) {
        return { sid: value.sid, lastTs };
      }
      return undefined;
    }
  }
  return undefined;
}
