/**
 * The collector's one query layer (Kysely) over SQLite or PostgreSQL: tokens, team policies and
 * bundles. It holds no state between calls beyond the connection, so any number of processes can
 * share one PostgreSQL; every decision that must be atomic (the same bundle stored once, an erased
 * bundle never coming back) is made by the database inside one transaction, with the primary key
 * (team, id) as the arbiter.
 *
 * One file though over 450 lines: it is the collector's whole query layer, and keeping every
 * statement that touches `bundles` together lets a reader check that each one is scoped by team
 * (and by contributor where the role asks for it).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { TeamPolicy } from '../privacy/policy/model';
import type { BlobArea } from './blobs';
import { FsBlobs, fsyncDir } from './blobs';
import type { BodySource } from './body';
import { GroupCommit } from './groupCommit';
import type { OpenDatabase, OpenOptions } from './db/open';
import { migrate, openDatabase } from './db/open';
import type { BundleStatus, BundlesTable, CollectorDatabase } from './db/schema';
import { CollectorError } from './errors';
import type { ServedPolicy } from './policy';
import { checkPolicy, DEFAULT_POLICY, policyText } from './policy';
import type { Role } from './tokens';
import { hashToken, newToken, newTokenId, sameHash } from './tokens';

export const DEFAULT_RETENTION_DAYS = 180;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Files younger than this are never swept: an upload may be between writing bytes and committing. */
const ORPHAN_GRACE_MS = 10 * 60 * 1000;

export interface StoreOptions extends OpenOptions {
  /** Days a stored bundle is kept (default 180). */
  readonly retentionDays?: number;
  /** Clock, for tests of retention. */
  readonly now?: () => number;
  /** Run migrations on open (default true). */
  readonly migrate?: boolean;
}

export interface Principal {
  readonly tokenId: string;
  readonly team: string;
  readonly role: Role;
  readonly name: string;
}

export interface TokenInfo {
  readonly id: string;
  readonly team: string;
  readonly role: Role;
  readonly name: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

export type BundleRow = BundlesTable;

export interface NewBundle {
  readonly team: string;
  readonly id: string;
  readonly contentId: string;
  readonly owner: string;
  readonly status: 'stored' | 'quarantined';
  readonly reason?: string;
  readonly size: number;
  readonly events: number;
  readonly policyVersion: string;
  readonly createdAt: string;
  /** The checked body: in memory, or a temporary file the store moves into place (embedded) or reads (PostgreSQL). */
  readonly source: BodySource;
}

export type PutResult =
  | { readonly kind: 'created'; readonly row: BundleRow }
  /** A row with this (team, id) already exists: the caller decides (same owner → idempotent). */
  | { readonly kind: 'exists'; readonly row: BundleRow }
  /** The same content is stored under another file id. */
  | { readonly kind: 'content-conflict'; readonly existingId: string };

export interface ListOptions {
  readonly limit: number;
  readonly offset: number;
}

export interface StoreStatus {
  readonly database: string;
  readonly dialect: string;
  readonly teams: number;
  readonly tokens: { readonly active: number; readonly revoked: number };
  readonly bundles: Readonly<Record<BundleStatus, number>>;
  readonly bytesStored: number;
}

function areaOf(status: BundleStatus): BlobArea {
  return status === 'quarantined' ? 'quarantine' : 'bundles';
}

function bytesTable(area: BlobArea): 'bundle_bytes' | 'quarantine_bytes' {
  return area === 'quarantine' ? 'quarantine_bytes' : 'bundle_bytes';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Inserts one bundle row (and, with `bytes`, its bytes) unless (team, id) exists; the primary key
 * decides, inside the caller's transaction, which of two concurrent uploads creates the row.
 */
async function insertBundle(trx: Transaction<CollectorDatabase>, row: BundleRow, area: BlobArea, bytes: Uint8Array | undefined): Promise<PutResult> {
  const ins = await trx.insertInto('bundles').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  if (Number(ins.numInsertedOrUpdatedRows ?? 0n) > 0) {
    if (bytes !== undefined) {
      await trx.insertInto(bytesTable(area)).values({ team: row.team, id: row.id, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) }).execute();
    }
    return { kind: 'created', row };
  }
  const existing = await trx.selectFrom('bundles').selectAll().where('team', '=', row.team).where('id', '=', row.id).executeTakeFirst();
  if (existing !== undefined) {
    return { kind: 'exists', row: existing };
  }
  const same = await trx.selectFrom('bundles').select('id').where('team', '=', row.team).where('content_id', '=', row.content_id).executeTakeFirst();
  // Neither key conflicted yet nothing was inserted: cannot happen with these constraints.
  return { kind: 'content-conflict', existingId: same?.id ?? '' };
}

/** A bundle whose file is in place, waiting for its row's commit (and its directory's fsync). */
interface Placed {
  readonly row: BundleRow;
  readonly dir: string;
}

export class CollectorStore {
  private readonly fs: FsBlobs | undefined;
  /** Embedded mode: rows of uploads arriving together commit in one transaction. */
  private readonly group: GroupCommit<Placed, PutResult>;

