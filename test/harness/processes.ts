import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * A child started as the leader of its own process group (like `setsid`), so that everything it
 * spawns — code-server's extension hosts linger for hours otherwise — is stopped with one
 * `kill(-pgid)`. Every live group is also killed when this process exits, is interrupted or
 * crashes, so a failed or timed-out test never leaves a server behind.
 */
export interface GroupProcess {
  readonly name: string;
  /** The leader's pid, which is also the process group id. */
  readonly pid: number;
  /** Resolves with the leader's exit code, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM to the whole group, SIGKILL to the group after `graceMs`; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnGroupOptions {
  readonly cwd?: string;
  readonly env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here; with no file they are inherited. */
  readonly logFile?: string;
}

const live = new Set<GroupProcess>();
let handlersInstalled = false;

export function spawnGroup(name: string, command: string, args: readonly string[], options: SpawnGroupOptions): GroupProcess {
  installExitHandlers();
  const logFd = options.logFile === undefined ? undefined : fs.openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true, // setsid(): the child leads a new process group
    stdio: logFd === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', logFd, logFd],
  });
  if (logFd !== undefined) {
    fs.closeSync(logFd); // the child holds its own copy
  }
  if (child.pid === undefined) {
    throw new Error(`could not start ${name} (${command})`);
  }
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    child.once('error', () => {
      done = true;
      resolve(null);
    });
  });

  let stopping: Promise<void> | undefined;
  const proc: GroupProcess = {
    name,
    pid,
    exited,
    hasExited: () => done,
    stop(graceMs = 5000): Promise<void> {
      stopping ??= (async () => {
        signalGroup(pid, 'SIGTERM');
        await Promise.race([exited, delay(graceMs)]);
        // Always SIGKILL the group: the leader may be gone while its children are not.
        signalGroup(pid, 'SIGKILL');
        await Promise.race([exited, delay(2000)]);
        live.delete(proc);
      })();
      return stopping;
    },
  };
  live.add(proc);
  void exited.then(() => {
    // The leader exited on its own: take the rest of its group down with it.
    signalGroup(pid, 'SIGKILL');
    live.delete(proc);
  });
  return proc;
}

/** Stops every live process group (used by the runners' finally blocks). */
export async function stopAllGroups(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHandlers(): void {
  if (handlersInstalled) {
    return;
  }
  handlersInstalled = true;
  const killAll = (): void => {
    for (const p of live) {
      signalGroup(p.pid, 'SIGKILL');
    }
  };
  process.on('exit', killAll);
  const signals: readonly [NodeJS.Signals, number][] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      process.stderr.write(`\n[harness] ${signal}: stopping ${live.size} process group(s)\n`);
      killAll();
      process.exit(code);
    });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a TimeoutError carrying `message` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  static is(e: unknown): e is TimeoutError {
    return e instanceof TimeoutError;
  }
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with
 * `what` in the message. For conditions with no event to wait on (a file appearing, a port).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new TimeoutError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await delay(intervalMs);
  }
}

/** Runs a command to completion, inheriting stdio unless `capture` is set; rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; capture?: boolean; quiet?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', options.capture === true ? 'pipe' : options.quiet === true ? 'ignore' : 'inherit', options.quiet === true ? 'pipe' : 'inherit'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
      } else {
        const tail = Buffer.concat(err).toString('utf8').slice(-4000);
        reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}${tail ? `\n${tail}` : ''}`));
      }
    });
  });
}
