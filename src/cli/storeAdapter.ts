/**
 * The one place the CLI meets the log store (src/store): its read-only recovery scan, reader and
 * per-segment figures, mapped onto the CLI's small LogSource interface. Every read checks each
 * record as an event (`checkLogEvent`), so reading, verifying and counting agree on what is intact.
 */
import type { CandorEvent, LoggedEvent } from '../model/events';
import { readLog } from '../store/reader';
import { recoverLog, type RecoveryReport } from '../store/recovery';
import { checkLogEvent } from './logEvents';
import type { LogCheck, LogSource, LogSummary, SegmentInfo } from './logSource';

class StoreLogSource implements LogSource {
  async *read(dir: string): AsyncGenerator<LoggedEvent> {
    for await (const { seq, record } of readLog<CandorEvent>(dir, { check: checkLogEvent })) {
      yield { seq, event: record };
    }
  }

  async verify(dir: string): Promise<LogCheck> {
    // repair: false — verifying never modifies the log.
    const report = await recoverLog(dir, { repair: false, check: checkLogEvent });
    return { segments: segmentsOf(report), records: report.records, damaged: report.dropped };
  }

  async stats(dir: string): Promise<LogSummary> {
    const check = await this.verify(dir);
    return {
      segments: check.segments,
      bytes: check.segments.reduce((sum, s) => sum + s.bytes, 0),
      records: check.records,
      damaged: check.damaged.length,
    };
  }
}

function segmentsOf(report: RecoveryReport): SegmentInfo[] {
  return report.segments.map((s) => ({ name: s.name, bytes: s.bytes, records: s.records, damaged: s.damaged }));
}

export function createLogSource(): LogSource {
  return new StoreLogSource();
}
