/**
 * A worker script for test/unit/util/workerRpc.test.ts: a few methods that exercise the RPC (a
 * round trip with a transfer, a typed error, progress and cancel, a crash, an exit).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import type { RpcWireError } from '../../../src/util/workerRpc';
import { describeThrown, serveRpc } from '../../../src/util/workerRpc';

/** A typed error of the test, like BundleError: its code must survive the crossing. */
export class CodedError extends Error {
  constructor(
    readonly code: 'bad' | 'cancelled',
    message: string,
  ) {
    super(message);
  }
}

export interface TestMethods {
  /** Doubles every byte of the (transferred) buffer and transfers it back. */
  double: { args: { readonly bytes: ArrayBuffer }; result: { bytes: ArrayBuffer; length: number } };
  fail: { args: { readonly message: string }; result: never };
  /** Reports `steps` progress values, then waits for the cancel and rejects with `cancelled`. */
  waitForCancel: { args: { readonly steps: number }; result: never; progress: number };
  /** Throws outside any handler (the worker's 'error' event); never answers. */
  crash: { args: Record<string, never>; result: never };
  /** Exits the worker with `code`; never answers. */
  exit: { args: { readonly code: number }; result: never };
}

export function encodeTestError(err: unknown): RpcWireError {
  return err instanceof CodedError ? { code: err.code, message: err.message } : describeThrown(err);
}

if (!isMainThread && parentPort !== null) {
  serveRpc<TestMethods>(
    parentPort,
    {
      double: (args, ctx) => {
        const bytes = new Uint8Array(args.bytes).map((b) => b * 2);
        ctx.transfer(bytes.buffer);
        return { bytes: bytes.buffer, length: bytes.length };
      },
      fail: (args) => {
        throw new CodedError('bad', args.message);
      },
      waitForCancel: (args, ctx) =>
        new Promise<never>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new CodedError('cancelled', 'stopped')), { once: true });
          for (let k = 1; k <= args.steps; k++) {
            ctx.progress(k);
          }
        }),
      crash: () => {
        setImmediate(() => {
          throw new Error('boom');
        });
        return new Promise<never>(() => undefined);
      },
      exit: (args) => {
        process.exit(args.code);
      },
    },
    { encodeError: encodeTestError },
  );
}
