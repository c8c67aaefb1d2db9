/**
 * Typed calls into a worker thread (node worker_threads), the one RPC under Candor's workers (the
 * bundle build worker, the preview's view worker). No VS Code: unit-tested in plain mocha.
 *
 * A method map `M` names, per method, its arguments, its result and what it reports on the way
 * (progress). The host side (`WorkerRpcClient`) matches replies to calls by id; the worker side
 * (`serveRpc`) answers calls one at a time, in the order they arrived (a view must be loaded before
 * its rows are asked for), while a cancel is seen at once. Errors cross as plain data (a message and
 * an optional code) and are turned back into the caller's typed error (a `BundleError` with its
 * code). When the worker crashes or exits, every pending call rejects; disposing terminates it.
 */
import type { MessagePort, TransferListItem } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { IDisposable } from './disposable';
import { SerialQueue } from './serialQueue';

/** One method: what it takes, what it returns, what it reports while it runs. */
export interface RpcMethod {
  readonly args: unknown;
  readonly result: unknown;
  readonly progress?: unknown;
}

/** A method map: an interface whose every member is an `RpcMethod` (`M extends RpcMap<M>`). */
export type RpcMap<M> = { readonly [K in keyof M]: RpcMethod };

type Progress<T> = T extends { readonly progress: infer P } ? P : never;

/** A call, as it crosses to the worker. */
export type RpcCall<M extends RpcMap<M>> = { [K in keyof M & string]: { readonly id: number; readonly op: K; readonly args: M[K]['args'] } }[keyof M & string];

/** A call the host no longer waits for: the worker's handler sees its signal aborted. */
export interface RpcCancel {
  readonly id: number;
  readonly cancel: true;
}

/** An error as it crosses the thread boundary: a typed error's code survives, its class does not. */
export interface RpcWireError {
  readonly message: string;
  readonly code?: string;
}

/** The answer to call `id`. */
export type RpcReply = { readonly id: number; readonly ok: true; readonly result: unknown } | ({ readonly id: number; readonly ok: false } & RpcWireError);

/** Progress of call `id` (delivered only while the call is pending). */
export interface RpcProgress {
  readonly id: number;
  readonly progress: unknown;
}

/** What a handler gets besides its arguments. */
export interface RpcContext<P> {
  /** Aborted when the host cancels this call. */
  readonly signal: AbortSignal;
  /** Reports progress to the host. */
  progress(progress: P): void;
  /** Buffers to transfer (not copy) with the reply. */
  transfer(...items: TransferListItem[]): void;
}

export type RpcHandlers<M extends RpcMap<M>> = {
  readonly [K in keyof M]: (args: M[K]['args'], ctx: RpcContext<Progress<M[K]>>) => Promise<M[K]['result']> | M[K]['result'];
};

/** How the worker turns a thrown error into data (default: its stack, no code). */
export type RpcErrorEncoder = (err: unknown) => RpcWireError;

