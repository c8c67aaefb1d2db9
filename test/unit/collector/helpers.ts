/**
 * Shared by the collector's tests and bench: bundles built by the real builder, a collector on a
 * real port of 127.0.0.1 over SQLite or a real PostgreSQL, and a tiny HTTP client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { buildBundle } from '../../../src/bundle/build';
import type { BuiltBundle } from '../../../src/bundle/build';
import type { ConsentReceipt } from '../../../src/consent/consentMachine';
import type { CandorEvent, Category, LoggedEvent } from '../../../src/model/events';
import { sha256 } from '../../../src/bundle/format';
import { sha256Hex } from '../../../src/replay/hash';
import { Inspector } from '../../../src/collector/ingest';
import type { ServerOptions } from '../../../src/collector/server';
import { buildServer } from '../../../src/collector/server';
import type { StoreOptions } from '../../../src/collector/store';
import { CollectorStore } from '../../../src/collector/store';
import type { Role } from '../../../src/collector/tokens';
import { identityRedactor, inputOf, sampleEvents, testReceipt } from '../bundle/helpers';
import { prng } from '../prng';

export const TEST_POLICY_VERSION = 'team-3';
export type DbKind = 'sqlite' | 'postgres';

const root = join(__dirname, '..', '..', '..', '..');


/** `sampleEvents()` (every event type) with its session renamed, so each `n` gives other bytes. */
export function uniqueEvents(n: number): LoggedEvent[] {
  return sampleEvents().events.map((e) => (e.event.t === 'session' ? { seq: e.seq, event: { ...e.event, sid: `s-${n}` } } : e));
}

export interface BundleOptions {
  readonly receipt?: ConsentReceipt;
  readonly policyVersion?: string;
}

export async function bundleOf(events: readonly LoggedEvent[], options: BundleOptions = {}): Promise<BuiltBundle> {
  return buildBundle(
    inputOf(events, {
      redactor: identityRedactor,
      policyVersion: options.policyVersion ?? TEST_POLICY_VERSION,
      ...(options.receipt !== undefined ? { receipt: options.receipt } : {}),
    }),
  );
}

/** A bundle of the sample session, unique per `n`. */
export async function uniqueBundle(n: number, options: BundleOptions = {}): Promise<BuiltBundle> {
  return bundleOf(uniqueEvents(n), options);
}

const WORDS = ['total', 'item', 'price', 'value', 'render', 'state', 'props', 'count', 'index', 'result', 'handler', 'config'];

/** Ordinary code, random enough to compress like real source (about 4×), free of secret look-alikes. */
function codeText(chars: number, rnd: () => number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const w = (): string => WORDS[Math.floor(rnd() * WORDS.length)] + String(Math.floor(rnd() * 1000));
    const line = `  const ${w()} = ${w()}(${w()}, '${w()}') + ${Math.floor(rnd() * 100)};\n`;
    parts.push(line);
    n += line.length;
  }
  return parts.join('').slice(0, chars);
}

/**
 * A bundle of about `fileBytes` on disk: a session with one document snapshot of generated code,
 * a few edits and a checkpoint, built by the real builder. `seed` varies the bytes.
 */
export async function sizedBundle(fileBytes: number, seed: number): Promise<BuiltBundle> {
  // Word soup of this shape compresses about 4.3× at level 6; one calibration step corrects it.
  let chars = Math.max(64, Math.round(fileBytes * 4.3));
  let built = await bundleOf(sizedEvents(chars, seed));
  chars = Math.max(64, Math.round((chars * fileBytes) / built.bytes.length));
  built = await bundleOf(sizedEvents(chars, seed));
  return built;
}

function sizedEvents(chars: number, seed: number): LoggedEvent[] {
  const rnd = prng(seed);
  let text = codeText(chars, rnd);
  const T0 = Date.UTC(2025, 10, 30, 9, 0, 0);
  const out: CandorEvent[] = [
    { t: 'session', ts: T0, op: 'start', sid: `sized-${seed}`, cats: ['edits'] },
    { t: 'snap', ts: T0 + 1, f: 'src/generated.ts', v: 1, text },
  ];
  let v = 1;
  for (let k = 0; k < 5; k++) {
    const at = Math.floor(rnd() * text.length);
    text = text.slice(0, at) + 'x' + text.slice(at);
    out.push({ t: 'edit', ts: T0 + 2 + k, f: 'src/generated.ts', v: ++v, c: [[at, 0, 'x']] });
  }
  out.push({ t: 'ckpt', ts: T0 + 10, f: 'src/generated.ts', v, h: sha256Hex(text), why: 'save' });
  out.push({ t: 'session', ts: T0 + 20, op: 'stop', sid: `sized-${seed}` });
  return out.map((event, k) => ({ seq: k + 1, event }));
}

/** A bundle whose document holds a GitHub token that the (identity) on-device redactor let through. */
export async function secretBundle(n: number): Promise<BuiltBundle> {
  const events = uniqueEvents(n);
  const T = Date.UTC(2025, 10, 30, 12, 0, 0);
  const text = `const token = "ghp_${'A1b2C3d4E5f6G7h8I9j0'.repeat(2).slice(0, 36)}";\n`;
  const last = events[events.length - 1].seq;
  events.push({ seq: last + 1, event: { t: 'snap', ts: T, f: 'src/leak.ts', v: 1, text } });
  events.push({ seq: last + 2, event: { t: 'ckpt', ts: T + 1, f: 'src/leak.ts', v: 1, h: sha256Hex(text), why: 'save' } });
  return bundleOf(events);
}

