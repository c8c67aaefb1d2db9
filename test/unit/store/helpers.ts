/** Test helpers for the store: temp dirs, an instrumented fs backend, records. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeFs } from '../../../src/store/fsBackend';
import type { StoreFileHandle, StoreFs } from '../../../src/store/fsBackend';
import type { Logger } from '../../../src/model/logger';

export interface TestRecord {
  readonly t: string;
  readonly ts: number;
  readonly n: number;
  readonly s?: string;
}

export function rec(n: number, ts = 1_764_470_000_000 + n, s?: string): TestRecord {
  return s === undefined ? { t: 'x', ts, n } : { t: 'x', ts, n, s };
}

export async function tempDir(prefix = 'candor-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: injected failure`), { code });
}

export interface Faults {
  /**
   * Runs before each file write: may throw (a failed write), await (a slow disk), or return a byte
   * count smaller than `length` (a short write).
   */
  write?: (length: number) => Promise<number | undefined> | number | undefined;
  datasync?: () => Promise<void> | void;
}

export interface InstrumentedFs {
  readonly fs: StoreFs;
  /** Calls per operation name (`write`, `datasync`, `open`, …). */
  readonly calls: Record<string, number>;
  faults: Faults;
  total(): number;
  reset(): void;
}

/** The Node backend, counting every call and applying `faults`. */
export function instrumentedFs(faults: Faults = {}): InstrumentedFs {
  const base = createNodeFs();
  const calls: Record<string, number> = {};
  const count = (op: string): void => {
    calls[op] = (calls[op] ?? 0) + 1;
  };
  const self: InstrumentedFs = {
    calls,
    faults,
    total: () => Object.values(calls).reduce((a, b) => a + b, 0),
    reset: () => {
      for (const k of Object.keys(calls)) {
        delete calls[k];
      }
    },
    fs: {
      mkdirp: (d) => (count('mkdirp'), base.mkdirp(d)),
      readdir: (d) => (count('readdir'), base.readdir(d)),
      readFile: (p) => (count('readFile'), base.readFile(p)),
      size: (p) => (count('size'), base.size(p)),
      appendFile: (p, d) => (count('appendFile'), base.appendFile(p, d)),
      rename: (a, b) => (count('rename'), base.rename(a, b)),
      unlink: (p) => (count('unlink'), base.unlink(p)),
      rmdir: (d) => (count('rmdir'), base.rmdir(d)),
      syncDir: (d) => (count('syncDir'), base.syncDir(d)),
      open: async (p, flags) => {
        count('open');
        const h = await base.open(p, flags);
        const wrapped: StoreFileHandle = {
          write: async (data, offset, length) => {
            count('write');
            const limit = await self.faults.write?.(length);
            return h.write(data, offset, limit === undefined ? length : Math.min(limit, length));
          },
          datasync: async () => {
            count('datasync');
            await self.faults.datasync?.();
            await h.datasync();
          },
          close: () => (count('close'), h.close()),
        };
        return wrapped;
      },
    },
  };
  return self;
}

export interface CapturingLogger extends Logger {
  readonly lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${String(m)}`),
  };
}

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** fast-check run count: at least `min`, raised by CANDOR_FC_RUNS. */
export function fcRuns(min: number): number {
  const env = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isFinite(env) && env > min ? Math.floor(env) : min;
}

/** The Node backend without fsync (for tests about content, not durability: much faster). */
export function noSyncFs(): StoreFs {
  const base = createNodeFs();
  return {
    ...base,
    syncDir: () => Promise.resolve(),
    open: async (p, flags) => {
      const h = await base.open(p, flags);
      return { ...h, datasync: () => Promise.resolve() };
    },
  };
}