export function describeThrown(err: unknown): RpcWireError {
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

/**
 * Runs one call against `handlers` and returns its reply; never throws (an error becomes an
 * `ok: false` reply). `serveRpc` uses it; tests call it in-thread.
 */
export async function answerCall<M extends RpcMap<M>>(
  handlers: RpcHandlers<M>,
  call: RpcCall<M>,
  options: { readonly encodeError?: RpcErrorEncoder; readonly signal?: AbortSignal; readonly onProgress?: (progress: unknown) => void; readonly transfer?: TransferListItem[] } = {},
): Promise<RpcReply> {
  const ctx: RpcContext<unknown> = {
    signal: options.signal ?? new AbortController().signal,
    progress: (p) => options.onProgress?.(p),
    transfer: (...items) => options.transfer?.push(...items),
  };
  try {
    const handler = handlers[call.op] as ((args: unknown, ctx: RpcContext<unknown>) => unknown) | undefined;
    if (typeof handler !== 'function') {
      throw new Error(`unknown method '${String(call.op)}'`);
    }
    return { id: call.id, ok: true, result: await handler(call.args, ctx) };
  } catch (err) {
    const wire = (options.encodeError ?? describeThrown)(err);
    return wire.code === undefined ? { id: call.id, ok: false, message: wire.message } : { id: call.id, ok: false, message: wire.message, code: wire.code };
  }
}

/**
 * The worker side: answers calls arriving on `port` one at a time, in order. A cancel aborts its
 * call's signal at once, even while the call waits its turn. Dispose stops listening.
 */
export function serveRpc<M extends RpcMap<M>>(port: MessagePort, handlers: RpcHandlers<M>, options: { readonly encodeError?: RpcErrorEncoder } = {}): IDisposable {
  const queue = new SerialQueue();
  const running = new Map<number, AbortController>();
  const onMessage = (m: RpcCall<M> | RpcCancel): void => {
    if ('cancel' in m) {
      running.get(m.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(m.id, controller);
    void queue.run(async () => {
      const transfer: TransferListItem[] = [];
      const reply = await answerCall(handlers, m, {
        encodeError: options.encodeError,
        signal: controller.signal,
        onProgress: (progress) => port.postMessage({ id: m.id, progress } satisfies RpcProgress),
        transfer,
      });
      running.delete(m.id);
      port.postMessage(reply, reply.ok ? transfer : []);
    });
  };
  port.on('message', onMessage);
  return { dispose: () => port.off('message', onMessage) };
}

/** The errors a client's callers see, in their own types. */
export interface RpcClientErrors {
  /** An error the worker reported for a call. */
  fromWorker(wire: RpcWireError): Error;
  /** The worker threw outside any handler (its 'error' event). */
  crashed(cause: Error): Error;
  /** The worker exited while calls were pending, or before a later call. */
  exited(code: number): Error;
  /** The client was disposed. */
  disposed(): Error;
}

export interface RpcCallOptions<P> {
  readonly transfer?: readonly TransferListItem[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: P) => void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly onProgress?: (progress: unknown) => void;
}

/** The host side: one worker thread, started at construction, terminated on dispose. */
export class WorkerRpcClient<M extends RpcMap<M>> implements IDisposable {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker can no longer answer: later calls reject with it. */
  private failure: Error | undefined;

  constructor(
    workerScript: string,
    private readonly errors: RpcClientErrors,
    options: { readonly workerData?: unknown } = {},
  ) {
    this.worker = new Worker(workerScript, { workerData: options.workerData });
    this.worker.on('message', (m: RpcReply | RpcProgress) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(errors.crashed(err)));
    this.worker.on('exit', (code) => this.fail(errors.exited(code)));
  }

  request<K extends keyof M & string>(op: K, args: M[K]['args'], options: RpcCallOptions<Progress<M[K]>> = {}): Promise<M[K]['result']> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    const { signal } = options;
    return new Promise<M[K]['result']>((resolve, reject) => {
      const onAbort = (): void => this.worker.postMessage({ id, cancel: true } satisfies RpcCancel);
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (err) => {
          done();
          reject(err);
        },
        onProgress: options.onProgress as ((progress: unknown) => void) | undefined,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage({ id, op, args }, options.transfer);
    });
  }

  /** Rejects every pending and later call with `reason`, and ends the worker. */
  terminate(reason: Error): Promise<void> {
    this.fail(reason);
    return this.worker.terminate().then(() => undefined);
  }

  dispose(): void {
    void this.terminate(this.errors.disposed());
  }

  private onMessage(m: RpcReply | RpcProgress): void {
    const p = this.pending.get(m.id);
    if (p === undefined) {
      return; // a call already settled (cancelled, or the client failed meanwhile)
    }
    if ('progress' in m) {
      p.onProgress?.(m.progress);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) {
      p.resolve(m.result);
    } else {
      p.reject(this.errors.fromWorker(m.code === undefined ? { message: m.message } : { message: m.message, code: m.code }));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      p.reject(err);
    }
  }
}
