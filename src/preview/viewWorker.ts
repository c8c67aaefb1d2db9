/**
 * Entry of the preview's view worker (worker_threads; bundled by esbuild as dist/previewWorker.js).
 * Holds one `BundleView` and answers `ViewRequest`s in order. Reading back a 100k-event bundle
 * takes about a second of CPU: here it costs the extension host nothing.
 */
import type { MessagePort } from 'node:worker_threads';
import { isMainThread, parentPort } from 'node:worker_threads';
import { BundleError } from '../bundle/errors';
import { BundleView, PreviewViewError } from './bundleView';
import type { ViewRequest, ViewResponse } from './viewProtocol';

/** Answers one request against `holder.view`. Exported so unit tests run it in-thread. */
export async function answerViewRequest(holder: { view: BundleView | undefined }, req: ViewRequest): Promise<ViewResponse> {
  try {
    if (req.op === 'load') {
      holder.view = undefined;
      const view = await BundleView.load(new Uint8Array(req.args.bytes), req.args.expectedSha256);
      holder.view = view;
      return { id: req.id, ok: true, result: { summary: view.summary, manifest: view.manifest } };
    }
    const view = holder.view;
    if (view === undefined) {
      return { id: req.id, ok: false, message: 'no bundle is loaded' };
    }
    switch (req.op) {
      case 'rows':
        return { id: req.id, ok: true, result: view.rows(req.args.offset, req.args.count) };
      case 'body':
        return { id: req.id, ok: true, result: view.body(req.args.seq) ?? null };
      case 'search':
        return { id: req.id, ok: true, result: view.search(req.args.query) };
      case 'versions':
        return { id: req.id, ok: true, result: view.versions(req.args.file) };
      case 'versionText':
        return { id: req.id, ok: true, result: view.versionText(req.args.file, req.args.index) };
      case 'diff':
        return { id: req.id, ok: true, result: view.diff(req.args.file, req.args.from, req.args.to) };
    }
  } catch (err) {
    if (BundleError.is(err)) {
      return { id: req.id, ok: false, code: err.code, message: err.message };
    }
    if (PreviewViewError.is(err)) {
      return { id: req.id, ok: false, message: err.message };
    }
    return { id: req.id, ok: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

/** Serves requests from `port` one at a time (a load must finish before rows are asked of it). */
export function serveView(port: MessagePort): void {
  const holder: { view: BundleView | undefined } = { view: undefined };
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: ViewRequest) => {
    queue = queue.then(async () => port.postMessage(await answerViewRequest(holder, req)));
  });
}

if (!isMainThread && parentPort !== null) {
  serveView(parentPort);
}
