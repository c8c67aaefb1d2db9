import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

/**
 * Reads what Candor recorded from outside VS Code: the log folder in the server's profile and the
 * `candor` CLI (dist/cli.js) that replays it.
 */

/** `<user-data>/User/workspaceStorage/<hash>/candor.candor/log` folders that exist now. */
export function findLogDirs(userDataDir: string): string[] {
  const storage = path.join(userDataDir, 'User', 'workspaceStorage');
  let hashes: string[];
  try {
    hashes = fs.readdirSync(storage);
  } catch {
    return [];
  }
  return hashes.map((h) => path.join(storage, h, 'candor.candor', 'log')).filter((dir) => fs.existsSync(dir));
}

/** `node dist/cli.js replay <logDir> --file <relPath>`: the document's text as Candor rebuilt it. */
export function replayWithCli(logDir: string, relPath: string, timeoutMs = 30_000): Promise<Buffer> {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) {
    return Promise.reject(new Error(`${cli} is missing (npm run build / npm run package produce it)`));
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, 'replay', logDir, '--file', relPath],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`candor replay failed: ${error.message}\n${stderr.toString('utf8').slice(-2000)}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** What the extension writes to $CANDOR_PERF_OUT about once a second. */
export interface PerfWindow {
  /** Epoch ms at the end of a one-second window. */
  readonly at: number;
  /** Longest event-loop delay of the extension host in the window (any extension). */
  readonly maxMs: number;
  /** Longest single Candor handler in the window. */
  readonly candorMaxMs: number;
  readonly candorCalls: number;
  /** Time in Candor handlers, summed (0 from an extension built before the probe had it). */
  readonly candorTotalMs: number;
}

export interface PerfReport {
  readonly activationMs: number;
  readonly maxEventLoopDelayMs: number;
  readonly samples: number;
  /** Per-second maxima of the extension host's event-loop delay. */
  readonly windows: readonly PerfWindow[];
}

export function readPerf(file: string): PerfReport | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<keyof PerfReport, unknown>>;
    if (typeof v.activationMs === 'number' && typeof v.maxEventLoopDelayMs === 'number') {
      const windows = Array.isArray(v.windows)
        ? v.windows.filter(
            (w): w is PerfWindow =>
              typeof (w as PerfWindow).at === 'number' &&
              typeof (w as PerfWindow).maxMs === 'number' &&
              typeof (w as PerfWindow).candorMaxMs === 'number' &&
              typeof (w as PerfWindow).candorCalls === 'number',
          )
        : [];
      return {
        activationMs: v.activationMs,
        maxEventLoopDelayMs: v.maxEventLoopDelayMs,
        samples: typeof v.samples === 'number' ? v.samples : 0,
        windows: windows.map((w) => ({ ...w, candorTotalMs: typeof w.candorTotalMs === 'number' ? w.candorTotalMs : 0 })),
      };
    }
  } catch {
    // not written yet, or caught mid-write
  }
  return undefined;
}

/** Figures of the windows that overlap [from, to]. */
export function perfBetween(report: PerfReport, from: number, to: number): { maxMs: number; candorMaxMs: number; candorCalls: number; candorTotalMs: number } {
  let maxMs = 0;
  let candorMaxMs = 0;
  let candorCalls = 0;
  let candorTotalMs = 0;
  for (const w of report.windows) {
    if (w.at >= from && w.at - 1000 <= to) {
      maxMs = Math.max(maxMs, w.maxMs);
      candorMaxMs = Math.max(candorMaxMs, w.candorMaxMs);
      candorCalls += w.candorCalls;
      candorTotalMs += w.candorTotalMs;
    }
  }
  return { maxMs, candorMaxMs, candorCalls, candorTotalMs };
}
