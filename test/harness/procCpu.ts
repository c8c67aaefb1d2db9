import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * CPU time of a process (Linux only), read from /proc: used by the e2e tests to measure what the
 * extension host spends on CPU while a test types or idles, with and without recording.
 *
 * Two readings are taken at once, because neither file covers everything on its own:
 * - `/proc/<pid>/schedstat` describes ONE task: for a pid it is the thread-group leader (the main
 *   thread) only, not the process. So the nanosecond figure here is the SUM of
 *   `/proc/<pid>/task/<tid>/schedstat` over the live threads (first field: ns on CPU). A thread that
 *   exits between two samples takes its time with it (its time moves to the process's
 *   `signal->sum_sched_runtime`, which schedstat does not show), so samples also list their tids.
 * - `/proc/<pid>/stat` utime + stime covers the whole process, exited threads included, but in
 *   clock ticks (USER_HZ, 100 on Linux: 10 ms), too coarse on its own for short windows.
 * {@link cpuBetween} reports both, and how many threads exited in between.
 */
export interface CpuSample {
  readonly pid: number;
  /** Date.now() when sampled. */
  readonly at: number;
  /** Σ first field of /proc/<pid>/task/<tid>/schedstat over the live threads, in ns. */
  readonly schedNs: number;
  /** (utime + stime) of /proc/<pid>/stat, in ms (tick resolution). */
  readonly statMs: number;
  readonly tids: readonly number[];
}

export interface CpuDelta {
  readonly wallMs: number;
  /** CPU ms from schedstat (live threads at both samples; ns resolution). */
  readonly cpuMs: number;
  /** CPU ms from /proc/<pid>/stat (whole process; 10 ms resolution). */
  readonly statCpuMs: number;
  /** Threads present at the first sample and gone at the second (their time is missing from cpuMs). */
  readonly threadsExited: number;
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export function sampleCpu(pid: number): CpuSample {
  const at = Date.now();
  const tids: number[] = [];
  let schedNs = 0;
  for (const entry of fs.readdirSync(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${entry}/schedstat`, 'utf8');
    } catch {
      continue; // the thread exited while we listed them
    }
    schedNs += Number(text.split(' ')[0]);
    tids.push(Number(entry));
  }
  const stat = statFields(pid);
  if (stat === undefined) {
    throw new Error(`process ${pid} is gone`);
  }
  // Fields after "pid (comm) ": index 0 is field 3 (state), so utime (14) and stime (15) are 11 and 12.
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { pid, at, schedNs, statMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, tids };
}

export function cpuBetween(before: CpuSample, after: CpuSample): CpuDelta {
  if (before.pid !== after.pid) {
    throw new Error(`samples of different processes (${before.pid}, ${after.pid})`);
  }
  const alive = new Set(after.tids);
  return {
    wallMs: after.at - before.at,
    cpuMs: (after.schedNs - before.schedNs) / 1e6,
    statCpuMs: after.statMs - before.statMs,
    threadsExited: before.tids.filter((t) => !alive.has(t)).length,
  };
}

/** Every live descendant of `rootPid` (children, grandchildren…), from the ppid in /proc/<pid>/stat. */
export function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = statFields(Number(entry));
    if (stat === undefined) {
      continue;
    }
    const ppid = Number(stat[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The command line of `pid` as its arguments, or undefined when it is gone. */
export function cmdline(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(path.join('/proc', String(pid), 'cmdline'), 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/**
 * The pids of the extension hosts under a code-server: VS Code's server forks
 * `out/bootstrap-fork --type=extensionHost …` (one per connected window) from its own process,
 * which code-server's entry.js starts as a child; so they are grandchildren of the pid the harness
 * holds. Searched among all descendants, so a change in code-server's process layout still works.
 */
export function findExtensionHosts(codeServerPid: number): number[] {
  return descendants(codeServerPid).filter((pid) => cmdline(pid)?.includes('--type=extensionHost') === true);
}

/** The fields of /proc/<pid>/stat after "pid (comm) " (comm may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}