export function receiptWith(categories: readonly Category[]): ConsentReceipt {
  return testReceipt(categories);
}

// ── a collector on 127.0.0.1 ─────────────────────────────────────────────────────────────────

export interface RunningCollector {
  readonly url: string;
  readonly store: CollectorStore;
  readonly dataDir: string | undefined;
  token(team: string, role: Role, name: string): Promise<string>;
  close(): Promise<void>;
}

/** One inspector (compiled rule set) per test process; building it takes tens of ms. */
let sharedInspector: Promise<Inspector> | undefined;
export function inspector(): Promise<Inspector> {
  sharedInspector ??= Inspector.create();
  return sharedInspector;
}

export async function startCollector(
  kind: DbKind,
  options: { readonly server?: Partial<Omit<ServerOptions, 'store' | 'inspector'>>; readonly store?: Partial<StoreOptions> } = {},
): Promise<RunningCollector> {
  let dataDir: string | undefined;
  let storeOptions: StoreOptions;
  if (kind === 'sqlite') {
    dataDir = mkdtempSync(join(tmpdir(), 'candor-collector-'));
    storeOptions = { dataDir, ...options.store };
  } else {
    storeOptions = { databaseUrl: await freshPostgresDatabase(), ...options.store };
  }
  const store = await CollectorStore.open(storeOptions);
  const app = await buildServer({ store, inspector: await inspector(), rateLimit: false, ...options.server });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    dataDir,
    async token(team, role, name) {
      const { token } = await store.createToken(team, role, name);
      await store.setPolicy(team, { policy: { version: TEST_POLICY_VERSION } });
      return token;
    },
    async close() {
      await app.close();
      await store.close();
      if (dataDir !== undefined) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

// ── a real PostgreSQL, started once per test process ─────────────────────────────────────────

interface PgCluster {
  readonly url: string;
  readonly dir: string;
}

let cluster: Promise<PgCluster> | undefined;

function stopCluster(dir: string): void {
  spawnSync(join(root, 'scripts', 'postgres.sh'), ['stop', dir], { stdio: 'ignore' });
}

/**
 * Starts a private PostgreSQL (scripts/postgres.sh) on first use; it stops after the last test
 * (a root-level hook), or when the process exits or is interrupted. Rejects when it cannot start:
 * callers skip outside CI and fail in CI (`requirePostgres`).
 */
export function postgres(): Promise<PgCluster> {
  cluster ??= new Promise<PgCluster>((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-pg-'));
    try {
      const url = execFileSync(join(root, 'scripts', 'postgres.sh'), ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }).trim();
      process.once('exit', () => stopCluster(dir));
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          stopCluster(dir);
          process.exit(130);
        });
      }
      resolve({ url, dir });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      const stderr = (err as { stderr?: string }).stderr;
      reject(new Error(`PostgreSQL could not be started by scripts/postgres.sh: ${stderr?.trim() ?? String(err)}`));
    }
  });
  return cluster;
}

/** Stops the cluster `postgres()` started, if any (the bench; tests rely on the hook below). */
export async function stopPostgres(): Promise<void> {
  const started = await cluster?.catch(() => undefined);
  if (started !== undefined) {
    stopCluster(started.dir);
  }
}

// Root-level under mocha: runs once, after every test file of the run (the bench imports this
// module outside mocha, and stops its cluster itself).
(typeof after === 'function' ? after : (): void => undefined)(async () => {
  if (cluster !== undefined) {
    const started = await cluster.catch(() => undefined);
    if (started !== undefined) {
      stopCluster(started.dir);
    }
  }
});

/** A new, empty database in the shared cluster: every suite gets its own. */
export async function freshPostgresDatabase(): Promise<string> {
  const { url } = await postgres();
  const name = `t_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/**
 * For a `before` hook of a PostgreSQL suite: resolves when PostgreSQL runs; otherwise skips the
 * suite with the reason — except in CI (CI=true), where a missing PostgreSQL is a failure.
 */
export async function requirePostgres(ctx: Mocha.Context): Promise<void> {
  try {
    await postgres();
  } catch (err) {
    if (process.env['CI'] === 'true') {
      throw err;
    }
    console.warn(`      (skipped: ${err instanceof Error ? err.message : String(err)})`);
    ctx.skip();
  }
}

// ── HTTP ─────────────────────────────────────────────────────────────────────────────────────

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export async function http(
  method: string,
  url: string,
  options: { readonly token?: string; readonly body?: Uint8Array | string; readonly contentType?: string; readonly headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) {
    headers['authorization'] = `Bearer ${options.token}`;
  }
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/vnd.candor.bundle';
  }
  const res = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}) });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    body,
    json<T>(): T {
      return JSON.parse(body.toString('utf8')) as T;
    },
  };
}

export function upload(c: { url: string }, token: string, bytes: Uint8Array, id = sha256(bytes)): Promise<HttpResult> {
  return http('PUT', `${c.url}/v1/bundles/${id}`, { token, body: bytes });
}