  private constructor(
    private readonly open: OpenDatabase,
    readonly retentionDays: number,
    private readonly now: () => number,
  ) {
    this.fs = open.blobDir !== undefined ? new FsBlobs(open.blobDir) : undefined;
    this.group = new GroupCommit((items) => this.commitPlaced(items));
  }

  static async open(options: StoreOptions): Promise<CollectorStore> {
    const open = openDatabase(options);
    try {
      if (options.migrate !== false) {
        await migrate(open);
      }
    } catch (err) {
      await open.db.destroy();
      throw err;
    }
    return new CollectorStore(open, options.retentionDays ?? DEFAULT_RETENTION_DAYS, options.now ?? Date.now);
  }

  get dialect(): string {
    return this.open.dialect;
  }

  get db(): Kysely<CollectorDatabase> {
    return this.open.db;
  }

  async close(): Promise<void> {
    await this.open.db.destroy();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.open.db);
  }

  // ── tokens ──────────────────────────────────────────────────────────────────────────────────

  async createToken(team: string, role: Role, name: string): Promise<{ token: string; info: TokenInfo }> {
    await this.ensureTeam(team);
    const token = newToken();
    const row = { id: newTokenId(), hash: hashToken(token), team, role, name, created_at: this.now(), revoked_at: null };
    await this.open.db.insertInto('tokens').values(row).execute();
    return { token, info: { id: row.id, team, role, name, createdAt: iso(row.created_at) } };
  }

