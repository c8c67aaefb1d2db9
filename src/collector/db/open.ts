/**
 * Opens the collector's database: SQLite in the data folder by default (better-sqlite3, WAL,
 * synchronous=FULL: a committed upload survives a power cut), or PostgreSQL from a URL. Both go
 * through the same Kysely query layer and the same migrations.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import type { DialectName } from './migrations';
import { migrationProvider } from './migrations';
import type { CollectorDatabase } from './schema';

export interface OpenOptions {
  /** Data folder: the SQLite file and bundle bytes when no database URL is given. */
  readonly dataDir?: string;
  /** `postgres://…`: bundle bytes then live in the database too. */
  readonly databaseUrl?: string;
  /** PostgreSQL pool size per process (default 10). */
  readonly poolSize?: number;
}

export interface OpenDatabase {
  readonly db: Kysely<CollectorDatabase>;
  readonly dialect: DialectName;
  /** Where bundle bytes go on the filesystem (SQLite mode only). */
  readonly blobDir?: string;
  /** A printable description (never the password). */
  readonly where: string;
}

const INT8_OID = 20;

/**
 * Per pool, not pg's global registry: bigint columns (times, sizes) come back as numbers. Every
 * value stored fits a double exactly (ms timestamps, byte counts).
 */
const typeParser = ((oid: number, format: 'text' | 'binary' = 'text'): unknown => {
  if (format === 'binary') {
    return pgTypes.getTypeParser(oid, 'binary');
  }
  return oid === INT8_OID ? (v: string): number => Number(v) : pgTypes.getTypeParser(oid, 'text');
}) as typeof pgTypes.getTypeParser;

export function openDatabase(options: OpenOptions): OpenDatabase {
  if (options.databaseUrl !== undefined) {
    const url = options.databaseUrl;
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`--database-url must be a postgres:// URL, got '${redactUrl(url)}'`);
    }
    const pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: { getTypeParser: typeParser },
    });
    return { db: new Kysely<CollectorDatabase>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', where: redactUrl(url) };
  }
  if (options.dataDir === undefined) {
    throw new Error('a data folder (--data DIR) or a database URL (--database-url) is required');
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'collector.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  // Another process (the CLI's `token create` while `serve` runs) may hold the write lock briefly.
  sqlite.pragma('busy_timeout = 5000');
  const blobDir = join(options.dataDir, 'bundles');
  return { db: new Kysely<CollectorDatabase>({ dialect: new SqliteDialect({ database: sqlite }) }), dialect: 'sqlite', blobDir, where: file };
}

/** Brings the schema up to date. Safe to run from several processes at once (Kysely's migration lock). */
export async function migrate(open: OpenDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: open.db, provider: migrationProvider(open.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
