/**
 * Messages between the extension host (or the CLI) and the bundle build worker. Only plain,
 * structured-cloneable data crosses: the worker reads the log and builds the redactor itself, so
 * the host never clones 100k events, and the file comes back as a transferred buffer (no copy).
 * The messages themselves are src/util/workerRpc.ts's calls and replies.
 */
import type { LoggedEvent } from '../model/events';
import type { MachineIdentity } from '../privacy/identity';
import type { BuildProgress, BundleParams } from './build';
import type { RpcWireError } from '../util/workerRpc';
import { describeThrown } from '../util/workerRpc';
import type { BundleErrorCode } from './errors';
import { BundleError } from './errors';
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

/** The build result as it crosses back: the file is transferred, not copied. */
export interface WorkerBuildOutput {
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

/** The bundle worker's one method (src/util/workerRpc.ts carries it; cancel aborts the build). */
export interface BuildMethods {
  build: { args: WorkerBuildParams; result: WorkerBuildOutput; progress: BuildProgress };
}

/** A thrown error as data: a `BundleError` keeps its code across the thread boundary. */
export function bundleErrorToWire(err: unknown): RpcWireError {
  return BundleError.is(err) ? { code: err.code, message: err.message } : describeThrown(err);
}

/** Back on the host: a code becomes the `BundleError` it was (`fallback` when there was none). */
export function bundleErrorFromWire(wire: RpcWireError, fallback: BundleErrorCode): BundleError {
  return new BundleError((wire.code as BundleErrorCode | undefined) ?? fallback, wire.message);
}
