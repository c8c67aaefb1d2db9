/**
 * Entry of the preview's view worker (worker_threads; bundled by esbuild as dist/previewWorker.js).
 * Holds one `BundleView` and answers `ViewRequest`s in order (src/util/workerRpc.ts serves them one
 * at a time: a load finishes before rows are asked of it). Reading back a 100k-event bundle takes
 * about a second of CPU: here it costs the extension host nothing.
 */
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort } from 'node:worker_threads';
import { bundleErrorToWire } from '../bundle/workerProtocol';
import type { IDisposable } from '../util/disposable';
import type { RpcHandlers, RpcWireError } from '../util/workerRpc';
import { answerCall, serveRpc } from '../util/workerRpc';
import { BundleView, PreviewViewError } from './bundleView';
import type { ViewOps, ViewRequest, ViewResponse } from './viewProtocol';

interface ViewHolder {
  view: BundleView | undefined;
}

/** The worker's answers, against the bundle `holder` holds. */
export function viewHandlers(holder: ViewHolder): RpcHandlers<ViewOps> {
  const view = (): BundleView => {
    if (holder.view === undefined) {
      throw new PreviewViewError('no bundle is loaded');
    }
    return holder.view;
  };
  return {
    load: async (args) => {
      holder.view = undefined;
      const loaded = await BundleView.load(new Uint8Array(args.bytes), args.expectedSha256);
      holder.view = loaded;
      return { summary: loaded.summary, manifest: loaded.manifest };
    },
    rows: (args) => view().rows(args.offset, args.count),
    body: (args) => view().body(args.seq) ?? null,
    search: (args) => view().search(args.query),
    versions: (args) => view().versions(args.file),
    versionText: (args) => view().versionText(args.file, args.index),
    diff: (args) => view().diff(args.file, args.from, args.to),
  };
}

/** A refused bundle keeps its BundleError code; a question the view cannot answer is just its message. */
export function viewErrorToWire(err: unknown): RpcWireError {
  return PreviewViewError.is(err) ? { message: err.message } : bundleErrorToWire(err);
}

/** Answers one request against `holder.view`; errors become replies. Exported so unit tests run it in-thread. */
export function answerViewRequest(holder: ViewHolder, req: ViewRequest): Promise<ViewResponse> {
  return answerCall(viewHandlers(holder), req, { encodeError: viewErrorToWire });
}

/** Serves requests from `port` one at a time. */
export function serveView(port: MessagePort): IDisposable {
  return serveRpc<ViewOps>(port, viewHandlers({ view: undefined }), { encodeError: viewErrorToWire });
}

if (!isMainThread && parentPort !== null) {
  serveView(parentPort);
}