  async listTokens(team?: string): Promise<TokenInfo[]> {
    let q = this.open.db.selectFrom('tokens').select(['id', 'team', 'role', 'name', 'created_at', 'revoked_at']).orderBy('team').orderBy('created_at').orderBy('id');
    if (team !== undefined) {
      q = q.where('team', '=', team);
    }
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      team: r.team,
      role: r.role,
      name: r.name,
      createdAt: iso(r.created_at),
      ...(r.revoked_at !== null ? { revokedAt: iso(r.revoked_at) } : {}),
    }));
  }

  /** Revokes at once: every request authenticates against the database, nothing is cached. */
  async revokeToken(id: string): Promise<boolean> {
    const r = await this.open.db.updateTable('tokens').set({ revoked_at: this.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const row = await this.open.db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    if (row === undefined || !sameHash(row.hash, hash) || row.revoked_at !== null) {
      return undefined;
    }
    return { tokenId: row.id, team: row.team, role: row.role, name: row.name };
  }

  // ── policy ──────────────────────────────────────────────────────────────────────────────────

  /** Creates the team with the default policy if it does not exist yet (idempotent, race-safe). */
  async ensureTeam(team: string): Promise<void> {
    const now = this.now();
    await this.open.db.transaction().execute(async (trx) => {
      await trx.insertInto('policies').values({ team, version: DEFAULT_POLICY.version, body: policyText(DEFAULT_POLICY), created_at: now }).onConflict((oc) => oc.doNothing()).execute();
      await trx.insertInto('teams').values({ team, policy_version: DEFAULT_POLICY.version, kill_switch: 0, updated_at: now }).onConflict((oc) => oc.doNothing()).execute();
    });
  }

  async currentPolicy(team: string): Promise<ServedPolicy | undefined> {
    const row = await this.open.db
      .selectFrom('teams')
      .innerJoin('policies', (j) => j.onRef('policies.team', '=', 'teams.team').onRef('policies.version', '=', 'teams.policy_version'))
      .select(['teams.team', 'teams.policy_version', 'teams.kill_switch', 'teams.updated_at', 'policies.body'])
      .where('teams.team', '=', team)
      .executeTakeFirst();
    if (row === undefined) {
      return undefined;
    }
    return { team: row.team, version: row.policy_version, policy: checkPolicy(JSON.parse(row.body)), killSwitch: row.kill_switch === 1, updatedAt: iso(row.updated_at) };
  }

  /** Any version the team ever published (bundles name the version they were built under). */
  async policyVersion(team: string, version: string): Promise<TeamPolicy | undefined> {
    const row = await this.open.db.selectFrom('policies').select('body').where('team', '=', team).where('version', '=', version).executeTakeFirst();
    return row === undefined ? undefined : checkPolicy(JSON.parse(row.body));
  }

  /**
   * Publishes `policy` as the team's current one (and/or sets the kill switch). A version already
   * published with other content is refused: a version names one policy forever.
   */
  async setPolicy(team: string, change: { readonly policy?: TeamPolicy; readonly killSwitch?: boolean }): Promise<ServedPolicy> {
    await this.ensureTeam(team);
    const now = this.now();
    await this.open.db.transaction().execute(async (trx) => {
      if (change.policy !== undefined) {
        const text = policyText(change.policy);
        await trx.insertInto('policies').values({ team, version: change.policy.version, body: text, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
        const stored = await trx.selectFrom('policies').select('body').where('team', '=', team).where('version', '=', change.policy.version).executeTakeFirstOrThrow();
        if (stored.body !== text) {
          throw new CollectorError('bad-policy', `policy version '${change.policy.version}' was already published with other content; give the new policy a new version`);
        }
        await trx.updateTable('teams').set({ policy_version: change.policy.version, updated_at: now }).where('team', '=', team).execute();
      }
      if (change.killSwitch !== undefined) {
        await trx.updateTable('teams').set({ kill_switch: change.killSwitch ? 1 : 0, updated_at: now }).where('team', '=', team).execute();
      }
    });
    return (await this.currentPolicy(team))!;
  }

  // ── bundles ─────────────────────────────────────────────────────────────────────────────────

  async findBundle(team: string, id: string): Promise<BundleRow | undefined> {
    return this.open.db.selectFrom('bundles').selectAll().where('team', '=', team).where('id', '=', id).executeTakeFirst();
  }

  /** Where request bodies over the in-memory threshold are spilled (same file system as the bundles in embedded mode). */
  get spillDir(): string {
    return this.fs !== undefined ? join(this.fs.root, 'incoming') : join(tmpdir(), 'candor-collector-incoming');
  }

  /**
   * Stores a validated bundle once. Filesystem bytes are placed (atomically, fsynced) before the
   * row is committed, and their directory fsynced before it; database bytes go in the same
   * transaction as the row. Either way a reader never sees a row without its bytes, a crash in
   * between leaves at most an unreferenced file for the sweep, and the promise resolves only once
   * bytes and row are durable.
   *
   * On SQLite, uploads that arrive together commit together (`GroupCommit`): one transaction, one
   * WAL fsync and one fsync per directory for the group. On PostgreSQL each upload has its own
   * transaction (the server batches concurrent commits itself, and several processes share it).
   */
  async putBundle(b: NewBundle): Promise<PutResult> {
    const now = this.now();
    const area = areaOf(b.status);
    const row: BundleRow = {
      team: b.team,
      id: b.id,
      content_id: b.contentId,
      owner: b.owner,
      status: b.status,
      reason: b.reason ?? null,
      size: b.size,
      events: b.events,
      policy_version: b.policyVersion,
      created_at: b.createdAt,
      stored_at: now,
      expires_at: now + this.retentionDays * DAY_MS,
      erased_at: null,
      erased_by: null,
    };
    let result: PutResult;
    if (this.fs !== undefined) {
      const dir = await this.fs.place(area, b.team, b.id, b.source);
      result = await this.group.commit({ row, dir });
    } else {
      const bytes = b.source.kind === 'memory' ? b.source.bytes : await readFile(b.source.path);
      result = await this.open.db.transaction().execute((trx) => insertBundle(trx, row, area, bytes));
    }
    // The file just written stays only if a live row of the same area owns it: an erased row
    // blocks the id for good, another status lives in the other area, a content conflict has no row.
    const keep = result.kind === 'created' || (result.kind === 'exists' && result.row.status !== 'erased' && areaOf(result.row.status) === area);
    if (this.fs !== undefined && !keep) {
      await this.fs.remove(area, b.team, b.id);
    }
    return result;
  }

  /**
   * One group: every new directory entry made durable (one fsync per distinct directory, in
   * parallel), then every row in one transaction (one WAL fsync under synchronous=FULL).
   */
  private async commitPlaced(items: readonly Placed[]): Promise<PutResult[]> {
    await Promise.all([...new Set(items.map((i) => i.dir))].map((d) => fsyncDir(d)));
    return this.open.db.transaction().execute(async (trx) => {
      const results: PutResult[] = [];
      for (const i of items) {
        results.push(await insertBundle(trx, i.row, areaOf(i.row.status), undefined));
      }
      return results;
    });
  }

  async readBytes(row: BundleRow): Promise<Buffer | undefined> {
    if (row.status === 'erased') {
      return undefined;
    }
    const area = areaOf(row.status);
    if (this.fs !== undefined) {
      return this.fs.read(area, row.team, row.id);
    }
    const r = await this.open.db.selectFrom(bytesTable(area)).select('bytes').where('team', '=', row.team).where('id', '=', row.id).executeTakeFirst();
    return r?.bytes;
  }

  /**
   * Erases a bundle: hidden at once (the row turns into its tombstone in one transaction), bytes
   * purged (database rows in the same transaction, files right after it). `owner` restricts it to
   * one contributor's bundles. Erasing an erased bundle returns its tombstone (idempotent).
   */
  async eraseBundle(team: string, id: string, owner: string | undefined, erasedBy: string): Promise<BundleRow | undefined> {
    const now = this.now();
    const row = await this.open.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('bundles').selectAll().where('team', '=', team).where('id', '=', id);
      if (owner !== undefined) {
        q = q.where('owner', '=', owner);
      }
      const found = await q.executeTakeFirst();
      if (found === undefined || found.status === 'erased') {
        return found;
      }
      const upd = await trx
        .updateTable('bundles')
        .set({ status: 'erased', content_id: null, reason: null, size: null, events: null, policy_version: null, created_at: null, expires_at: null, erased_at: now, erased_by: erasedBy })
        .where('team', '=', team)
        .where('id', '=', id)
        .where('status', '!=', 'erased')
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) === 0) {
        // A concurrent erase won: return its tombstone.
        return trx.selectFrom('bundles').selectAll().where('team', '=', team).where('id', '=', id).executeTakeFirst();
      }
      if (this.fs === undefined) {
        await trx.deleteFrom('bundle_bytes').where('team', '=', team).where('id', '=', id).execute();
        await trx.deleteFrom('quarantine_bytes').where('team', '=', team).where('id', '=', id).execute();
      }
      return { ...found, status: 'erased' as const, content_id: null, reason: null, size: null, events: null, policy_version: null, created_at: null, expires_at: null, erased_at: now, erased_by: erasedBy };
    });
    if (row !== undefined && row.status === 'erased' && this.fs !== undefined) {
      await this.fs.remove('bundles', team, id);
      await this.fs.remove('quarantine', team, id);
    }
    return row;
  }

  /**
   * Bundles of a team, newest first: one contributor's (`owner`), or the team's as a lead sees
   * them (`leadView`: stored bundles and tombstones, never quarantined ones).
   */
  async listBundles(team: string, who: { readonly owner: string } | { readonly leadView: true }, page: ListOptions): Promise<BundleRow[]> {
    let q = this.open.db.selectFrom('bundles').selectAll().where('team', '=', team);
    if ('owner' in who) {
      q = q.where('owner', '=', who.owner);
    } else {
      q = q.where('status', '!=', 'quarantined');
    }
    return q.orderBy('stored_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute();
  }

  /** Erases every bundle past its retention; returns how many. Safe to run in several processes. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await this.open.db
        .selectFrom('bundles')
        .select(['team', 'id'])
        .where('status', '!=', 'erased')
        .where('expires_at', '<=', this.now())
        .limit(200)
        .execute();
      for (const d of due) {
        const r = await this.eraseBundle(d.team, d.id, undefined, 'retention');
        if (r?.erased_by === 'retention') {
          total++;
        }
      }
      if (due.length < 200) {
        return total;
      }
    }
  }

  /** Removes bundle files no row refers to (left by a crash between the write and the commit). */
  async sweepOrphans(): Promise<number> {
    if (this.fs === undefined) {
      return 0;
    }
    let removed = 0;
    const cutoff = this.now() - ORPHAN_GRACE_MS;
    for await (const f of this.fs.files()) {
      if (f.mtimeMs > cutoff) {
        continue;
      }
      const rows = await this.open.db.selectFrom('bundles').select(['team', 'status']).where('id', '=', f.id).execute();
      const owned = rows.some((r) => r.status !== 'erased' && this.fs!.path(areaOf(r.status), r.team, f.id) === f.path);
      if (!owned) {
        await this.fs.removePath(f.path);
        removed++;
      }
    }
    // Request bodies spilled to disk by a process that crashed before it answered.
    for (const name of await readdir(this.spillDir).catch(() => [] as string[])) {
      const path = join(this.spillDir, name);
      const st = await stat(path).catch(() => undefined);
      if (st !== undefined && st.isFile() && st.mtimeMs <= cutoff) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async status(): Promise<StoreStatus> {
    const db = this.open.db;
    const teams = await db.selectFrom('teams').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const tokens = await db
      .selectFrom('tokens')
      .select((e) => [e.fn.countAll<number>().as('n'), e.fn.count<number>('revoked_at').as('revoked')])
      .executeTakeFirstOrThrow();
    const byStatus = await db
      .selectFrom('bundles')
      .select((e) => ['status', e.fn.countAll<number>().as('n'), e.fn.sum<number>('size').as('bytes')])
      .groupBy('status')
      .execute();
    const bundles: Record<BundleStatus, number> = { stored: 0, quarantined: 0, erased: 0 };
    let bytesStored = 0;
    for (const r of byStatus) {
      bundles[r.status] = Number(r.n);
      bytesStored += Number(r.bytes ?? 0);
    }
    return {
      database: this.open.where,
      dialect: this.open.dialect,
      teams: Number(teams.n),
      tokens: { active: Number(tokens.n) - Number(tokens.revoked), revoked: Number(tokens.revoked) },
      bundles,
      bytesStored,
    };
  }
}
