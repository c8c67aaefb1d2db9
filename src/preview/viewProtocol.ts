/**
 * Calls between the extension host and the preview's view worker (viewWorker.ts), carried by
 * src/util/workerRpc.ts. The worker holds one bundle read back from its bytes and answers the
 * panel's questions about it, so parsing, indexing, search and replay never block the extension host.
 */
import type { BundleManifest } from '../bundle/types';
import type { RpcCall, RpcReply } from '../util/workerRpc';
import type { PreviewDiffPart, PreviewRow, PreviewSummary, PreviewVersion } from './protocol';

export interface ViewOps {
  /** Reads and checks the bundle (transferred); fails unless its SHA-256 is `expectedSha256`. */
  load: { args: { readonly bytes: ArrayBuffer; readonly expectedSha256: string }; result: { summary: PreviewSummary; manifest: BundleManifest } };
  rows: { args: { readonly offset: number; readonly count: number }; result: PreviewRow[] };
  body: { args: { readonly seq: number }; result: string | null };
  search: { args: { readonly query: string }; result: number[] };
  versions: { args: { readonly file: string }; result: PreviewVersion[] };
  versionText: { args: { readonly file: string; readonly index: number }; result: string };
  diff: { args: { readonly file: string; readonly from: number; readonly to: number }; result: PreviewDiffPart[] };
}

export type ViewOp = keyof ViewOps;

export type ViewRequest = RpcCall<ViewOps>;

/** `code` is a BundleError code when the bundle itself was refused. */
export type ViewResponse = RpcReply;
