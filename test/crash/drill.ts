/**
 * Crash drill: runs the child (child.ts) against a fresh log directory, SIGKILLs it after a random
 * 50–400 ms, then checks the log: no corrupt record accepted, seqs contiguous from 1, every record
 * the child reported durable present, nothing lost beyond the last ~1 s before the kill, damage
 * limited to a torn tail, and the log repairs and continues cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventLog } from '../../src/store/eventLog';
import { readLogAll } from '../../src/store/reader';
import { listSegments } from '../../src/store/segments';
import { createNodeFs } from '../../src/store/fsBackend';
import type { CrashRecord } from './child';
import { crashPayload } from './child';

export interface CrashDrillOptions {
  readonly trials: number;
  /** A scratch directory; each trial uses (and removes) a subdirectory. */
  readonly dir: string;
  /** Trials run at once (default 2). */
  readonly concurrency?: number;
  /** Segment size for the child (default 64 KiB, so crashes also hit rotations). */
  readonly segmentMaxBytes?: number;
  readonly minRunMs?: number;
  readonly maxRunMs?: number;
  /** Allowed loss window: records appended earlier than this before the kill must survive (default 1000). */
  readonly maxLossMs?: number;
}

export interface TrialResult {
  readonly trial: number;
  readonly runMs: number;
  /** Records recovered. */
  readonly records: number;
  /** Highest counter the child reported as appended before it died. */
  readonly appended: number;
  /** Highest counter the child reported durable. */
  readonly durable: number;
  /** Kill time minus the `ts` of the last recovered record. */
  readonly lossMs: number;
  readonly segments: number;
  readonly tornTail: boolean;
  readonly problems: readonly string[];
}

export interface CrashDrillSummary {
  readonly trials: number;
  readonly failed: number;
  readonly records: number;
  readonly maxLossMs: number;
  readonly medianLossMs: number;
  readonly tornTails: number;
  readonly maxSegments: number;
  readonly problems: readonly string[];
  readonly results: readonly TrialResult[];
}

const CHILD = join(__dirname, 'child.js');

export async function runCrashDrill(options: CrashDrillOptions): Promise<CrashDrillSummary> {
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const results: TrialResult[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < options.trials) {
      const trial = next++;
      results.push(await runTrial(trial, options));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  results.sort((a, b) => a.trial - b.trial);
  const losses = results.map((r) => r.lossMs).sort((a, b) => a - b);
  const problems = results.flatMap((r) => r.problems.map((p) => `trial ${r.trial}: ${p}`));
  return {
    trials: results.length,
    failed: results.filter((r) => r.problems.length > 0).length,
    records: results.reduce((s, r) => s + r.records, 0),
    maxLossMs: losses[losses.length - 1] ?? 0,
    medianLossMs: losses[losses.length >> 1] ?? 0,
    tornTails: results.filter((r) => r.tornTail).length,
    maxSegments: Math.max(0, ...results.map((r) => r.segments)),
    problems,
    results,
  };
}

interface ChildReport {
  readyAt: number;
  appended: number;
  durable: number;
  errors: string[];
}

async function runTrial(trial: number, options: CrashDrillOptions): Promise<TrialResult> {
  const dir = join(options.dir, `trial-${trial}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const minRun = options.minRunMs ?? 50;
  const maxRun = options.maxRunMs ?? 400;
  const runMs = minRun + Math.floor(Math.random() * (maxRun - minRun + 1));
  const problems: string[] = [];

  const { report, killedAt } = await runChild(dir, options.segmentMaxBytes ?? 64 * 1024, runMs);
  problems.push(...report.errors.map((e) => `child error: ${e}`));

  // Read-only check of what the child left.
  const { entries, damaged } = await readLogAll<CrashRecord>(dir);
  const segments = await listSegments(createNodeFs(), dir);
  const lastSegment = segments[segments.length - 1]?.name;
  let tornTail = false;
  for (const d of damaged) {
    if (d.reason === 'torn-tail' && d.segment === lastSegment && !tornTail) {
      tornTail = true;
    } else {
      problems.push(`unexpected damage: ${JSON.stringify(d)}`);
    }
  }
  for (let i = 0; i < entries.length; i++) {
    const { seq, record } = entries[i];
    if (seq !== i + 1) {
      problems.push(`gap: record #${i + 1} has seq ${seq}`);
      break;
    }
    if (record.t !== 'c' || record.c !== seq || record.p !== crashPayload(seq) || typeof record.ts !== 'number') {
      problems.push(`corrupt record accepted at seq ${seq}: ${JSON.stringify(record).slice(0, 120)}`);
      break;
    }
  }
  const n = entries.length;
  if (n < report.durable) {
    problems.push(`lost durable records: reported durable ${report.durable}, recovered ${n}`);
  }
  if (n > report.appended + 64 * 4) {
    problems.push(`more records (${n}) than the child could have appended (${report.appended} reported)`);
  }
  const lastTs = n > 0 ? entries[n - 1].record.ts : report.readyAt;
  const lossMs = Math.max(0, killedAt - lastTs);
  if (lossMs > (options.maxLossMs ?? 1000)) {
    problems.push(`lost the last ${lossMs} ms of records (last recovered ts ${lastTs}, killed at ${killedAt})`);
  }

  // The next writer takes over the stale lock, repairs, and continues the sequence.
  try {
    const log = await EventLog.open<CrashRecord>({ dir });
    if (log.recovery.nextSeq !== n + 1) {
      problems.push(`recovery nextSeq ${log.recovery.nextSeq}, expected ${n + 1}`);
    }
    log.append({ t: 'c', ts: Date.now(), c: n + 1, p: crashPayload(n + 1) });
    await log.close();
    const after = await readLogAll<CrashRecord>(dir);
    if (after.damaged.length > 0 || after.entries.length !== n + 1 || after.entries[n]?.seq !== n + 1) {
      problems.push(`after repair: ${after.entries.length} records, ${after.damaged.length} damaged`);
    }
  } catch (err) {
    problems.push(`reopen failed: ${String(err)}`);
  }
  if (problems.length === 0) {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    trial,
    runMs,
    records: n,
    appended: report.appended,
    durable: report.durable,
    lossMs,
    segments: segments.length,
    tornTail,
    problems,
  };
}

function runChild(dir: string, segmentMaxBytes: number, runMs: number): Promise<{ report: ChildReport; killedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(segmentMaxBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const report: ChildReport = { readyAt: 0, appended: 0, durable: 0, errors: [] };
    let killedAt = 0;
    let stderr = '';
    const killTimer = setTimeout(() => {
      killedAt = Date.now();
      child.kill('SIGKILL');
    }, 15_000); // if it never becomes ready
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, a, b] = line.split(' ');
      if (kind === 'ready') {
        report.readyAt = Date.now();
        clearTimeout(killTimer);
        setTimeout(() => {
          killedAt = Date.now();
          child.kill('SIGKILL');
        }, runMs);
      } else if (kind === 'appended') {
        report.appended = Math.max(report.appended, Number(a));
        void b;
      } else if (kind === 'durable') {
        report.durable = Math.max(report.durable, Number(a));
      } else if (kind === 'error') {
        report.errors.push(line.slice(6));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        report.errors.push(`exited on its own (code ${code}, signal ${signal}): ${stderr.slice(0, 500)}`);
      }
      resolve({ report, killedAt: killedAt || Date.now() });
    });
  });
}
