/**
 * Crash-drill child: appends records to an EventLog as fast as it can, until killed.
 *
 *     node out/test/crash/child.js <dir> [segmentMaxBytes]
 *
 * Each record is `{ t: 'c', ts, c, p }` where `c` is its sequence number (counted only when append
 * accepted it) and `p` a payload derived from `c`. Prints, one line at a time on stdout:
 *
 *     ready <lastSeq>          the log is open
 *     appended <c> <ts>        every ~5 ms: the highest counter accepted by append, and when
 *     durable <c>              after each sync(): every record up to c is flushed and fsynced
 *     error <message>          a sync failed
 */
import { EventLog } from '../../src/store/eventLog';

export interface CrashRecord {
  readonly t: 'c';
  readonly ts: number;
  readonly c: number;
  readonly p: string;
}

/** The payload record `c` carries (checked by the drill). */
export function crashPayload(c: number): string {
  return (c % 5 === 0 ? 'é€😀\t"\n' : '') + 'x'.repeat(c % 37);
}

const MAX_LIFETIME_MS = 60_000; // never outlive a driver that died
const BURST = 64;

function out(line: string): void {
  process.stdout.write(line + '\n');
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  const segmentMaxBytes = Number(process.argv[3] ?? 64 * 1024);
  if (dir === undefined) {
    throw new Error('usage: child.js <dir> [segmentMaxBytes]');
  }
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  const log = await EventLog.open<CrashRecord>({ dir, segmentMaxBytes });
  let c = log.stats.lastSeq;
  out(`ready ${c}`);
  let syncing = false;
  let lastSync = Date.now();
  let lastReport = 0;
  for (;;) {
    for (let i = 0; i < BURST; i++) {
      if (log.append({ t: 'c', ts: Date.now(), c: c + 1, p: crashPayload(c + 1) })) {
        c++;
      }
    }
    const now = Date.now();
    if (now - lastReport >= 5) {
      lastReport = now;
      out(`appended ${c} ${now}`);
    }
    if (!syncing && now - lastSync >= 20) {
      syncing = true;
      lastSync = now;
      const upTo = c;
      log.sync().then(
        () => {
          out(`durable ${upTo}`);
          syncing = false;
        },
        (err: unknown) => {
          out(`error ${String(err)}`);
          syncing = false;
        },
      );
    }
    // At most ~50k records/s: far above any typist, and it leaves CPU to a parallel trial.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    out(`error ${String(err)}`);
    process.exit(2);
  });
}
