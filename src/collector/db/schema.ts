/**
 * The collector's tables, as Kysely sees them. Times are integers (ms since the epoch) in both
 * dialects; booleans are 0/1 integers; JSON is text. That keeps one set of migrations and one
 * query layer for SQLite and PostgreSQL.
 */
import type { Role } from '../tokens';

export type BundleStatus = 'stored' | 'quarantined' | 'erased';

export interface TokensTable {
  /** Public handle, `tok_…`. */
  id: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  hash: string;
  team: string;
  role: Role;
  /** The person or machine it was issued to; contributors own bundles by (team, name). */
  name: string;
  created_at: number;
  revoked_at: number | null;
}

export interface PoliciesTable {
  team: string;
  version: string;
  /** The policy as validated JSON (src/privacy/policy/model.ts `TeamPolicy`). */
  body: string;
  created_at: number;
}

export interface TeamsTable {
  team: string;
  /** Current policy version (a row of `policies`). */
  policy_version: string;
  /** 1: recording is stopped for the whole team. */
  kill_switch: number;
  updated_at: number;
}

/**
 * One row per (team, id), forever: an erased bundle keeps its row as the tombstone (status
 * `erased`, the metadata cleared), which also makes a late duplicate upload unable to bring it
 * back — the row is there to conflict with.
 */
export interface BundlesTable {
  team: string;
  /** SHA-256 of the file's bytes (what the developer approved). */
  id: string;
  /** SHA-256 of the content (the header's id). Null once erased. */
  content_id: string | null;
  /** Contributor name within the team. */
  owner: string;
  status: BundleStatus;
  /** Why it is quarantined (rule ids, never a value). */
  reason: string | null;
  size: number | null;
  events: number | null;
  policy_version: string | null;
  /** The manifest's createdAt. */
  created_at: string | null;
  stored_at: number;
  expires_at: number | null;
  erased_at: number | null;
  /** Token id of whoever erased it, or `retention`. */
  erased_by: string | null;
}

/** Bundle bytes in the database (PostgreSQL); with SQLite they live on the filesystem instead. */
export interface BytesTable {
  team: string;
  id: string;
  bytes: Buffer;
}

export interface CollectorDatabase {
  tokens: TokensTable;
  policies: PoliciesTable;
  teams: TeamsTable;
  bundles: BundlesTable;
  bundle_bytes: BytesTable;
  quarantine_bytes: BytesTable;
}
