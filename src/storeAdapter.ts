import type { CandorEvent } from './model/events';
import type { Logger } from './model/logger';
import type { LocalData } from './recordingController';
import type { LogWriter } from './recordingSession';
import { isDiskFull } from './store/errors';
import { EventLog } from './store/eventLog';
import { deleteLog, enforceRetention } from './store/retention';

/** Opens this workspace's event log for a recording session. */
export async function openEventLog(dir: string, logger: Logger): Promise<LogWriter> {
  const log = await EventLog.open<CandorEvent>({
    dir,
    logger,
    makeDropRecord: (n, ts) => ({ t: 'drop', ts, n }),
  });
  if (log.recovery.dropped.length > 0) {
    logger.warn(`Recovered the event log: dropped ${log.recovery.dropped.length} damaged record(s); every intact record was kept.`);
  }
  return log;
}

export const localData: LocalData = {
  deleteLog: (dir) => deleteLog(dir),
  enforceRetention: (dir, opts) => enforceRetention(dir, opts),
  isDiskFull,
};
