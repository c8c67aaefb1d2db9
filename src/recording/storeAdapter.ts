import type { CandorEvent } from '../model/events';
import type { Logger } from '../model/logger';
import type { LocalData } from './recordingController';
import type { LogWriter, OpenLogOptions } from './recordingSession';
import { isDiskFull } from '../store/errors';
import { EventLog } from '../store/eventLog';
import { lockHolder } from '../store/lock';
import { deleteLog, enforceRetention } from '../store/retention';
import { openSessionAtTail, type OpenTail } from '../store/sessionTail';

/**
 * Opens this window's event log for a recording session, and finds out whether its previous
 * writer left a session open (it died): the session then records that it ended uncleanly.
 */
export async function openEventLog(dir: string, logger: Logger, options: OpenLogOptions = {}): Promise<LogWriter> {
  const log = await EventLog.open<CandorEvent>({
    dir,
    logger,
    makeDropRecord: (n, ts) => ({ t: 'drop', ts, n }),
    ...(options.beforeWrite !== undefined ? { beforeWrite: options.beforeWrite } : {}),
  });
  if (log.recovery.dropped.length > 0) {
    logger.warn(`Recovered the event log: dropped ${log.recovery.dropped.length} damaged record(s); every intact record was kept.`);
  }
  let openTail: OpenTail | undefined;
  try {
    openTail = await openSessionAtTail(dir);
  } catch (err) {
    logger.warn(`Could not read the end of the event log: ${String(err)}`);
  }
  return {
    append: (event) => log.append(event),
    sync: () => log.sync(),
    close: () => log.close(),
    onError: (listener) => log.onError(listener),
    onRotate: (listener) => log.onRotate(() => listener()),
    discardAfter: (cutoff) => log.discardAfter(cutoff),
    get stats() {
      return log.stats;
    },
    openTail,
  };
}

export const localData: LocalData = {
  deleteLog: (dir) => deleteLog(dir),
  enforceRetention: (dir, opts) => enforceRetention(dir, opts),
  isDiskFull,
  lockHolder: (dir) => lockHolder(dir),
};
