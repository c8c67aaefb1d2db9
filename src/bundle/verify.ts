/**
 * Full verification of a bundle file: everything `readBundle` checks, then a replay of every
 * document through every checkpoint. What the CLI's `bundle verify` and the collector run.
 */
import type { ReplayIssue } from '../replay/issues';
import { replayEvents } from '../replay/replay';
import type { ReplayStats } from '../replay/replayer';
import type { BundleErrorCode } from './errors';
import { BundleError } from './errors';
import type { ReadBundle, ReadOptions } from './format';
import { readBundle, sha256 } from './format';
import type { BundleManifest } from './types';

export interface BundleVerification {
  /** True when the file reads cleanly and replay found no issue (every checkpoint matched). */
  readonly ok: boolean;
  /** SHA-256 of the file (present whenever the bytes could be hashed, i.e. always). */
  readonly sha256: string;
  /** The first problem reading the file, if any (then nothing below is present). */
  readonly error?: { readonly code: BundleErrorCode; readonly message: string };
  readonly id?: string;
  readonly manifest?: BundleManifest;
  readonly replay?: {
    readonly documents: number;
    readonly stats: ReplayStats;
    readonly issues: readonly ReplayIssue[];
  };
}

/** Never throws for a bad bundle: the report says what is wrong. Other errors (bugs) propagate. */
export async function verifyBundle(bytes: Uint8Array, options?: ReadOptions): Promise<BundleVerification> {
  let read: ReadBundle;
  try {
    read = await readBundle(bytes, options);
  } catch (err) {
    if (BundleError.is(err)) {
      return { ok: false, sha256: sha256(bytes), error: { code: err.code, message: err.message } };
    }
    throw err;
  }
  const result = replayEvents(read.events);
  return {
    ok: result.issues.length === 0 && result.stats.checkpoints === result.stats.checkpointsMatched,
    sha256: read.sha256,
    id: read.id,
    manifest: read.manifest,
    replay: { documents: result.documents.length, stats: result.stats, issues: result.issues },
  };
}
