/**
 * Messages between the extension host (or the CLI) and the bundle build worker. Only plain,
 * structured-cloneable data crosses: the worker reads the log and builds the redactor itself, so
 * the host never clones 100k events, and the file comes back as a transferred buffer (no copy).
 */
import type { LoggedEvent } from '../model/events';
import type { MachineIdentity } from '../privacy/identity';
import type { BuildProgress, BundleParams } from './build';
import type { BundleErrorCode } from './errors';
import type { LogSelection, SkippedRecord } from './fromLog';
import type { SeqRange } from './seqRanges';
import type { BundleManifest } from './types';

export type WorkerSource =
  | { readonly kind: 'log'; readonly dir: string; readonly selection?: Omit<LogSelection, 'fs'> }
  /** Events cloned into the worker: fine for small inputs and tests; prefer `log` for a day's log. */
  | { readonly kind: 'events'; readonly events: readonly LoggedEvent[] };

export interface WorkerBuildParams {
  readonly source: WorkerSource;
  /**
   * Everything but the events (`createdAt` as an ISO string: it crosses a thread boundary), with
   * the policy in force and the workspace folders: the worker applies the policy again.
   */
  readonly params: Omit<BundleParams, 'events' | 'createdAt'> & { readonly createdAt: string };
  /**
   * Absolute path of a module exporting `createRedactor(): Redactor`, loaded in the worker. When
   * absent the worker uses the on-device engine (src/bundle/redactorAdapter.ts). Tests point it at
   * a fake; there is deliberately no data-only way to switch redaction off.
   */
  readonly redactorModule?: string;
  /** Options of the on-device engine (ignored with `redactorModule`). */
  readonly redaction?: { readonly identity?: MachineIdentity; readonly workspaceRoots?: readonly string[] };
}

export type HostToWorker = { readonly type: 'cancel' };

export interface WorkerResultMessage {
  readonly type: 'done';
  /** The bundle file, transferred. */
  readonly bytes: ArrayBuffer;
  readonly sha256: string;
  readonly id: string;
  readonly manifest: BundleManifest;
  readonly skipped: readonly SkippedRecord[];
  readonly damaged: number;
  readonly synthesized: number;
  /** The log seqs the selection took (empty for `events`): what approving this bundle decides. */
  readonly covered: readonly SeqRange[];
}

export type WorkerToHost =
  | { readonly type: 'progress'; readonly progress: BuildProgress }
  | WorkerResultMessage
  | { readonly type: 'error'; readonly code?: BundleErrorCode; readonly message: string };
