/**
 * Collector ingest: bundles/s and MB/s for 10 KB and 1 MB bundles (built by the real builder),
 * uploaded over HTTP on 127.0.0.1 to a collector on the embedded SQLite and on PostgreSQL, against
 * a floor of raw durable inserts of the same bytes into the same database (one row per bundle, one
 * commit each, the same concurrency). The collector's work on top of the floor: HTTP, the full
 * bundle check (inflate, schema, figures, replay), the privacy re-scan, auth, metadata, and in
 * embedded mode the content-addressed file (temp + fsync + rename + directory fsync). The
 * collector runs as `serve` does: checks in its inspection workers, SQLite commits grouped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Pool } from 'pg';
import type { BuiltBundle } from '../src/bundle/build';
import type { DbKind, RunningCollector } from '../test/unit/collector/helpers';
import { freshPostgresDatabase, postgres, sizedBundle, startCollector, stopPostgres } from '../test/unit/collector/helpers';
import type { BenchRow, BenchSection } from './harness';
import { skippedRow } from './harness';

const CONCURRENCY = 8;
const GOAL_EMBEDDED_10KB = 200;

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}

async function timeS(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Seconds for the run, and the longest event-loop stall during it (the collector's and the clients' loop: one process). */
async function candorRun(kind: DbKind, bundles: readonly BuiltBundle[]): Promise<{ seconds: number; maxLoopDelayMs: number }> {
  const c: RunningCollector = await startCollector(kind);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  try {
    const token = await c.token('bench', 'contributor', 'dev');
    loop.enable();
    const seconds = await timeS(() =>
      pool(bundles, CONCURRENCY, async (b) => {
        const res = await fetch(`${c.url}/v1/bundles/${b.sha256}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.candor.bundle' },
          body: b.bytes,
        });
        await res.arrayBuffer();
        if (res.status !== 201) {
          throw new Error(`upload answered ${res.status}`);
        }
      }),
    );
    loop.disable();
    return { seconds, maxLoopDelayMs: loop.max / 1e6 };
  } finally {
    loop.disable();
    await c.close();
  }
}

async function floorRun(kind: DbKind, bundles: readonly BuiltBundle[]): Promise<number> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'candor-floor-'));
    const db = new SQLite(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table b (id text primary key, bytes blob not null)');
    const insert = db.prepare('insert into b (id, bytes) values (?, ?)');
    try {
      // better-sqlite3 is synchronous: concurrency cannot help the floor, one commit per bundle.
      return await timeS(() => {
        for (const b of bundles) {
          insert.run(b.sha256, b.bytes);
        }
        return Promise.resolve();
      });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const p = new Pool({ connectionString: await freshPostgresDatabase(), max: CONCURRENCY });
  try {
    await p.query('create table b (id text primary key, bytes bytea not null)');
    return await timeS(() =>
      pool(bundles, CONCURRENCY, async (b) => {
        await p.query('insert into b (id, bytes) values ($1, $2)', [b.sha256, b.bytes]);
      }),
    );
  } finally {
    await p.end();
  }
}

export const collectorBench: BenchSection = {
  name: 'collector',
  async run({ quick }) {
    const rows: BenchRow[] = [];
    const sizes = [
      { label: '10 KB', bytes: 10_000, count: quick ? 100 : 400 },
      { label: '1 MB', bytes: 1_000_000, count: quick ? 8 : 24 },
    ];
    let pgOk = true;
    try {
      await postgres();
    } catch (err) {
      pgOk = false;
      rows.push(skippedRow('collector ingest on PostgreSQL', err instanceof Error ? err.message.split('\n')[0] : String(err)));
    }
    try {
      for (const size of sizes) {
        const bundles: BuiltBundle[] = [];
        for (let k = 0; k < size.count; k++) {
          bundles.push(await sizedBundle(size.bytes, 1000 * size.bytes + k));
        }
        const mb = bundles.reduce((s, b) => s + b.bytes.length, 0) / 1e6;
        for (const kind of ['sqlite', 'postgres'] as const) {
          if (kind === 'postgres' && !pgOk) {
            continue;
          }
          const floorS = await floorRun(kind, bundles);
          const run = await candorRun(kind, bundles);
          const candorS = run.seconds;
          const floorRate = bundles.length / floorS;
          const candorRate = bundles.length / candorS;
          const goal = kind === 'sqlite' && size.bytes === 10_000;
          rows.push({
            measure: `ingest ${size.label} bundles, ${kind === 'sqlite' ? 'embedded SQLite' : 'PostgreSQL'} (${CONCURRENCY} clients; ${(candorS > 0 ? mb / candorS : NaN).toFixed(1)} MB/s vs floor ${(mb / floorS).toFixed(1)} MB/s; longest event-loop stall ${run.maxLoopDelayMs.toFixed(0)} ms)`,
            floor: floorRate,
            candor: candorRate,
            unit: 'bundles/s',
            ratio: floorRate / candorRate,
            budget: goal ? `≥ ${GOAL_EMBEDDED_10KB} bundles/s` : 'info',
            ok: goal ? candorRate >= GOAL_EMBEDDED_10KB : true,
            ...(goal ? { gross: candorRate < GOAL_EMBEDDED_10KB / 10 } : {}),
          });
        }
      }
    } finally {
      await stopPostgres();
    }
    return rows;
  },
};
