/**
 * Host side of the preview's view worker: one worker per open preview, requests matched to
 * replies by id. Disposing terminates the worker (and rejects what is still pending).
 */
import { Worker } from 'node:worker_threads';
import { BundleError } from '../bundle/errors';
import type { BundleErrorCode } from '../bundle/errors';
import type { IDisposable } from '../util/disposable';
import type { ViewOp, ViewOps, ViewRequest, ViewResponse } from './viewProtocol';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

export class ViewWorkerError extends Error {
  override readonly name = 'ViewWorkerError';
  readonly isViewWorkerError = true;

  static is(err: unknown): err is ViewWorkerError {
    return typeof err === 'object' && err !== null && (err as Partial<ViewWorkerError>).isViewWorkerError === true;
  }
}

export class ViewClient implements IDisposable {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(workerScript: string) {
    this.worker = new Worker(workerScript);
    this.worker.on('message', (m: ViewResponse) => this.onResponse(m));
    this.worker.on('error', (err) => this.fail(new ViewWorkerError(`the preview worker failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => this.fail(new ViewWorkerError(`the preview worker exited (code ${code})`)));
  }

  request<K extends ViewOp>(op: K, args: ViewOps[K]['args'], transfer: ArrayBuffer[] = []): Promise<ViewOps[K]['result']> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    return new Promise<ViewOps[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request = { id, op, args } as ViewRequest;
      this.worker.postMessage(request, transfer);
    });
  }

  dispose(): void {
    this.fail(new ViewWorkerError('the preview was closed'));
    void this.worker.terminate();
  }

  private onResponse(m: ViewResponse): void {
    const p = this.pending.get(m.id);
    if (p === undefined) {
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) {
      p.resolve(m.result);
    } else if (m.code !== undefined) {
      p.reject(new BundleError(m.code as BundleErrorCode, m.message));
    } else {
      p.reject(new ViewWorkerError(m.message));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) {
      p.reject(err);
    }
    this.pending.clear();
  }
}
