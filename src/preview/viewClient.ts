/**
 * Host side of the preview's view worker: one worker per open preview, calls carried by
 * src/util/workerRpc.ts. Disposing terminates the worker (and rejects what is still pending).
 */
import type { TransferListItem } from 'node:worker_threads';
import { bundleErrorFromWire } from '../bundle/workerProtocol';
import type { IDisposable } from '../util/disposable';
import { WorkerRpcClient } from '../util/workerRpc';
import type { ViewOp, ViewOps } from './viewProtocol';

export class ViewWorkerError extends Error {
  override readonly name = 'ViewWorkerError';
  readonly isViewWorkerError = true;

  static is(err: unknown): err is ViewWorkerError {
    return typeof err === 'object' && err !== null && (err as Partial<ViewWorkerError>).isViewWorkerError === true;
  }
}

export class ViewClient implements IDisposable {
  private readonly rpc: WorkerRpcClient<ViewOps>;

  constructor(workerScript: string) {
    this.rpc = new WorkerRpcClient<ViewOps>(workerScript, {
      // A code means the bundle itself was refused (a BundleError); anything else is the view's answer.
      fromWorker: (wire) => (wire.code !== undefined ? bundleErrorFromWire(wire, 'worker') : new ViewWorkerError(wire.message)),
      crashed: (err) => new ViewWorkerError(`the preview worker failed: ${err.message}`, { cause: err }),
      exited: (code) => new ViewWorkerError(`the preview worker exited (code ${code})`),
      disposed: () => new ViewWorkerError('the preview was closed'),
    });
  }

  request<K extends ViewOp>(op: K, args: ViewOps[K]['args'], transfer: readonly TransferListItem[] = []): Promise<ViewOps[K]['result']> {
    return this.rpc.request(op, args, { transfer });
  }

  dispose(): void {
    this.rpc.dispose();
  }
}
